"""MQTT climate (thermostats, heat pumps): the state is the HVAC mode.

`mode_state_topic` -> state ("heat", "off", ...), `temperature_state_topic` -> `temperature` (the
target), `current_temperature_topic` -> `current_temperature`, each with its optional template
(`mode_state_template`, `temperature_state_template`, `current_temperature_template`: Zigbee2MQTT's
`{{ value_json.current_heating_setpoint }}`). Commands: `temperature_command_topic` takes the
target as a number ("21.5"), `mode_command_topic` a mode from `modes`; turning off sends
`power_command_topic`'s `payload_off` when the device has one, else the mode "off".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from device.errors import InvalidServiceData
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
    unsupported,
)

__all__ = ["ClimatePlatform"]

_DEFAULT_MODES = ["auto", "off", "cool", "heat", "dry", "fan_only"]


class ClimatePlatform:
    def initial(self, cfg: EntityConfig) -> Mapping[str, Any]:
        modes = cfg.get("modes")
        attrs: dict[str, Any] = {"hvac_modes": list(modes) if isinstance(modes, list) else _DEFAULT_MODES}
        for key in ("min_temp", "max_temp", "temperature_unit"):
            if cfg.get(key) is not None:
                attrs[key] = cfg.get(key)
        if "temperature_unit" in attrs:
            attrs["unit_of_measurement"] = attrs["temperature_unit"]
        return attrs

    def handlers(self, cfg: EntityConfig) -> list[tuple[str, Handler]]:
        out = json_attributes(cfg)
        if cfg.get("mode_state_topic"):
            mode = read(cfg, "mode_state_template")
            modes = self.initial(cfg)["hvac_modes"]

            def on_mode(payload: str) -> Change | None:
                value = mode(payload)
                return Change(value.lower()) if value is not None and value.lower() in modes else None

            out.append((cfg.get("mode_state_topic"), on_mode))
        for topic_key, template_key, attribute in (
                ("temperature_state_topic", "temperature_state_template", "temperature"),
                ("current_temperature_topic", "current_temperature_template", "current_temperature")):
            if cfg.get(topic_key):
                out.append((cfg.get(topic_key), _number(read(cfg, template_key), attribute)))
        return out

    def reported(self, cfg: EntityConfig) -> frozenset[str]:
        if cfg.get("optimistic"):
            return frozenset()
        parts = {"state"} if cfg.get("mode_state_topic") else set()
        return frozenset(parts | ({"temperature"} if cfg.get("temperature_state_topic") else set()))

    def commands(self, cfg: EntityConfig, service: str, data: Mapping[str, Any], entity: Entity) -> list[Publish]:
        out: list[Publish] = []
        if service == "set_temperature":
            value = float(data["temperature"])
            low, high = cfg.get("min_temp"), cfg.get("max_temp")
            if isinstance(low, (int, float)) and isinstance(high, (int, float)) and not low <= value <= high:
                raise InvalidServiceData(f"{cfg.name} takes {low:g} to {high:g} degrees, not {value:g}")
            payload = rendered_command(cfg, "temperature_command_template", str(value), value=value)
            out.append(publish(cfg, "temperature_command_topic", payload, what="set a temperature"))
            if "hvac_mode" in data:
                out.append(self._mode(cfg, data["hvac_mode"]))
            return out
        if service == "set_hvac_mode":
            return [self._mode(cfg, data["hvac_mode"])]
        if service in ("turn_on", "turn_off"):
            if cfg.get("power_command_topic"):
                payload = cfg.text("payload_on" if service == "turn_on" else "payload_off",
                                   "ON" if service == "turn_on" else "OFF")
                return [publish(cfg, "power_command_topic", payload, what=service.replace("_", " "))]
            if service == "turn_off":
                return [self._mode(cfg, "off")]
            modes = [m for m in self.initial(cfg)["hvac_modes"] if m != "off"]
            mode = entity.state if entity.state in modes else ("heat" if "heat" in modes else modes[0] if modes else "")
            if not mode:
                raise unsupported(cfg, "turn on", "mode other than off")
            return [self._mode(cfg, mode)]
        raise unsupported(cfg, service.replace("_", " "), "topic for it")

    def _mode(self, cfg: EntityConfig, mode: str) -> Publish:
        modes = self.initial(cfg)["hvac_modes"]
        if mode not in modes:
            raise InvalidServiceData(f"{cfg.name} has the modes {', '.join(modes)}, not {mode!r}")
        payload = rendered_command(cfg, "mode_command_template", mode, value=mode)
        return publish(cfg, "mode_command_topic", payload, what=f"switch to {mode}")


def _number(value: Callable[[str], str | None], attribute: str) -> Handler:
    def handle(payload: str) -> Change | None:
        text = value(payload)
        try:
            return None if text is None else Change(attributes={attribute: float(text)})
        except ValueError:
            return None

    return handle
