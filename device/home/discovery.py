"""Home Assistant's MQTT discovery, read: config topics become entity configs.

    <prefix>/<component>/[<node_id>/]<object_id>/config    one entity (retained JSON)
    <prefix>/device/<node_id>/config                       a device with its `components` (`cmps`)

A config is expanded as Home Assistant expands it: short keys (`cmd_t`, `stat_t`, `dev`, `sa`,
`avty`, ...; `device.home.abbreviations`), then the base topic `~` at the start or end of every
`*topic` value. An empty (retained) payload removes what the topic announced. Components tandem
does not command or read (`button`, `number`, `scene`, ...) are skipped with a debug line; a
payload that is not a JSON object is skipped with a warning that names the topic.

Names follow Home Assistant: an entity whose `name` is missing or null takes its device's name
(Zigbee2MQTT's main entities); a named entity of a named device is "<device> <name>" (ESPHome's
"Living Room Sensor Temperature"), keeping its own name as an alias. The entity id is the
config's `default_entity_id`, else `<component>.<object_id>`, else `<component>.<slug of the name>`.

`media_player` has no MQTT platform in Home Assistant core; tandem reads the convention of the
widely used `mqtt_media_player` custom integration (bkbilly): `state_state_topic`,
`state_volume_topic` (0-1), `state_title_topic`, `command_play_topic`/`command_play_payload`,
`command_pause_topic`, `command_playpause_topic`, `command_next_topic`, `command_previous_topic`,
`command_volume_topic`, `command_playmedia_topic`; plus two keys of its own in the same style:
`command_mute_topic` / `state_mute_topic` ("true"/"false") and `command_power_topic` ("ON"/"OFF").
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from device.home.abbreviations import ABBREVIATIONS, DEVICE_ABBREVIATIONS, ORIGIN_ABBREVIATIONS
from device.home.inventory import slugify
from device.home.templates import UnsupportedTemplate, ValueTemplate

__all__ = ["COMPONENTS", "Availability", "Discovery", "EntityConfig", "discovery_filters", "expand",
           "parse_discovery"]

log = logging.getLogger(__name__)

COMPONENTS = frozenset({"light", "switch", "fan", "climate", "cover", "lock", "sensor", "binary_sensor",
                        "media_player", "vacuum", "lawn_mower", "valve"})


@dataclass(frozen=True)
class Availability:
    topic: str
    payload_available: str = "online"
    payload_not_available: str = "offline"
    template: ValueTemplate | None = None


@dataclass(frozen=True)
class EntityConfig:
    """One discovered entity's config, expanded."""

    key: str
    """Which announcement it came from: "<component>/[<node_id>/]<object_id>" (or "device/<node>/<component key>")."""
    component: str
    config: Mapping[str, Any] = field(hash=False)
    entity_id: str
    name: str
    aliases: tuple[str, ...] = ()
    unique_id: str | None = None
    suggested_area: str | None = None
    device_name: str | None = None
    availability: tuple[Availability, ...] = ()
    availability_mode: str = "latest"

    def get(self, key: str, default: Any = None) -> Any:
        return self.config.get(key, default)

    def text(self, key: str, default: str) -> str:
        """A payload/state key as Home Assistant compares it: a string (a JSON `false` reads "False")."""
        value = self.config.get(key)
        return default if value is None else str(value)

    def template(self, key: str) -> ValueTemplate | None:
        """The config's value template under `key`, or None (missing, or beyond the supported forms)."""
        text = self.config.get(key)
        if not text:
            return None
        try:
            return ValueTemplate.parse(str(text))
        except UnsupportedTemplate as exc:
            log.warning("entity %s: %s; that value is not followed", self.entity_id, exc)
            return None


@dataclass(frozen=True)
class Discovery:
    """What one config message says: entities announced, and keys whose announcement is withdrawn."""

    entities: tuple[EntityConfig, ...] = ()
    removed: tuple[str, ...] = ()
    """Keys to forget (an empty payload; a device component announced with only its platform)."""
    removed_prefix: str | None = None
    """A device-discovery topic emptied: forget every key under it."""


def discovery_filters(prefix: str) -> list[str]:
    return [f"{prefix}/+/+/config", f"{prefix}/+/+/+/config"]


def expand(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Short keys expanded, then the `~` base topic applied (a copy)."""
    out = {ABBREVIATIONS.get(k, k): v for k, v in payload.items()}
    for key, table in (("device", DEVICE_ABBREVIATIONS), ("origin", ORIGIN_ABBREVIATIONS)):
        if isinstance(out.get(key), Mapping):
            out[key] = {table.get(k, k): v for k, v in out[key].items()}
    if isinstance(out.get("availability"), list):
        out["availability"] = [{ABBREVIATIONS.get(k, k): v for k, v in a.items()} if isinstance(a, Mapping) else a
                               for a in out["availability"]]
    base = out.pop("~", None)
    if isinstance(base, str):
        out = {k: _with_base(k, v, base) for k, v in out.items()}
        if isinstance(out.get("availability"), list):
            out["availability"] = [{k: _with_base(k, v, base) for k, v in a.items()} if isinstance(a, Mapping) else a
                                   for a in out["availability"]]
    return out


def _with_base(key: str, value: Any, base: str) -> Any:
    if not isinstance(value, str) or not value or not key.endswith("topic"):
        return value
    if value.startswith("~"):
        value = base + value[1:]
    if value.endswith("~"):
        value = value[:-1] + base
    return value


def parse_discovery(prefix: str, topic: str, payload: bytes) -> Discovery | None:
    """The meaning of one message on a discovery topic; None when it is not a config tandem reads."""
    parts = topic.split("/")
    head = prefix.split("/")
    if parts[: len(head)] != head or parts[-1] != "config":
        return None
    rest = parts[len(head):-1]
    if len(rest) not in (2, 3):
        return None
    component, object_id = rest[0], rest[-1]
    key = "/".join(rest)
    if not payload.strip():
        return Discovery(removed_prefix=key) if component == "device" else Discovery(removed=(key,))
    if component != "device" and component not in COMPONENTS:
        log.debug("discovery %s: component %s is not one tandem reads", topic, component)
        return None
    try:
        raw = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        log.warning("discovery %s: the payload is not JSON; ignored (the device's config is broken)", topic)
        return None
    if not isinstance(raw, dict):
        log.warning("discovery %s: the payload is not a JSON object; ignored", topic)
        return None
    if component == "device":
        return _device_discovery(topic, key, raw)
    return Discovery(entities=(_entity(key, component, object_id, expand(raw)),))


def _device_discovery(topic: str, key: str, raw: Mapping[str, Any]) -> Discovery:
    """Device-based discovery: the device's shared keys (device, origin, availability, `~`, a shared
    state topic) apply to each of its components, which may override them."""
    components = raw.get("cmps", raw.get("components"))
    if not isinstance(components, Mapping):
        log.warning("discovery %s: a device config without `components`; ignored", topic)
        return Discovery()
    shared = {k: v for k, v in raw.items() if k not in ("cmps", "components")}
    entities, removed = [], []
    for cmp_key, cmp_raw in components.items():
        if not isinstance(cmp_raw, Mapping):
            continue
        cmp_id = f"{key}/{cmp_key}"
        config = expand({**shared, **cmp_raw})
        platform = config.get("platform")
        if len(cmp_raw) <= 1:  # only its platform left: the component is withdrawn
            removed.append(cmp_id)
        elif platform not in COMPONENTS:
            log.debug("discovery %s: component %s (%s) is not one tandem reads", topic, cmp_key, platform)
        else:
            entities.append(_entity(cmp_id, str(platform), str(cmp_key), config))
    return Discovery(entities=tuple(entities), removed=tuple(removed))


def _entity(key: str, component: str, object_id: str, config: Mapping[str, Any]) -> EntityConfig:
    device: Mapping[str, Any] = config["device"] if isinstance(config.get("device"), Mapping) else {}
    device_name = device.get("name") if isinstance(device.get("name"), str) and device.get("name") else None
    own = config.get("name") if isinstance(config.get("name"), str) and config.get("name") else None
    aliases: tuple[str, ...] = ()
    if own is None:
        name = device_name or object_id.replace("_", " ").title()
    elif device_name and not own.casefold().startswith(device_name.casefold()):
        name, aliases = f"{device_name} {own}", (own,)
    else:
        name = own
    default_id = config.get("default_entity_id")
    if isinstance(default_id, str) and default_id.startswith(f"{component}.") and len(default_id) > len(component) + 1:
        entity_id = default_id
    elif isinstance(config.get("object_id"), str) and config["object_id"]:
        entity_id = f"{component}.{slugify(config['object_id'])}"
    else:
        entity_id = f"{component}.{slugify(name)}"
    area = device.get("suggested_area") if isinstance(device.get("suggested_area"), str) else None
    unique = config.get("unique_id")
    return EntityConfig(key=key, component=component, config=dict(config), entity_id=entity_id, name=name,
                        aliases=aliases, unique_id=str(unique) if unique is not None else None,
                        suggested_area=area or None, device_name=device_name, availability=_availability(config),
                        availability_mode=str(config.get("availability_mode", "latest")))


def _availability(config: Mapping[str, Any]) -> tuple[Availability, ...]:
    items: list[Availability] = []
    default_on = str(config.get("payload_available", "online"))
    default_off = str(config.get("payload_not_available", "offline"))
    topic = config.get("availability_topic")
    if isinstance(topic, str) and topic:
        items.append(Availability(topic, default_on, default_off, _maybe_template(config.get("availability_template"))))
    listed = config.get("availability")
    if isinstance(listed, Mapping):  # a single object instead of a list (seen in the wild)
        listed = [listed]
    if isinstance(listed, list):
        for entry in listed:
            if isinstance(entry, Mapping) and isinstance(entry.get("topic"), str):
                items.append(Availability(entry["topic"], str(entry.get("payload_available", default_on)),
                                          str(entry.get("payload_not_available", default_off)),
                                          _maybe_template(entry.get("value_template"))))
    return tuple(items)


def _maybe_template(text: Any) -> ValueTemplate | None:
    if not text:
        return None
    try:
        return ValueTemplate.parse(str(text))
    except UnsupportedTemplate as exc:
        log.warning("availability %s; the raw payload is compared instead", exc)
        return None
