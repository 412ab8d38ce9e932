"""Errors of the on-device agent (model errors live in `inference.errors`).

    TandemError                      (protocol.errors: root of every tandem error)
     └─ DeviceError
         └─ EscalationError          an escalation could not be delivered or answered
             ├─ BrokerUnavailable    the MQTT broker cannot be reached
             ├─ NoWorkers            the broker says no worker subscribes to tasks
             └─ EscalationTimeout    no result before the deadline (the local draft answers instead)

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
