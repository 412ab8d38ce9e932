"""MQTT covers (blinds, curtains, garage doors) and valves: open, close, stop, position.

Cover: `command_topic` takes `payload_open`/`payload_close`/`payload_stop` ("OPEN"/"CLOSE"/"STOP";
a payload set to null is not offered); `set_position_topic` a position between `position_closed`
(0) and `position_open` (100), or `set_position_template` (Zigbee2MQTT: `{"position": {{ position
}}}`). `state_topic` reports `state_open`/`state_closed`/`state_opening`/`state_closing`/
`state_stopped` ("open", "closed", ...), `position_topic` the position (`position_template`);
without a state topic the state follows the position (0 is closed). Attributes: `current_position`
0-100, as Home Assistant shows it.

Valve: the same open/close/stop payloads on `command_topic`, `state_topic` with `state_open`/
`state_closed`/`state_opening`/`state_closing`, or a position when `reports_position` is set.
"""

from __future__ import annotations

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

__all__ = ["CoverPlatform", "ValvePlatform"]


def _span(cfg: EntityConfig) -> tuple[float, float]:
    closed, opened = cfg.get("position_closed", 0), cfg.get("position_open", 100)
    ok = isinstance(closed, (int, float)) and isinstance(opened, (int, float)) and closed != opened
    return (float(closed), float(opened)) if ok else (0.0, 100.0)


def _to_percent(cfg: EntityConfig, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        raw = float(value)
    except ValueError:
        return None
    closed, opened = _span(cfg)
    return max(0, min(100, round((raw - closed) * 100 / (opened - closed))))


def _from_percent(cfg: EntityConfig, pct: int) -> int:
    closed, opened = _span(cfg)
    return round(closed + (opened - closed) * pct / 100)


class CoverPlatform:
    domain = "cover"

    def initial(self, cfg: EntityConfig) -> Mapping[str, Any]:
        return {}

    def _states(self, cfg: EntityConfig) -> dict[str, str]:
        pairs = (("state_open", "open", "open"), ("state_closed", "closed", "closed"),
                 ("state_opening", "opening", "opening"), ("state_closing", "closing", "closing"),
                 ("state_stopped", "stopped", "stopped"))
        return {cfg.text(key, default): state for key, default, state in pairs}

    def handlers(self, cfg: EntityConfig) -> list[tuple[str, Handler]]:
        out = json_attributes(cfg)
        lookup = states_from_payloads(self._states(cfg))
        has_position = bool(cfg.get("position_topic"))
        if cfg.get("state_topic"):
            value = read(cfg, "value_template", "state_value_template")

            def on_state(payload: str) -> Change | None:
                text = value(payload)
                state = lookup(text)
                if state is None and self.domain == "valve" and cfg.get("reports_position"):
                    pct = _to_percent(cfg, text)
                    return None if pct is None else Change("open" if pct > 0 else "closed", {"current_position": pct})
                if state == "stopped":  # Home Assistant shows a stopped cover as open (or closed at 0)
                    return Change("open")
                return None if state is None else Change(state)

            out.append((cfg.get("state_topic"), on_state))
        if has_position:
            position = read(cfg, "position_template")

            def on_position(payload: str) -> Change | None:
                pct = _to_percent(cfg, position(payload))
                if pct is None:
                    return None
                state = None if cfg.get("state_topic") else ("open" if pct > 0 else "closed")
                return Change(state, {"current_position": pct})

            out.append((cfg.get("position_topic"), on_position))
        return out

    def reported(self, cfg: EntityConfig) -> frozenset[str]:
        if cfg.get("optimistic"):
            return frozenset()
        parts = {"state"} if cfg.get("state_topic") or cfg.get("position_topic") else set()
        return frozenset(parts | ({"current_position"} if cfg.get("position_topic") else set()))

    def commands(self, cfg: EntityConfig, service: str, data: Mapping[str, Any], entity: Entity) -> list[Publish]:
        verb = {"open_cover": "open", "close_cover": "close", "stop_cover": "stop", "open_valve": "open",
                "close_valve": "close", "stop_valve": "stop"}.get(service)
        if verb is not None:
            key = {"open": "payload_open", "close": "payload_close", "stop": "payload_stop"}[verb]
            if key in cfg.config and cfg.config[key] is None:
                raise unsupported(cfg, verb, key)
            payload = cfg.text(key, verb.upper())
            return [publish(cfg, "command_topic", rendered_command(cfg, "command_template", payload, value=payload),
                            what=verb)]
        if service == "set_cover_position":
            pct = int(data["position"])
            if not cfg.get("set_position_topic"):
                if pct in (0, 100):  # fully open or closed works without a position topic
                    return self.commands(cfg, "open_cover" if pct == 100 else "close_cover", {}, entity)
                raise unsupported(cfg, "move to a position", "set_position_topic")
            value = _from_percent(cfg, pct)
            payload = rendered_command(cfg, "set_position_template", str(value), position=value, value=value)
            return [publish(cfg, "set_position_topic", payload, what="move to a position")]
        raise unsupported(cfg, service.replace("_", " "), "topic for it")


class ValvePlatform(CoverPlatform):
    domain = "valve"

    def reported(self, cfg: EntityConfig) -> frozenset[str]:
        if cfg.get("optimistic") or not cfg.get("state_topic"):
            return frozenset()
        return frozenset({"state"})
