"""Errors of the on-device agent (model errors live in `inference.errors`).

    TandemError                      (protocol.errors: root of every tandem error)
     └─ DeviceError
         ├─ EscalationError          an escalation could not be delivered or answered
         │   ├─ BrokerUnavailable    the MQTT broker cannot be reached
         │   ├─ NoWorkers            the broker says no worker subscribes to tasks
         │   ├─ EscalationTimeout    no result before the caller's deadline (the local draft answers)
         │   ├─ EscalationExpired    the escalation's expiry passed in the spool (local answer + notice)
         │   └─ SpoolFull            the spool is at its size bound: a new escalation is refused
         ├─ SpoolError               the spool database cannot be opened, read or written
         │   └─ SpoolCorrupt         a spool record does not parse (the record is kept, not dropped)
         ├─ CollabError              planning, routing, tools or fusion cannot proceed
         │   ├─ CollabConfigError    config names a planner, router or fuser that is not registered
         │   └─ ToolError            a device tool refused or failed (the step is answered otherwise)
         ├─ RedactionError           the redactor or its model cannot run
         │   ├─ VaultError           the vault file cannot be read, decrypted or written
         │   └─ PolicyRefusal        a request's PII cannot be removed without losing its point,
         │                           and policy forbids both answering locally and escalating
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

from protocol.errors import TandemError


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


class SpoolError(DeviceError):
    pass


class SpoolCorrupt(SpoolError):
    pass


class CollabError(DeviceError):
    pass


class CollabConfigError(CollabError):
    pass


class ToolError(CollabError):
    pass


class RedactionError(DeviceError):
    pass


class VaultError(RedactionError):
    pass


class PolicyRefusal(RedactionError):
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
