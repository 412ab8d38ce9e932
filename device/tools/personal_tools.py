"""The user's own data as tools: timers, lists (Home Assistant's intents), reminders, alarms, notes, messages.

Timers and lists keep Home Assistant's intent and slot names (`HassStartTimer` with `hours`,
`minutes`, `seconds`, `name`; `HassListAddItem` with `item` and `name`). Reminders, alarms, notes and
messages to a contact are what Home Assistant lacks; they are `Tandem...` tools in the same style.
Everything lives in the device's `PersonalStore` and fires from its scheduler; acts are idempotent
on the request id (a retried request does not set a second reminder).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from device.errors import ToolError
from device.tools.base import Tool, ToolInput, ToolOutcome
from device.tools.schema import COUNT, TEXT, obj

if TYPE_CHECKING:
    from device.personal.store import PersonalStore

SHOPPING_LIST = "Shopping List"
_DURATION = {"hours": COUNT, "minutes": COUNT, "seconds": COUNT}
_STARTED = {"start_hours": COUNT, "start_minutes": COUNT, "start_seconds": COUNT}


def _store(inp: ToolInput) -> PersonalStore:
    if inp.services.personal is None:
        raise ToolError("this device keeps no personal data store (timers, lists, reminders)")
    return inp.services.personal


def _seconds(args: Mapping[str, Any], prefix: str = "") -> int:
    return (int(args.get(f"{prefix}hours", 0)) * 3600 + int(args.get(f"{prefix}minutes", 0)) * 60
            + int(args.get(f"{prefix}seconds", 0)))


def spoken_duration(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in ((hours, "hour"), (minutes, "minute"),
                                                                     (secs, "second")) if n]
    return " and ".join(parts) if parts else "0 seconds"


def spoken_time(when: datetime, now: datetime) -> str:
    """"Friday 09:00", "today 18:30", "tomorrow 06:30", "24 December 12:00"."""
    days = (when.date() - now.date()).days
    clock = when.strftime("%H:%M")
    if days == 0:
        return f"today {clock}"
    if days == 1:
        return f"tomorrow {clock}"
    if 1 < days < 7:
        return f"{when.strftime('%A')} {clock}"
    return f"{when.day} {when.strftime('%B')} {clock}"


def _one_timer(inp: ToolInput) -> Any:
    store = _store(inp)
    args = inp.arguments
    started = _seconds(args, "start_") or None
    found = store.find_timers(name=args.get("name"), area=args.get("area"), seconds=started)
    if not found:
        raise ToolError("there is no timer like that running")
    if len(found) > 1:
        names = ", ".join(t.name or spoken_duration(t.seconds) for t in found)
        raise ToolError(f"which timer: {names}?")
    return found[0]


async def _start_timer(inp: ToolInput) -> ToolOutcome:
    seconds = _seconds(inp.arguments)
    if seconds <= 0:
        raise ToolError("a timer needs a length (hours, minutes or seconds)")
    name = inp.arguments.get("name")
    fields = {"length": spoken_duration(seconds), "label": f" for {name}" if name else ""}
    if inp.dry_run:
        return ToolOutcome({"dry_run": True, "would": {"start_timer": seconds}}, fields)
    timer = _store(inp).start_timer(seconds, name=name, area=inp.services.here_area, request_id=inp.request_id)
    return ToolOutcome({"timer_id": timer.id, "seconds": seconds}, fields)


def _timer_act(action: str) -> Any:
    async def execute(inp: ToolInput) -> ToolOutcome:
        store = _store(inp)
        if action == "cancel_all":
            if inp.dry_run:
                return ToolOutcome({"dry_run": True, "would": {"cancel_all_timers": True}}, {"count": "all"})
            count = store.cancel_all_timers()
            return ToolOutcome({"cancelled": count}, {"count": count})
        timer = _one_timer(inp)
        label = timer.name or spoken_duration(timer.seconds)
        if inp.dry_run:
            return ToolOutcome({"dry_run": True, "would": {action: timer.id}}, {"label": label})
        if action == "cancel":
            timer = store.cancel_timer(timer.id)
        elif action == "pause":
            timer = store.pause_timer(timer.id)
        elif action == "unpause":
            timer = store.unpause_timer(timer.id)
        else:
            change = _seconds(inp.arguments) * (1 if action == "increase" else -1)
            if change == 0:
                raise ToolError("by how much?")
            timer = store.add_time(timer.id, change)
        return ToolOutcome({"timer_id": timer.id, "remaining_s": timer.remaining_s},
                           {"label": label, "remaining": spoken_duration(timer.remaining_s)})
    return execute


async def _timer_status(inp: ToolInput) -> ToolOutcome:
    timers = _store(inp).timers()
    if not timers:
        return ToolOutcome({"timers": []}, say="No timers are running.")
    said = "; ".join(f"{t.name or spoken_duration(t.seconds) + ' timer'}: {spoken_duration(t.remaining_s)} left"
                     + (" (paused)" if t.state == "paused" else "") for t in timers)
    return ToolOutcome({"timers": [{"id": t.id, "remaining_s": t.remaining_s} for t in timers]}, say=said + ".")


def _list_act(action: str, fixed_list: str | None = None) -> Any:
    async def execute(inp: ToolInput) -> ToolOutcome:
        store = _store(inp)
        list_name = fixed_list or str(inp.arguments["name"])
        item = str(inp.arguments["item"])
        fields = {"list": list_name}
        if inp.dry_run:
            return ToolOutcome({"dry_run": True, "would": {action: list_name}}, fields)
        if action == "add":
            added = store.add_item(list_name, item, request_id=inp.request_id)
        elif action == "complete":
            added = store.complete_item(list_name, item)
        else:
            added = store.remove_item(list_name, item)
        return ToolOutcome({"list": list_name, "item_id": added.id}, fields)
    return execute


async def _add_reminder(inp: ToolInput) -> ToolOutcome:
    return await _remind(inp, "reminder")


async def _set_alarm(inp: ToolInput) -> ToolOutcome:
    return await _remind(inp, "alarm")


async def _remind(inp: ToolInput, kind: str) -> ToolOutcome:
    from device.personal.when import parse_when

    store = _store(inp)
    now = store.now()
    when_text = str(inp.arguments.get("when") or "")
    if not when_text:
        raise ToolError(f"when should the {kind} go off?")
    due = parse_when(when_text, now, default_time=inp.services.default_time)
    text = str(inp.arguments.get("message") or inp.arguments.get("name") or kind)
    contact = inp.redacted.get("contact")  # a placeholder: the fuser puts the name back on the device
    fields = {"when": spoken_time(due, now), "for_contact": f" for {contact}" if contact else ""}
    if inp.dry_run:
        return ToolOutcome({"dry_run": True, "would": {f"add_{kind}": due.isoformat()}}, fields)
    added = store.add_reminder(text, due, kind=kind, contact=inp.arguments.get("contact"),
                                     request_id=inp.request_id)
    return ToolOutcome({"id": added.id, "due": added.due.isoformat(), "kind": kind}, fields)


async def _list_reminders(inp: ToolInput) -> ToolOutcome:
    now = inp.services.clock()
    pending = _store(inp).reminders(pending_only=True)
    if not pending:
        return ToolOutcome({"reminders": []}, say="You have no reminders.")
    said = "; ".join(f"{spoken_time(r.due, now)}: {r.text}" for r in pending[:5])
    return ToolOutcome({"reminders": [{"id": r.id, "due": r.due.isoformat()} for r in pending]},
                       say=f"{len(pending)} reminder{'s' if len(pending) != 1 else ''}: {said}.")


async def _add_note(inp: ToolInput) -> ToolOutcome:
    if inp.dry_run:
        return ToolOutcome({"dry_run": True, "would": {"add_note": True}})
    note = _store(inp).add_note(str(inp.arguments["message"]), request_id=inp.request_id)
    return ToolOutcome({"id": note.id})


async def _send_message(inp: ToolInput) -> ToolOutcome:
    contact = str(inp.arguments["contact"])
    message = str(inp.arguments["message"])
    if inp.dry_run:
        return ToolOutcome({"dry_run": True, "would": {"send_message": True}})
    queued = _store(inp).queue_message(contact, message, request_id=inp.request_id)
    if inp.services.notify is not None:
        await inp.services.notify("message", {"id": queued.id, "contact": contact, "text": message})
    return ToolOutcome({"id": queued.id, "queued": True})


_WHEN = {"type": "string", "minLength": 1}


def personal_tools() -> list[Tool]:
    return [
        Tool("HassStartTimer", "Start a timer", obj(**_DURATION, name=TEXT, conversation_command=TEXT),
             _start_timer, acts=True, template="Started a {length} timer{label}."),
        Tool("HassCancelTimer", "Cancel a timer", obj(**_STARTED, name=TEXT, area=TEXT), _timer_act("cancel"),
             acts=True, template="Cancelled the {label} timer."),
        Tool("HassCancelAllTimers", "Cancel every timer", obj(area=TEXT), _timer_act("cancel_all"), acts=True,
             template="Cancelled {count} timers."),
        Tool("HassPauseTimer", "Pause a timer", obj(**_STARTED, name=TEXT, area=TEXT), _timer_act("pause"),
             acts=True, template="Paused the {label} timer."),
        Tool("HassUnpauseTimer", "Resume a paused timer", obj(**_STARTED, name=TEXT, area=TEXT),
             _timer_act("unpause"), acts=True, template="Resumed the {label} timer."),
        Tool("HassIncreaseTimer", "Add time to a timer", obj(**_DURATION, **_STARTED, name=TEXT, area=TEXT),
             _timer_act("increase"), acts=True, template="The {label} timer has {remaining} left."),
        Tool("HassDecreaseTimer", "Take time off a timer", obj(**_DURATION, **_STARTED, name=TEXT, area=TEXT),
             _timer_act("decrease"), acts=True, template="The {label} timer has {remaining} left."),
        Tool("HassTimerStatus", "How long timers have left", obj(**_STARTED, name=TEXT, area=TEXT), _timer_status,
             acts=False, template="{timers}"),
        Tool("HassShoppingListAddItem", "Add an item to the shopping list", obj(("item",), item=TEXT),
             _list_act("add", SHOPPING_LIST), acts=True, template="Added {item} to your shopping list."),
        Tool("HassShoppingListCompleteItem", "Check an item off the shopping list", obj(("item",), item=TEXT),
             _list_act("complete", SHOPPING_LIST), acts=True, template="Checked {item} off your shopping list."),
        Tool("HassListAddItem", "Add an item to a list", obj(("item", "name"), item=TEXT, name=TEXT),
             _list_act("add"), acts=True, template="Added {item} to your {name} list."),
        Tool("HassListCompleteItem", "Check an item off a list", obj(("item", "name"), item=TEXT, name=TEXT),
             _list_act("complete"), acts=True, template="Checked {item} off your {name} list."),
        Tool("HassListRemoveItem", "Remove an item from a list", obj(("item", "name"), item=TEXT, name=TEXT),
             _list_act("remove"), acts=True, template="Removed {item} from your {name} list."),
        Tool("TandemReminderAdd", "Remind the user (or, for a contact, about them) at a date and time",
             obj(("message", "when"), message=TEXT, when=_WHEN, contact=TEXT), _add_reminder, acts=True,
             template="Reminder{for_contact} set for {when}: {message}."),
        Tool("TandemAlarmSet", "Set an alarm (wake the user) at a time", obj(("when",), when=_WHEN, name=TEXT),
             _set_alarm, acts=True, template="Alarm set for {when}."),
        Tool("TandemReminderList", "Read the pending reminders", obj(), _list_reminders, acts=False,
             template="{reminders}"),
        Tool("TandemNoteAdd", "Take a note", obj(("message",), message=TEXT), _add_note, acts=True,
             template="Noted: {message}."),
        Tool("TandemMessageSend", "Send a message to one of the user's contacts",
             obj(("contact", "message"), contact=TEXT, message=TEXT), _send_message, acts=True,
             template="Message to {contact} queued: {message}."),
    ]
