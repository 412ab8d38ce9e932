"""The `Home` interface: what the device's tools read and command, whatever the home runs on.

    floors(), areas(), entities()     the home as it is now (frozen values, `device.home.model`)
    entity(entity_id)                 one entity, or UnknownEntity
    await call(domain, service, entity_id, data, timeout_s=2.0)
                                      perform a Home Assistant service (`device.home.services` lists
                                      them) and return the entity's state after it
    await start(), await close()      connect / disconnect (no-ops for a file-backed home)

`call` raises, before anything is sent: UnknownEntity, UnsupportedService (the domain, or this
device's config, lacks the service), InvalidServiceData (out of range), HomeUnavailable (the broker
is down; EntityUnavailable: the device reports itself offline). It returns the entity as the device
reported it, or, when the device has no state topic or did not report within `timeout_s`, as Home
Assistant would assume it, with `attributes["assumed_state"] = True`. Calls are idempotent: a
retried `turn_off` leaves the light off.

Implementations: `InventoryHome` (a file; `call` changes the state in memory: dry runs, tests,
a home without a broker) and `MqttHome` (Home Assistant's MQTT discovery on the home's broker).
Picking the target from words is `device.home.resolve`, shared by all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from device.home.model import Area, Entity, Floor

__all__ = ["Home"]


@runtime_checkable
class Home(Protocol):
    def floors(self) -> tuple[Floor, ...]: ...

    def areas(self) -> tuple[Area, ...]: ...

    def entities(self) -> tuple[Entity, ...]: ...

    def entity(self, entity_id: str) -> Entity:
        """The entity now; UnknownEntity if the home has none with this id."""
        ...

    async def call(self, domain: str, service: str, entity_id: str, data: Mapping[str, Any] | None = None,
                   *, timeout_s: float = 2.0) -> Entity:
        """Perform `domain.service` on `entity_id` and return its state afterwards (see the module doc)."""
        ...

    async def start(self) -> None:
        """Connect and learn the home (MqttHome: HomeUnavailable when its broker cannot be reached)."""
        ...

    async def close(self) -> None: ...
