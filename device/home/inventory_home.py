"""A home from the inventory file alone: `call` changes the state in memory, nothing is sent.

For a device without a live home (dry runs, tests, a demo) and as the reference behaviour of a
`Home`: each call is checked against the service catalogue exactly as a live home checks it, and
leaves the state Home Assistant would show afterwards (`device.home.services.expect`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from device.errors import UnknownEntity
from device.home.inventory import Inventory, load_inventory
from device.home.model import Area, Entity, Floor
from device.home.services import check_call, expect

__all__ = ["InventoryHome", "unknown_entity"]

log = logging.getLogger(__name__)


class InventoryHome:
    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self._entities: dict[str, Entity] = {e.id: e for e in inventory.entities}
        self.calls: list[tuple[str, str, str, dict[str, Any]]] = []
        """Every call performed, in order: (domain, service, entity_id, data as checked)."""

    @classmethod
    def from_file(cls, path: str | Path) -> InventoryHome:
        return cls(load_inventory(path))

    def floors(self) -> tuple[Floor, ...]:
        return self.inventory.floors

    def areas(self) -> tuple[Area, ...]:
        return self.inventory.areas

    def entities(self) -> tuple[Entity, ...]:
        return tuple(self._entities.values())

    def entity(self, entity_id: str) -> Entity:
        try:
            return self._entities[entity_id]
        except KeyError:
            raise unknown_entity(entity_id, self._entities) from None

    async def call(self, domain: str, service: str, entity_id: str, data: Mapping[str, Any] | None = None,
                   *, timeout_s: float = 2.0) -> Entity:
        entity = self.entity(entity_id)
        checked = check_call(entity, domain, service, data)
        self.calls.append((domain, service, entity_id, checked))
        expectation = expect(entity, service, checked)
        log.info("home call %s.%s entity=%s data_keys=%s (in memory)", domain, service, entity_id, sorted(checked))
        if expectation is not None:
            self._entities[entity_id] = expectation.entity
        return self._entities[entity_id]

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


def unknown_entity(entity_id: str, known: Mapping[str, Entity]) -> UnknownEntity:
    """The error for an id the home lacks, with the closest ids as suggestions."""
    import difflib

    close = difflib.get_close_matches(entity_id, list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return UnknownEntity(f"the home has no entity {entity_id!r}{hint} (resolve names with device.home.resolve)",
                         close)
