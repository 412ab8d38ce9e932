"""MQTT locks: `command_topic` takes `payload_lock`/`payload_unlock` ("LOCK"/"UNLOCK") and, only
when the config names one, `payload_open` (unlatch); `state_topic` reports `state_locked`/
`state_unlocked`/`state_locking`/`state_unlocking`/`state_jammed`/`state_open`/`state_opening`
("LOCKED", "UNLOCKED", ...; Zigbee2MQTT sends "LOCK"/"UNLOCK" and says so in its config).
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

__all__ = ["LockPlatform"]

_STATES = (("state_locked", "LOCKED", "locked"), ("state_unlocked", "UNLOCKED", "unlocked"),
           ("state_locking", "LOCKING", "locking"), ("state_unlocking", "UNLOCKING", "unlocking"),
           ("state_jammed", "JAMMED", "jammed"), ("state_open", "OPEN", "open"), ("state_opening", "OPENING", "opening"))


class LockPlatform:
    def initial(self, cfg: EntityConfig) -> Mapping[str, Any]:
        return {}

    def handlers(self, cfg: EntityConfig) -> list[tuple[str, Handler]]:
        out = json_attributes(cfg)
        if cfg.get("state_topic"):
            lookup = states_from_payloads({cfg.text(key, default): state for key, default, state in _STATES})
            value = read(cfg, "value_template")

            def on_state(payload: str) -> Change | None:
                state = lookup(value(payload))
                return None if state is None else Change(state)

            out.append((cfg.get("state_topic"), on_state))
        return out

    def reported(self, cfg: EntityConfig) -> frozenset[str]:
        return frozenset() if cfg.get("optimistic") or not cfg.get("state_topic") else frozenset({"state"})

    def commands(self, cfg: EntityConfig, service: str, data: Mapping[str, Any], entity: Entity) -> list[Publish]:
        key, default = {"lock": ("payload_lock", "LOCK"), "unlock": ("payload_unlock", "UNLOCK"),
                        "open": ("payload_open", None)}[service]
        if default is None and cfg.get(key) is None:
            raise unsupported(cfg, "open (unlatch)", key)
        payload = cfg.text(key, default or "")
        return [publish(cfg, "command_topic", rendered_command(cfg, "command_template", payload, value=payload),
                        what=service)]
