"""Home Assistant's service names per domain, their data, and the state each leaves behind.

One catalogue for every `Home`: `check_call` refuses a service the domain does not have
(`UnsupportedService`) or data out of range (`InvalidServiceData`) before anything is sent, and
normalises the data (`color_name` -> `rgb_color`, numbers as numbers); `expect` says what Home
Assistant would show after the service succeeded. `InventoryHome` applies that expectation as the
new state; `MqttHome` waits for the device to report a state that meets it (a cover that reports
"opening" has acknowledged `open_cover`), and assumes it where no state topic exists (optimistic, as
Home Assistant does).

    domain          services (data)
    light           turn_on (brightness_pct 0-100, brightness 0-255, color_name, rgb_color), turn_off, toggle
    switch, input_boolean   turn_on, turn_off, toggle
    fan             turn_on (percentage), turn_off, toggle, set_percentage (percentage 0-100)
    climate         set_temperature (temperature, hvac_mode), set_hvac_mode (hvac_mode), turn_on, turn_off
    cover           open_cover, close_cover, stop_cover, toggle, set_cover_position (position 0-100)
    lock            lock, unlock, open
    media_player    turn_on, turn_off, toggle, media_play, media_pause, media_play_pause, media_stop,
                    media_next_track, media_previous_track, volume_set (volume_level 0-1),
                    volume_mute (is_volume_muted), play_media (media_content_id, media_content_type)
    vacuum          start, pause, stop, return_to_base
    lawn_mower      start_mowing, pause, dock
    valve           open_valve, close_valve, stop_valve
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from device.errors import InvalidServiceData, UnsupportedService
from device.home.model import Entity

__all__ = ["COLORS", "HVAC_MODES", "SERVICES", "Expectation", "check_call", "concrete_service", "expect"]

_ON_OFF = frozenset({"turn_on", "turn_off", "toggle"})

SERVICES: dict[str, frozenset[str]] = {
    "light": _ON_OFF,
    "switch": _ON_OFF,
    "input_boolean": _ON_OFF,
    "fan": _ON_OFF | {"set_percentage"},
    "climate": frozenset({"set_temperature", "set_hvac_mode", "turn_on", "turn_off"}),
    "cover": frozenset({"open_cover", "close_cover", "stop_cover", "toggle", "set_cover_position"}),
    "lock": frozenset({"lock", "unlock", "open"}),
    "media_player": _ON_OFF | {"media_play", "media_pause", "media_play_pause", "media_stop", "media_next_track",
                               "media_previous_track", "volume_set", "volume_mute", "play_media"},
    "vacuum": frozenset({"start", "pause", "stop", "return_to_base"}),
    "lawn_mower": frozenset({"start_mowing", "pause", "dock"}),
    "valve": frozenset({"open_valve", "close_valve", "stop_valve"}),
}

# The colors of Home Assistant's HassLightSet `color` list, plus common CSS names (RGB).
COLORS: dict[str, tuple[int, int, int]] = {
    "white": (255, 255, 255), "black": (0, 0, 0), "red": (255, 0, 0), "orange": (255, 165, 0),
    "yellow": (255, 255, 0), "green": (0, 128, 0), "blue": (0, 0, 255), "purple": (128, 0, 128),
    "brown": (165, 42, 42), "pink": (255, 192, 203), "turquoise": (64, 224, 208), "cyan": (0, 255, 255),
    "magenta": (255, 0, 255), "lime": (0, 255, 0), "violet": (238, 130, 238), "gold": (255, 215, 0),
    "indigo": (75, 0, 130), "teal": (0, 128, 128), "navy": (0, 0, 128), "warm white": (255, 214, 170),
}

# data keys each service takes (anything else is refused, so a typo does not silently do nothing)
_DATA: dict[str, frozenset[str]] = {
    "turn_on": frozenset({"brightness_pct", "brightness", "color_name", "rgb_color", "percentage"}),
    "set_percentage": frozenset({"percentage"}),
    "set_temperature": frozenset({"temperature", "hvac_mode"}),
    "set_hvac_mode": frozenset({"hvac_mode"}),
    "set_cover_position": frozenset({"position"}),
    "volume_set": frozenset({"volume_level"}),
    "volume_mute": frozenset({"is_volume_muted"}),
    "play_media": frozenset({"media_content_id", "media_content_type"}),
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "set_percentage": ("percentage",), "set_temperature": ("temperature",), "set_hvac_mode": ("hvac_mode",),
    "set_cover_position": ("position",), "volume_set": ("volume_level",), "volume_mute": ("is_volume_muted",),
    "play_media": ("media_content_id",),
}
HVAC_MODES = ("off", "heat", "cool", "heat_cool", "auto", "dry", "fan_only")


def check_call(entity: Entity, domain: str, service: str, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The call's data, checked and normalised; raises UnsupportedService / InvalidServiceData."""
    if domain != entity.domain:
        raise UnsupportedService(f"{entity.name} ({entity.id}) is a {entity.domain}, not a {domain}: call "
                                 f"{entity.domain}.<service> for it")
    services = SERVICES.get(domain)
    if services is None:
        raise UnsupportedService(f"{entity.name} ({entity.id}) is a {domain}, which tandem cannot command "
                                 f"(it can read its state); commandable domains: {', '.join(sorted(SERVICES))}")
    if service not in services:
        raise UnsupportedService(f"a {domain} has no service {service!r}; it has {', '.join(sorted(services))}")
    given = dict(data or {})
    allowed = _DATA.get(service, frozenset())
    if domain != "light":
        allowed = allowed - {"brightness_pct", "brightness", "color_name", "rgb_color"}
    if domain != "fan":
        allowed = allowed - {"percentage"}
    extra = sorted(set(given) - allowed)
    if extra:
        raise InvalidServiceData(f"{domain}.{service} takes no {', '.join(extra)}"
                                 + (f" (it takes {', '.join(sorted(allowed))})" if allowed else " data"))
    missing = [k for k in _REQUIRED.get(service, ()) if given.get(k) is None]
    if missing:
        raise InvalidServiceData(f"{domain}.{service} needs {', '.join(missing)}")
    out: dict[str, Any] = {}
    for key, value in given.items():
        if value is None:
            continue
        out[key] = _check_value(key, value)
    if "color_name" in out:
        out["rgb_color"] = COLORS[out.pop("color_name")]
    if "brightness" in out:
        if "brightness_pct" in out:
            raise InvalidServiceData("give brightness_pct or brightness, not both")
        out["brightness_pct"] = round(out.pop("brightness") * 100 / 255)
    return out


def _number(key: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidServiceData(f"{key} must be a number from {low:g} to {high:g}, not {value!r}")
    try:
        number = float(value)
    except ValueError as exc:
        raise InvalidServiceData(f"{key} must be a number from {low:g} to {high:g}, not {value!r}") from exc
    if not math.isfinite(number) or not low <= number <= high:
        raise InvalidServiceData(f"{key} must be from {low:g} to {high:g}, not {value!r}")
    return number


def _check_value(key: str, value: Any) -> Any:
    if key in ("brightness_pct", "percentage", "position"):
        return round(_number(key, value, 0, 100))
    if key == "brightness":
        return round(_number(key, value, 0, 255))
    if key == "volume_level":
        return round(_number(key, value, 0, 1), 3)
    if key == "temperature":
        return _number(key, value, -50, 100)
    if key == "is_volume_muted":
        if not isinstance(value, bool):
            raise InvalidServiceData(f"is_volume_muted must be true or false, not {value!r}")
        return value
    if key == "color_name":
        name = str(value).strip().lower()
        if name not in COLORS:
            raise InvalidServiceData(f"no color called {value!r}; known colors: {', '.join(COLORS)}")
        return name
    if key == "rgb_color":
        if not isinstance(value, (list, tuple)) or len(value) != 3:
            raise InvalidServiceData(f"rgb_color must be three numbers 0-255, not {value!r}")
        return tuple(round(_number("rgb_color", v, 0, 255)) for v in value)
    if key == "hvac_mode":
        mode = str(value).strip().lower()
        if mode not in HVAC_MODES:
            raise InvalidServiceData(f"hvac_mode {value!r} is not one of {', '.join(HVAC_MODES)}")
        return mode
    if key in ("media_content_id", "media_content_type"):
        if not isinstance(value, str) or not value.strip():
            raise InvalidServiceData(f"{key} must be a non-empty text")
        return value
    raise InvalidServiceData(f"unknown data {key!r}")  # _DATA lists every key above


@dataclass(frozen=True)
class Expectation:
    """What a service should leave: the entity as expected, and how to recognise a device's report."""

    entity: Entity
    """The entity as Home Assistant would show it after the service succeeded."""
    states: frozenset[str]
    """Reported states that acknowledge the service (the expected one, and transitions such as "opening")."""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    """Attributes the service sets, with their expected values."""

    @property
    def parts(self) -> frozenset[str]:
        """What the service changes: "state" and the attributes it sets."""
        return frozenset({"state", *self.attributes})

    def met_by(self, entity: Entity, *, only: frozenset[str] | None = None) -> bool:
        """Does `entity` (as reported) show the service done? `only`: the parts ("state", attribute
        names) that the device reports; the others are not checked."""
        if (only is None or "state" in only) and entity.state not in self.states:
            return False
        for key, want in self.attributes.items():
            if only is not None and key not in only:
                continue
            if not _close(entity.attributes.get(key), want):
                return False
        return True


def _close(got: Any, want: Any) -> bool:
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        try:
            tolerance = 1.0 if isinstance(want, int) else 0.011  # brightness scales round by one step
            return abs(float(got) - float(want)) <= tolerance
        except (TypeError, ValueError):
            return False
    if isinstance(want, tuple):
        return isinstance(got, (list, tuple)) and len(got) == len(want) and all(
            _close(g, w) for g, w in zip(got, want, strict=True))
    return bool(got == want)


_ACKS: dict[tuple[str, str], frozenset[str]] = {
    ("cover", "opening"): frozenset({"opening"}), ("cover", "closing"): frozenset({"closing"}),
    ("lock", "locked"): frozenset({"locking"}), ("lock", "unlocked"): frozenset({"unlocking"}),
    ("lock", "open"): frozenset({"opening"}), ("valve", "open"): frozenset({"opening"}),
    ("valve", "closed"): frozenset({"closing"}), ("lawn_mower", "docked"): frozenset({"returning"}),
    ("vacuum", "returning"): frozenset({"docked"}), ("cover", "open"): frozenset({"opening"}),
    ("cover", "closed"): frozenset({"closing"}),
}


def concrete_service(entity: Entity, service: str) -> str:
    """`toggle` as the service it means now (turn_on/turn_off, open_cover/close_cover); others unchanged."""
    if service != "toggle":
        return service
    if entity.domain == "cover":
        return "close_cover" if entity.state in ("open", "opening") else "open_cover"
    return "turn_off" if entity.state not in ("off", "unknown", "unavailable", "standby") else "turn_on"


def expect(entity: Entity, service: str, data: Mapping[str, Any]) -> Expectation | None:
    """What `service` (with data from `check_call`) leaves; None when it leaves nothing to check
    (next track, stop a cover)."""
    domain, state, attrs = entity.domain, entity.state, dict[str, Any]()
    service = concrete_service(entity, service)
    new: str | None
    if service == "turn_off":
        new = "off"
    elif service == "turn_on":
        new = "on"
        if domain == "climate":
            modes = [m for m in entity.attributes.get("hvac_modes", ()) if m != "off"]
            new = state if state not in ("off", "unknown", "unavailable") else (modes[0] if modes else "heat")
        if "brightness_pct" in data:
            if data["brightness_pct"] == 0:
                new = "off"
            else:
                attrs["brightness"] = round(data["brightness_pct"] * 255 / 100)
        if "rgb_color" in data:
            attrs["rgb_color"] = tuple(data["rgb_color"])
        if "percentage" in data:
            attrs["percentage"] = data["percentage"]
            new = "on" if data["percentage"] > 0 else "off"
    elif service == "set_percentage":
        attrs["percentage"] = data["percentage"]
        new = "on" if data["percentage"] > 0 else "off"
    elif service == "set_temperature":
        attrs["temperature"] = data["temperature"]
        new = data.get("hvac_mode", state)
    elif service == "set_hvac_mode":
        new = data["hvac_mode"]
    elif service in ("open_cover", "open_valve"):
        new, attrs["current_position"] = "open", 100
    elif service in ("close_cover", "close_valve"):
        new, attrs["current_position"] = "closed", 0
    elif service == "set_cover_position":
        attrs["current_position"] = data["position"]
        new = "open" if data["position"] > 0 else "closed"
    elif service in ("lock", "unlock", "open") and domain == "lock":
        new = {"lock": "locked", "unlock": "unlocked", "open": "open"}[service]
    elif service in ("media_play", "play_media"):
        new = "playing"
        if "media_content_id" in data:
            attrs["media_content_id"] = data["media_content_id"]
    elif service == "media_pause":
        new = "paused"
    elif service == "media_play_pause":
        new = "paused" if state == "playing" else "playing"
    elif service == "media_stop":
        new = "idle"
    elif service == "volume_set":
        new, attrs["volume_level"] = state, data["volume_level"]
    elif service == "volume_mute":
        new, attrs["is_volume_muted"] = state, data["is_volume_muted"]
    elif service == "start":
        new = "cleaning"
    elif service == "return_to_base":
        new = "returning"
    elif service == "start_mowing":
        new = "mowing"
    elif service == "dock":
        new = "docked"
    elif service == "pause":
        new = "paused"
    elif service == "stop" and domain == "vacuum":
        new = "idle"
    else:  # stop_cover, stop_valve, next/previous track: nothing to check
        return None
    if "current_position" in attrs and domain == "valve":
        attrs.pop("current_position")
    expected = entity.with_state(new, attrs)
    return Expectation(expected, frozenset({new}) | _ACKS.get((domain, new), frozenset()), attrs)
