"""MQTT switches and fans: on/off on `command_topic` (`payload_on`/`payload_off`, "ON"/"OFF"),
reported on `state_topic` as `state_on`/`state_off` (default: the payloads) through `value_template`
(switch) or `state_value_template` (fan). A fan's speed: `percentage_command_topic` takes a value in
`speed_range_min`..`speed_range_max` (1..100), `percentage_state_topic` reports one; 0 turns it off.
"""

from __future__ import annotations

import math
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
    states_from_payloads,
    unsupported,
)

__all__ = ["FanPlatform", "SwitchPlatform"]


class SwitchPlatform:
    state_template_keys: tuple[str, ...] = ("value_template",)

    def initial(self, cfg: EntityConfig) -> Mapping[str, Any]:
        return {}

    def handlers(self, cfg: EntityConfig) -> list[tuple[str, Handler]]:
        out = json_attributes(cfg)
        if cfg.get("state_topic"):
            on, off = cfg.text("payload_on", "ON"), cfg.text("payload_off", "OFF")
            lookup = states_from_payloads({cfg.text("state_on", on): "on", cfg.text("state_off", off): "off"})
            value = read(cfg, *self.state_template_keys)

            def on_state(payload: str) -> Change | None:
                state = lookup(value(payload))
                return None if state is None else Change(state)

            out.append((cfg.get("state_topic"), on_state))
        return out

    def reported(self, cfg: EntityConfig) -> frozenset[str]:
        return frozenset() if cfg.get("optimistic") or not cfg.get("state_topic") else frozenset({"state"})

    def commands(self, cfg: EntityConfig, service: str, data: Mapping[str, Any], entity: Entity) -> list[Publish]:
        return [self._power(cfg, service == "turn_on")]

    def _power(self, cfg: EntityConfig, on: bool) -> Publish:
        payload = cfg.text("payload_on", "ON") if on else cfg.text("payload_off", "OFF")
        return publish(cfg, "command_topic", rendered_command(cfg, "command_template", payload, value=payload),
                       what="turn on" if on else "turn off")


class FanPlatform(SwitchPlatform):
    state_template_keys = ("state_value_template", "value_template")

    def _range(self, cfg: EntityConfig) -> tuple[int, int]:
        low, high = cfg.get("speed_range_min", 1), cfg.get("speed_range_max", 100)
        ok = isinstance(low, int) and isinstance(high, int) and 0 < low <= high
        return (low, high) if ok else (1, 100)

    def handlers(self, cfg: EntityConfig) -> list[tuple[str, Handler]]:
        out = super().handlers(cfg)
        if cfg.get("percentage_state_topic"):
            value = read(cfg, "percentage_value_template")
            low, high = self._range(cfg)

            def on_percentage(payload: str) -> Change | None:
                text = value(payload)
                try:
                    raw = float(text) if text is not None else None
                except ValueError:
                    return None
                if raw is None:
                    return None
                pct = 0 if raw < low else min(100, round((raw - low + 1) * 100 / (high - low + 1)))
                return Change(attributes={"percentage": pct})

            out.append((cfg.get("percentage_state_topic"), on_percentage))
        return out

    def reported(self, cfg: EntityConfig) -> frozenset[str]:
        parts = set(super().reported(cfg))
        if not cfg.get("optimistic") and cfg.get("percentage_state_topic"):
            parts.add("percentage")
        return frozenset(parts)

    def commands(self, cfg: EntityConfig, service: str, data: Mapping[str, Any], entity: Entity) -> list[Publish]:
        pct = data.get("percentage")
        if service == "turn_off" or pct == 0:
            return [self._power(cfg, False)]
        if pct is None:
            return [self._power(cfg, True)]
        if not cfg.get("percentage_command_topic"):
            raise unsupported(cfg, "set a speed", "percentage_command_topic")
        low, high = self._range(cfg)
        value = max(low, min(high, math.ceil(low - 1 + pct * (high - low + 1) / 100)))
        payload = rendered_command(cfg, "percentage_command_template", str(value), value=value)
        speed = publish(cfg, "percentage_command_topic", payload, what="set a speed")
        return [speed] if service == "set_percentage" or entity.state == "on" else [self._power(cfg, True), speed]
