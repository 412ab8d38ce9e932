"""MQTT vacuums (the "state" schema) and lawn mowers.

Vacuum: `command_topic` takes `payload_start` ("start"), `payload_pause` ("pause"), `payload_stop`
("stop"), `payload_return_to_base` ("return_to_base"); `state_topic` reports JSON with a `state`
(cleaning, docked, paused, idle, returning, error) and optionally `battery_level`, `fan_speed`.

Lawn mower: `start_mowing_command_topic`, `pause_command_topic`, `dock_command_topic` take
"start_mowing", "pause", "dock" (or their `*_command_template`); `activity_state_topic` reports the
activity (mowing, paused, docked, returning, error) through `activity_value_template`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from device.home.discovery import EntityConfig
from device.home.model import Entity
from device.home.platforms.base import (
    Change,
    Handler,
    Publish,
    json_attributes,
    publish,
    read,
    rendered_command,
)

__all__ = ["LawnMowerPlatform", "VacuumPlatform"]

_VACUUM_STATES = frozenset({"cleaning", "docked", "paused", "idle", "returning", "error"})
_MOWER_STATES = frozenset({"mowing", "paused", "docked", "returning", "error"})


class VacuumPlatform:
    def initial(self, cfg: EntityConfig) -> Mapping[str, Any]:
        return {}

    def handlers(self, cfg: EntityConfig) -> list[tuple[str, Handler]]:
        out = json_attributes(cfg)
        if cfg.get("state_topic"):
            out.append((cfg.get("state_topic"), _vacuum_state))
        return out

    def reported(self, cfg: EntityConfig) -> frozenset[str]:
        return frozenset({"state"}) if cfg.get("state_topic") else frozenset()

    def commands(self, cfg: EntityConfig, service: str, data: Mapping[str, Any], entity: Entity) -> list[Publish]:
        key = {"start": "payload_start", "pause": "payload_pause", "stop": "payload_stop",
               "return_to_base": "payload_return_to_base"}[service]
        return [publish(cfg, "command_topic", cfg.text(key, service), what=service.replace("_", " "))]


def _vacuum_state(payload: str) -> Change | None:
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    state = str(data.get("state", "")).lower()
    attrs = {k: data[k] for k in ("battery_level", "fan_speed") if k in data}
    return Change(state if state in _VACUUM_STATES else None, attrs) if state in _VACUUM_STATES or attrs else None


class LawnMowerPlatform:
    def initial(self, cfg: EntityConfig) -> Mapping[str, Any]:
        return {}

    def handlers(self, cfg: EntityConfig) -> list[tuple[str, Handler]]:
        out = json_attributes(cfg)
        if cfg.get("activity_state_topic"):
            value = read(cfg, "activity_value_template")

            def on_activity(payload: str) -> Change | None:
                text = value(payload)
                state = text.strip().lower() if text is not None else None
                return Change(state) if state in _MOWER_STATES else None

            out.append((cfg.get("activity_state_topic"), on_activity))
        return out

    def reported(self, cfg: EntityConfig) -> frozenset[str]:
        return frozenset({"state"}) if cfg.get("activity_state_topic") else frozenset()

    def commands(self, cfg: EntityConfig, service: str, data: Mapping[str, Any], entity: Entity) -> list[Publish]:
        payload = rendered_command(cfg, f"{service}_command_template", service, value=service)
        return [publish(cfg, f"{service}_command_topic", payload, what=service.replace("_", " "))]
