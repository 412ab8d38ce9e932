"""The home as values: floors, areas and entities, shaped like Home Assistant's.

An entity's `id` is `domain.object_id` (`light.kitchen_spots`), its `state` the string Home
Assistant would show ("on", "21.5", "locked", "unavailable") and its `attributes` Home Assistant's
attribute names (`brightness` 0-255, `current_temperature`, `temperature`, `current_position`,
`volume_level` 0-1, `device_class`, `unit_of_measurement`, ...), so a tool written against Home
Assistant's documentation reads them the same way here. The values are frozen: a change of state
is a new `Entity` (`with_state`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

__all__ = ["UNAVAILABLE", "UNKNOWN", "Area", "Entity", "Floor"]

UNKNOWN = "unknown"
UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Floor:
    id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    floor: str | None = None
    """The id of its floor."""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entity:
    id: str
    """`domain.object_id`."""
    name: str
    aliases: tuple[str, ...] = ()
    area: str | None = None
    """The id of its area."""
    state: str = UNKNOWN
    attributes: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if "." not in self.id or not self.id.split(".", 1)[0] or not self.id.split(".", 1)[1]:
            raise ValueError(f"entity id {self.id!r} must be domain.object_id (e.g. light.kitchen)")
        if not isinstance(self.attributes, MappingProxyType):
            object.__setattr__(self, "attributes", MappingProxyType(dict(self.attributes)))

    @property
    def domain(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def object_id(self) -> str:
        return self.id.split(".", 1)[1]

    @property
    def device_class(self) -> str | None:
        value = self.attributes.get("device_class")
        return None if value is None else str(value)

    @property
    def unit(self) -> str | None:
        """`unit_of_measurement`, else `temperature_unit` (climate and weather entities)."""
        value = self.attributes.get("unit_of_measurement", self.attributes.get("temperature_unit"))
        return None if value is None else str(value)

    @property
    def available(self) -> bool:
        return self.state != UNAVAILABLE

    def with_state(self, state: str | None = None, attributes: Mapping[str, Any] | None = None, /,
                   **more: Any) -> Entity:
        """A copy with `state` (None: unchanged) and `attributes` (and keyword `more`) merged in; an
        attribute given as None is removed."""
        merged = {**self.attributes, **(attributes or {}), **more}
        return replace(self, state=self.state if state is None else state,
                       attributes={k: v for k, v in merged.items() if v is not None})
