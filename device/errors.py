"""Errors of the on-device agent (model errors live in `inference.errors`).

    TandemError                      (protocol.errors: root of every tandem error)
     └─ DeviceError
         ├─ EscalationError          an escalation could not be delivered or answered
         │   ├─ BrokerUnavailable    the MQTT broker cannot be reached
         │   ├─ NoWorkers            the broker says no worker subscribes to tasks
         │   ├─ EscalationTimeout    no result before the caller's deadline (the local draft answers)
         │   ├─ EscalationExpired    the escalation's expiry passed in the spool (local answer + notice)
         │   ├─ SpoolFull            the spool is at its size bound: a new escalation is refused
         │   └─ ResultRefused        the task's result authenticated but does not fit the protocol
         │                           (e.g. an out-of-bounds tool call): refused, nothing of it is used
         ├─ SpoolError               the spool database cannot be opened, read or written
         │   └─ SpoolCorrupt         a spool record does not parse (the record is kept, not dropped)
         ├─ CollabError              planning, routing, tools or fusion cannot proceed
         │   ├─ CollabConfigError    config names a planner, router or fuser that is not registered
         │   │   └─ ParserModelMissing  the learned command parser's model is not built or cannot load
         │   │                       (message: the command that builds it)
         │   └─ ToolError            a device tool failed or was not understood (the model answers instead)
         │       └─ ToolRefused      an act the policy refuses, or one the user did not confirm (said, not done)
         ├─ RedactionError           the redactor or its model cannot run
         │   ├─ VaultError           the vault file cannot be read, decrypted or written
         │   ├─ SensitiveModelMissing the sensitive-context classifier is not built or cannot load
         │   │                       (message: how to build it)
         │   └─ PolicyRefusal        a request's PII cannot be removed without losing its point,
         │                           and policy forbids both answering locally and escalating
         ├─ ServiceError             `tandem serve` cannot run as configured
         │   └─ OpenBrokerError      its command broker takes anonymous clients beyond loopback
         ├─ HomeError                the home (`device.home`) cannot do what was asked
         │   ├─ HomeUnavailable      the home's broker (or API) cannot be reached: nothing was sent
         │   │   └─ EntityUnavailable  the device itself reports itself offline (availability topic)
         │   ├─ UnknownEntity        no entity, area or floor matches the words given
         │   ├─ AmbiguousTarget      several entities match: `question` is what to ask back
         │   ├─ UnsupportedService   the entity (or its MQTT config) cannot do that service
         │   ├─ InvalidServiceData   a service's data is out of range or of the wrong kind
         │   └─ InventoryError       the inventory file cannot be read or does not validate
         └─ PersonalError            the user's own data on the device (reminders, timers, lists, notes,
             │                       contacts: `device.personal`) cannot be used as asked
             ├─ PersonalStoreError   the personal database cannot be opened, migrated, read or decrypted
             ├─ UnknownItem          nothing matches (no such reminder, timer, list item or contact)
             ├─ AmbiguousItem        several match: `.question` asks which, `.choices` lists them
             └─ BadTime              a due time or duration was not understood (`.text`: those words)

Each message says what happened and what to do next; none holds unredacted user text. Where the
user must see their own words again (which list item, which time), the error carries them in
attributes (`AmbiguousItem.question`, `BadTime.text`) for the answer on the device, never in `str()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from protocol.errors import TandemError

if TYPE_CHECKING:
    from device.home.model import Entity


class DeviceError(TandemError):
    pass


class EscalationError(DeviceError):
    pass


class BrokerUnavailable(EscalationError):
    pass


class NoWorkers(EscalationError):
    pass


class EscalationTimeout(EscalationError):
    pass


class EscalationExpired(EscalationError):
    pass


class SpoolFull(EscalationError):
    pass


class ResultRefused(EscalationError):
    pass


class SpoolError(DeviceError):
    pass


class SpoolCorrupt(SpoolError):
    pass


class CollabError(DeviceError):
    pass


class CollabConfigError(CollabError):
    pass


class ParserModelMissing(CollabConfigError):
    """The learned command parser's model is not built (or cannot load): the message says how to build it."""


class ToolError(CollabError):
    pass


class ToolRefused(ToolError):
    pass


class RedactionError(DeviceError):
    pass


class VaultError(RedactionError):
    pass


class PolicyRefusal(RedactionError):
    pass


class SensitiveModelMissing(RedactionError):
    pass


class ServiceError(DeviceError):
    pass


class OpenBrokerError(ServiceError):
    pass


class HomeError(DeviceError):
    pass


class HomeUnavailable(HomeError):
    pass


class EntityUnavailable(HomeUnavailable):
    pass


class UnknownEntity(HomeError):
    def __init__(self, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.suggestions = tuple(suggestions)
        """Names that come close to what was asked, best first (for a "did you mean")."""


class AmbiguousTarget(HomeError):
    def __init__(self, question: str, candidates: Sequence[Entity]) -> None:
        super().__init__(f"{question} (several entities match: name the area, or the full name)")
        self.question = question
        """What to ask the user back, e.g. "Which Lamp: Study or Bedroom?"."""
        self.candidates = tuple(candidates)


class UnsupportedService(HomeError):
    pass


class InvalidServiceData(HomeError):
    pass


class InventoryError(HomeError):
    pass


class PersonalError(DeviceError):
    pass


class PersonalStoreError(PersonalError):
    pass


class UnknownItem(PersonalError):
    pass


class AmbiguousItem(PersonalError):
    """Several items match what the user said. `str()` holds only a count; `question` ("Which one:
    oat milk or almond milk?") and `choices` hold the user's own words, for the answer on the device."""

    def __init__(self, message: str, *, question: str, choices: tuple[str, ...]) -> None:
        super().__init__(message)
        self.question = question
        self.choices = choices


class BadTime(PersonalError):
    """A due time or duration was not understood. `text` is the part that was not (user text: for
    the answer on the device, never for logs); `str()` says what forms are understood."""

    def __init__(self, message: str, *, text: str) -> None:
        super().__init__(message)
        self.text = text
