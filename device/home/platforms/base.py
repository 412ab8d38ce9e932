"""What every MQTT platform provides, and the helpers they share.

A platform turns one discovered config (`device.home.discovery.EntityConfig`) into:

    initial(cfg)              attributes known from the config alone (device_class, unit, modes)
    handlers(cfg)             (state topic, handler) pairs: handler(payload text) -> Change | None
    commands(cfg, service, data, entity) -> [Publish]   the messages that perform a service
    reported(cfg)             the parts a device reports back ("state", attribute names): what a
                              call waits for; the rest is assumed (optimistic, as Home Assistant)

A handler returns None for a message that says nothing (a template that finds no value, a payload
that is none of the configured ones): the state stays as it was. `commands` raises
UnsupportedService when this device's config lacks what the service needs (a light without a
brightness topic cannot dim), naming what is missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from device.errors import UnsupportedService
from device.home.discovery import EntityConfig
from device.home.model import Entity
from device.home.templates import UnsupportedTemplate, render_command

__all__ = ["Change", "Handler", "Platform", "Publish", "json_attributes", "publish", "read", "rendered_command",
           "states_from_payloads", "topics_present", "unsupported"]


@dataclass(frozen=True)
class Publish:
    topic: str
    payload: str
    qos: int = 0
    retain: bool = False


@dataclass(frozen=True)
class Change:
    state: str | None = None
    """The new state, or None: unchanged."""
    attributes: Mapping[str, Any] = field(default_factory=dict)


Handler = Callable[[str], "Change | None"]


class Platform(Protocol):
    def initial(self, cfg: EntityConfig) -> Mapping[str, Any]: ...

    def handlers(self, cfg: EntityConfig) -> list[tuple[str, Handler]]: ...

    def commands(self, cfg: EntityConfig, service: str, data: Mapping[str, Any], entity: Entity) -> list[Publish]: ...

    def reported(self, cfg: EntityConfig) -> frozenset[str]: ...


def publish(cfg: EntityConfig, topic_key: str, payload: str, *, what: str) -> Publish:
    """A message to the config's `topic_key`, with its qos/retain; UnsupportedService without the topic."""
    topic = cfg.get(topic_key)
    if not isinstance(topic, str) or not topic:
        raise unsupported(cfg, what, topic_key)
    qos = cfg.get("qos", 0)
    return Publish(topic, payload, qos=qos if qos in (0, 1, 2) else 0, retain=bool(cfg.get("retain", False)))


def unsupported(cfg: EntityConfig, what: str, missing: str) -> UnsupportedService:
    return UnsupportedService(f"{cfg.name} ({cfg.entity_id}) cannot {what}: its MQTT config has no {missing}")


def rendered_command(cfg: EntityConfig, template_key: str, default: str, **variables: Any) -> str:
    """The command payload: the config's command template rendered, else `default`."""
    template = cfg.get(template_key)
    if not template:
        return default
    try:
        return render_command(str(template), **variables)
    except UnsupportedTemplate as exc:
        raise UnsupportedService(f"{cfg.name} ({cfg.entity_id}): {exc}; tandem cannot send that command") from exc


def read(cfg: EntityConfig, *template_keys: str) -> Callable[[str], str | None]:
    """payload -> the value the config's first present template picks (raw payload without one). A
    template beyond the supported forms follows nothing (logged once, when the config arrives)."""
    for key in template_keys:
        if cfg.get(key):
            template = cfg.template(key)
            return template.render if template is not None else (lambda payload: None)
    return lambda payload: payload.strip() or None


def states_from_payloads(mapping: Mapping[str, str]) -> Callable[[str | None], str | None]:
    """value -> the Home Assistant state it stands for (None when it is none of the configured payloads).
    Payloads are compared as given, then case-insensitively."""
    folded = {k.casefold(): v for k, v in mapping.items()}

    def lookup(value: str | None) -> str | None:
        if value is None:
            return None
        return mapping.get(value, folded.get(value.casefold()))

    return lookup


# attributes the platforms own: a device's JSON attributes never overwrite them (Home Assistant
# blocks these names in json_attributes_topic too)
_OWNED = frozenset({"state", "brightness", "color", "color_mode", "color_temp", "rgb_color", "xy_color", "hs_color",
                    "position", "current_position", "temperature", "current_temperature", "percentage",
                    "volume_level", "is_volume_muted", "device_class", "unit_of_measurement", "friendly_name",
                    "supported_color_modes", "hvac_modes", "assumed_state", "entity_id"})


def json_attributes(cfg: EntityConfig) -> list[tuple[str, Handler]]:
    """`json_attributes_topic`: a JSON object whose keys become attributes (Zigbee2MQTT's linkquality, ...);
    the names the platforms own (brightness, state, ...) are left out."""
    topic = cfg.get("json_attributes_topic")
    if not isinstance(topic, str) or not topic:
        return []

    def handle(payload: str) -> Change | None:
        try:
            data = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        return Change(attributes={k: v for k, v in data.items() if k not in _OWNED})

    return [(topic, handle)]


def topics_present(cfg: EntityConfig, keys: Sequence[str]) -> bool:
    return any(isinstance(cfg.get(k), str) and cfg.get(k) for k in keys)
