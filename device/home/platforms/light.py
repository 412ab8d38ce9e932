"""MQTT lights, Home Assistant's default schema and its JSON schema (`schema: json`).

Default schema (ESPHome-less DIY nodes, Tasmota): `command_topic` takes `payload_on`/`payload_off`
("ON"/"OFF"), `brightness_command_topic` a number 0..`brightness_scale` (255), `rgb_command_topic`
"r,g,b"; the state comes back on `state_topic`, `brightness_state_topic`, `rgb_state_topic`, each
with its optional value template. `on_command_type`: "last" (default: brightness, then ON),
"first" (ON first), "brightness" (brightness only).

JSON schema (Zigbee2MQTT, ESPHome): one `command_topic` takes `{"state": "ON", "brightness": n,
"color": {...}}` and the `state_topic` reports the same shape. Brightness is offered when the
config says `brightness: true` or lists a color mode beyond "onoff"; color is sent as `{"r","g","b"}`
for "rgb"-family modes, converted to `{"x","y"}` or `{"h","s"}` for lights that only take those
(most Zigbee bulbs). Brightness in attributes is Home Assistant's 0-255, whatever the scale.
"""

from __future__ import annotations

import colorsys
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
    states_from_payloads,
    unsupported,
)

__all__ = ["LightPlatform", "rgb_to_xy"]

_RGB_MODES = frozenset({"rgb", "rgbw", "rgbww"})


def rgb_to_xy(rgb: tuple[int, int, int]) -> tuple[float, float]:
    """sRGB -> CIE 1931 xy (gamma-expanded, D65 matrix), as Zigbee bulbs take color."""

    def linear(c: float) -> float:
        c /= 255
        return ((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92

    r, g, b = (linear(c) for c in rgb)
    x = r * 0.4124 + g * 0.3576 + b * 0.1805
    y = r * 0.2126 + g * 0.7152 + b * 0.0722
    z = r * 0.0193 + g * 0.1192 + b * 0.9505
    total = x + y + z
    return (0.3127, 0.329) if total == 0 else (round(x / total, 4), round(y / total, 4))


def _scale(cfg: EntityConfig) -> float:
    scale = cfg.get("brightness_scale", 255)
    return float(scale) if isinstance(scale, (int, float)) and scale > 0 else 255.0


def _to_device(cfg: EntityConfig, pct: int) -> int:
    return max(1, round(pct * _scale(cfg) / 100)) if pct > 0 else 0


def _from_device(cfg: EntityConfig, value: Any) -> int | None:
    try:
        return max(0, min(255, round(float(value) * 255 / _scale(cfg))))
    except (TypeError, ValueError):
        return None


class LightPlatform:
    def initial(self, cfg: EntityConfig) -> Mapping[str, Any]:
        modes = cfg.get("supported_color_modes")
        return {"supported_color_modes": list(modes)} if isinstance(modes, list) else {}

    def _json(self, cfg: EntityConfig) -> bool:
        return str(cfg.get("schema", "default")).lower() == "json"

    def _json_brightness(self, cfg: EntityConfig) -> bool:
        modes = cfg.get("supported_color_modes")
        return bool(cfg.get("brightness")) or (isinstance(modes, list) and any(m != "onoff" for m in modes))

    def _json_color(self, cfg: EntityConfig) -> str | None:
        """Which color form the light takes: "rgb", "xy", "hs", or None."""
        modes = cfg.get("supported_color_modes")
        modes = set(modes) if isinstance(modes, list) else set()
        if modes & _RGB_MODES or cfg.get("rgb"):
            return "rgb"
        if "xy" in modes or cfg.get("xy"):
            return "xy"
        if "hs" in modes or cfg.get("hs"):
            return "hs"
        return None

    def handlers(self, cfg: EntityConfig) -> list[tuple[str, Handler]]:
        out = json_attributes(cfg)
        if self._json(cfg):
            if cfg.get("state_topic"):
                out.append((cfg.get("state_topic"), lambda payload: self._json_state(cfg, payload)))
            return out
        on_off = states_from_payloads({cfg.text("payload_on", "ON"): "on", cfg.text("payload_off", "OFF"): "off"})
        if cfg.get("state_topic"):
            value = read(cfg, "state_value_template", "value_template")
            out.append((cfg.get("state_topic"), lambda payload: _change(on_off(value(payload)))))
        if cfg.get("brightness_state_topic"):
            bright = read(cfg, "brightness_value_template")
            out.append((cfg.get("brightness_state_topic"), lambda payload: self._brightness(cfg, bright(payload))))
        if cfg.get("rgb_state_topic"):
            rgb = read(cfg, "rgb_value_template")
            out.append((cfg.get("rgb_state_topic"), lambda payload: _rgb(rgb(payload))))
        return out

    def _brightness(self, cfg: EntityConfig, value: str | None) -> Change | None:
        level = _from_device(cfg, value)
        return None if level is None else Change(attributes={"brightness": level})

    def _json_state(self, cfg: EntityConfig, payload: str) -> Change | None:
        try:
            data = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        state = {"ON": "on", "OFF": "off"}.get(str(data.get("state", "")).upper())
        attrs: dict[str, Any] = {}
        if "brightness" in data:
            level = _from_device(cfg, data["brightness"])
            if level is not None:
                attrs["brightness"] = level
        color = data.get("color")
        if isinstance(color, dict) and all(k in color for k in "rgb"):
            attrs["rgb_color"] = (int(color["r"]), int(color["g"]), int(color["b"]))
        if isinstance(color, dict) and "x" in color and "y" in color:
            attrs["xy_color"] = (float(color["x"]), float(color["y"]))
        if data.get("color_mode"):
            attrs["color_mode"] = data["color_mode"]
        return Change(state, attrs) if state or attrs else None

    def reported(self, cfg: EntityConfig) -> frozenset[str]:
        if cfg.get("optimistic"):
            return frozenset()
        if self._json(cfg):
            if not cfg.get("state_topic"):
                return frozenset()
            parts = {"state", "brightness"} if self._json_brightness(cfg) else {"state"}
            return frozenset(parts | ({"rgb_color"} if self._json_color(cfg) == "rgb" else set()))
        parts = {"state"} if cfg.get("state_topic") else set()
        parts |= {"brightness"} if cfg.get("brightness_state_topic") else set()
        parts |= {"rgb_color"} if cfg.get("rgb_state_topic") else set()
        return frozenset(parts)

    def commands(self, cfg: EntityConfig, service: str, data: Mapping[str, Any], entity: Entity) -> list[Publish]:
        off = service == "turn_off" or data.get("brightness_pct") == 0
        if self._json(cfg):
            return [self._json_command(cfg, off, data)]
        if off:
            return [publish(cfg, "command_topic", rendered_command(cfg, "command_template", cfg.text(
                "payload_off", "OFF"), value=cfg.text("payload_off", "OFF")), what="turn off")]
        extra: list[Publish] = []
        if "brightness_pct" in data:
            level = _to_device(cfg, data["brightness_pct"])
            payload = rendered_command(cfg, "brightness_command_template", str(level), value=level)
            extra.append(publish(cfg, "brightness_command_topic", payload, what="dim"))
        if "rgb_color" in data:
            r, g, b = data["rgb_color"]
            payload = rendered_command(cfg, "rgb_command_template", f"{r},{g},{b}", red=r, green=g, blue=b)
            extra.append(publish(cfg, "rgb_command_topic", payload, what="change color"))
        on_type = str(cfg.get("on_command_type", "last"))
        if on_type == "brightness":
            if not extra:  # Home Assistant turns such a light on at full brightness
                full = round(_scale(cfg))
                extra.append(publish(cfg, "brightness_command_topic", str(full), what="turn on"))
            return extra
        on = publish(cfg, "command_topic", rendered_command(cfg, "command_template", cfg.text("payload_on", "ON"),
                                                            value=cfg.text("payload_on", "ON")), what="turn on")
        return [on, *extra] if on_type == "first" else [*extra, on]

    def _json_command(self, cfg: EntityConfig, off: bool, data: Mapping[str, Any]) -> Publish:
        body: dict[str, Any] = {"state": "OFF" if off else "ON"}
        if not off and "brightness_pct" in data:
            if not self._json_brightness(cfg):
                raise unsupported(cfg, "dim", "brightness support (brightness: true or a color mode)")
            body["brightness"] = _to_device(cfg, data["brightness_pct"])
        if not off and "rgb_color" in data:
            form = self._json_color(cfg)
            rgb = tuple(data["rgb_color"])
            if form == "rgb":
                body["color"] = {"r": rgb[0], "g": rgb[1], "b": rgb[2]}
            elif form == "xy":
                x, y = rgb_to_xy((rgb[0], rgb[1], rgb[2]))
                body["color"] = {"x": x, "y": y}
            elif form == "hs":
                h, s, _ = colorsys.rgb_to_hsv(*(c / 255 for c in rgb))
                body["color"] = {"h": round(h * 360, 1), "s": round(s * 100, 1)}
            else:
                raise unsupported(cfg, "change color", "color mode (rgb, xy or hs)")
        return publish(cfg, "command_topic", json.dumps(body), what="turn off" if off else "turn on")


def _change(state: str | None) -> Change | None:
    return None if state is None else Change(state)


def _rgb(value: str | None) -> Change | None:
    if value is None:
        return None
    try:
        parts = tuple(int(float(p)) for p in value.split(","))
    except ValueError:
        return None
    return Change(attributes={"rgb_color": parts}) if len(parts) == 3 else None
