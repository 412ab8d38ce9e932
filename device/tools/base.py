"""A device tool: a name, a JSON Schema for its arguments, an executor, whether it acts, a template.

Built-in tools use Home Assistant's intent names and slot names (`HassTurnOff` with `name`, `area`,
`domain`, ...), so people who run Home Assistant recognise them and its public test suites can check
them; what Home Assistant's intents lack (reminders and alarms at a time, notes, messages to a
contact) are `Tandem...` tools in the same style. Users add tools from a TOML file or a Python entry
point (`device.tools.user`).

An executor gets the validated arguments with their values restored (`ToolInput.arguments`) and
the same arguments still redacted (`ToolInput.redacted`: what may appear in an answer before the
fuser restores it), and returns a `ToolOutcome`: the result as data and the words to say. The
template turns the outcome into one short sentence ("Turned off the Kitchen Spots.").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from device.tools.policy import ActPolicy

if TYPE_CHECKING:
    from device.home.base import Home
    from device.personal.store import PersonalStore


@dataclass(frozen=True)
class ToolServices:
    """What built-in tools act on; any may be missing on a device (the tool then says so)."""

    home: Home | None = None
    personal: PersonalStore | None = None
    here_area: str | None = None
    """The device's own area: "the lights in here"."""
    clock: Callable[[], datetime] = field(default=lambda: datetime.now().astimezone())
    notify: Callable[[str, Mapping[str, Any]], Awaitable[None]] | None = None
    """Sends a notification (a broadcast, a message to a contact) from the device: (kind, payload)."""
    policy: ActPolicy = field(default_factory=ActPolicy)
    """Which acts need a yes from the user, or are refused."""
    default_time: time = time(9, 0)
    """The time of day of "on Friday" ([personal] default_time)."""
    publish: Callable[[str, bytes, bool], Awaitable[None]] | None = None
    """Publishes on the home's broker (topic, payload, retain): user tools that are an MQTT message."""


@dataclass(frozen=True)
class ToolInput:
    arguments: Mapping[str, Any]
    """Validated against the tool's schema, placeholders replaced by their values."""
    redacted: Mapping[str, Any]
    """The same arguments as planned (placeholders kept): for the words of the answer."""
    services: ToolServices
    dry_run: bool = False
    request_id: str = ""
    confirm: Callable[[str], Awaitable[bool]] | None = None
    """Asks the user yes/no (an act the policy wants confirmed); None: nobody to ask."""


@dataclass(frozen=True)
class ToolOutcome:
    result: Mapping[str, Any]
    """What happened, as data (the `result` of `tandem ask --json`'s `tool_calls`); no values that the
    request did not already hold."""
    fields: Mapping[str, Any] = field(default_factory=dict)
    """Values for the tool's template, beside the redacted arguments."""
    say: str | None = None
    """The words of the answer when the template does not fit (e.g. a list read out)."""


Execute = Callable[[ToolInput], Awaitable[ToolOutcome]]


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    schema: Mapping[str, Any]
    """JSON Schema (draft 2020-12) of the arguments: an object with `properties` and `required`."""
    execute: Execute
    acts: bool
    """It changes the world (a light, a lock, a reminder); False: it only reads."""
    template: str
    """One short sentence, `str.format`-ed with the redacted arguments and the outcome's fields."""
    domain: str | None = None
    """The Home Assistant domain it is about, when it is about one."""
    home: bool = False
    """Its target slots (`name`, `area`, `floor`, `domain`, `device_class`) name devices of the home."""

    def say(self, redacted: Mapping[str, Any], outcome: ToolOutcome) -> str:
        if outcome.say is not None:
            return outcome.say
        values = _Blank({**redacted, **outcome.fields})
        return self.template.format_map(values).replace("  ", " ").replace(" .", ".").strip()


class _Blank(dict[str, Any]):
    """Template values; a slot the call did not fill reads as empty instead of raising."""

    def __missing__(self, key: str) -> str:
        return ""
