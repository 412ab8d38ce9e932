"""Calls that Home Assistant's templates read one way and this device carries out better another way.

"Remind me to take the bread out in 40 seconds" matches Home Assistant's timer-with-a-command template
(`HassStartTimer` with `conversation_command` "Remind me to take the bread out"): Home Assistant would
run the command when the timer ends. This device has real reminders, which persist across a restart
and fire with their words, so such a timer becomes `TandemReminderAdd` with the timer's length as its
time. `tandem tools parse` still reports what Home Assistant would (the understanding); the rewrite
happens when the device acts.
"""

from __future__ import annotations

import re

from device.collab.steps import ToolCall

_REMINDER = re.compile(r"^(?:please\s+)?(?:remind|tell)\s+me\s+(?:to|that|about|of)\s+(?P<message>.+)$", re.IGNORECASE)


def as_device_call(call: ToolCall) -> ToolCall:
    """`call`, or the device's better tool for it (see the module docstring)."""
    command = call.arguments.get("conversation_command")
    if call.name != "HassStartTimer" or not isinstance(command, str):
        return call
    m = _REMINDER.match(command.strip())
    if m is None:
        return call
    parts = [f"{call.arguments[unit]} {unit}" for unit in ("hours", "minutes", "seconds") if call.arguments.get(unit)]
    if not parts:
        return call
    return ToolCall("TandemReminderAdd", {"message": m.group("message").strip(" ,."), "when": "in " + " ".join(parts)},
                    call.confidence)
