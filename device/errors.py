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
         │   └─ ToolError            a device tool failed or was not understood (the model answers instead)
         │       └─ ToolRefused      an act the policy refuses, or one the user did not confirm (said, not done)
         ├─ RedactionError           the redactor or its model cannot run
         │   ├─ VaultError           the vault file cannot be read, decrypted or written
         │   ├─ SensitiveModelMissing the sensitive-context classifier is not built or cannot load
         │   │                       (message: how to build it)
         │   └─ PolicyRefusal        a request's PII cannot be removed without losing its point,
         │                           and policy forbids both answering locally and escalating
         └─ ServiceError             `tandem serve` cannot run as configured
             └─ OpenBrokerError      its command broker takes anonymous clients beyond loopback

Each message says what happened and what to do next; none holds unredacted user text.
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
