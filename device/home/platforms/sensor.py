"""MQTT sensors and binary sensors: read only. A sensor's state is its value (`value_template` picks it
out of a JSON payload: `{{ value_json.temperature }}`), with `device_class`, `unit_of_measurement`
and `state_class` as attributes. A binary sensor's payload is compared with `payload_on`/
`payload_off` ("ON"/"OFF"; Zigbee2MQTT's contact sensors send JSON booleans, i.e. "True"/"False").
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
    read,
    states_from_payloads,
    unsupported,
)

__all__ = ["BinarySensorPlatform", "SensorPlatform"]


class SensorPlatform:
    def initial(self, cfg: EntityConfig) -> Mapping[str, Any]:
        return {k: cfg.get(k) for k in ("device_class", "unit_of_measurement", "state_class") if cfg.get(k)}

    def handlers(self, cfg: EntityConfig) -> list[tuple[str, Handler]]:
        out = json_attributes(cfg)
        if cfg.get("state_topic"):
            out.append((cfg.get("state_topic"), self._handler(cfg)))
        return out

    def _handler(self, cfg: EntityConfig) -> Handler:
        value = read(cfg, "value_template")

        def on_state(payload: str) -> Change | None:
            text = value(payload)
            return None if text is None else Change(text)

        return on_state

    def reported(self, cfg: EntityConfig) -> frozenset[str]:
        return frozenset({"state"}) if cfg.get("state_topic") else frozenset()

    def commands(self, cfg: EntityConfig, service: str, data: Mapping[str, Any], entity: Entity) -> list[Publish]:
        raise unsupported(cfg, service.replace("_", " "), "command topic (sensors only report)")


class BinarySensorPlatform(SensorPlatform):
    def initial(self, cfg: EntityConfig) -> Mapping[str, Any]:
        return {"device_class": cfg.get("device_class")} if cfg.get("device_class") else {}

    def _handler(self, cfg: EntityConfig) -> Handler:
        value = read(cfg, "value_template")
        lookup = states_from_payloads({cfg.text("payload_on", "ON"): "on", cfg.text("payload_off", "OFF"): "off"})

        def on_state(payload: str) -> Change | None:
            state = lookup(value(payload))
            return None if state is None else Change(state)

        return on_state
