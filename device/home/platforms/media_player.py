"""Media players over MQTT, in the convention of the `mqtt_media_player` custom integration.

Home Assistant core has no MQTT media player; the widely used custom integration (bkbilly's
`mqtt_media_player`, HACS) announces players on `homeassistant/media_player/<id>/config` with
separate topics per command and per state, and tandem reads the same config:

    state_state_topic      playing | paused | idle | off | stopped   -> the state
    state_volume_topic     0-1                                        -> volume_level
    state_title_topic, state_artist_topic, state_album_topic          -> media_title, media_artist, ...
    command_play_topic / command_play_payload ("Play"), command_pause_topic ("Pause"),
    command_playpause_topic ("PlayPause"), command_next_topic ("Next"), command_previous_topic ("Previous")
    command_volume_topic   the level, 0-1
    command_playmedia_topic  {"media_type": ..., "media_id": ...}

tandem adds, in the same style: `command_mute_topic` / `state_mute_topic` ("true"/"false"),
`command_power_topic` ("ON"/"OFF", or `command_power_payload_on`/`_off`), `command_stop_topic` ("Stop").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from device.home.discovery import EntityConfig
from device.home.model import Entity
from device.home.platforms.base import Change, Handler, Publish, json_attributes, publish, unsupported

__all__ = ["MediaPlayerPlatform"]

_STATES = {"playing": "playing", "paused": "paused", "idle": "idle", "off": "off", "on": "on", "stopped": "idle",
           "standby": "standby", "buffering": "buffering"}
_TEXT = {"state_title_topic": "media_title", "state_artist_topic": "media_artist",
         "state_album_topic": "media_album_name", "state_mediatype_topic": "media_content_type"}
_BUTTONS = {"media_play": ("command_play_topic", "command_play_payload", "Play"),
            "media_pause": ("command_pause_topic", "command_pause_payload", "Pause"),
            "media_play_pause": ("command_playpause_topic", "command_playpause_payload", "PlayPause"),
            "media_next_track": ("command_next_topic", "command_next_payload", "Next"),
            "media_previous_track": ("command_previous_topic", "command_previous_payload", "Previous"),
            "media_stop": ("command_stop_topic", "command_stop_payload", "Stop")}


class MediaPlayerPlatform:
    def initial(self, cfg: EntityConfig) -> Mapping[str, Any]:
        return {"device_class": cfg.get("device_class")} if cfg.get("device_class") else {}

    def handlers(self, cfg: EntityConfig) -> list[tuple[str, Handler]]:
        out = json_attributes(cfg)
        if cfg.get("state_state_topic"):
            out.append((cfg.get("state_state_topic"), _state))
        if cfg.get("state_volume_topic"):
            out.append((cfg.get("state_volume_topic"), _volume))
        if cfg.get("state_mute_topic"):
            out.append((cfg.get("state_mute_topic"), _muted))
        for key, attribute in _TEXT.items():
            if cfg.get(key):
                out.append((cfg.get(key), _text(attribute)))
        return out

    def reported(self, cfg: EntityConfig) -> frozenset[str]:
        parts = {"state"} if cfg.get("state_state_topic") else set()
        parts |= {"volume_level"} if cfg.get("state_volume_topic") else set()
        parts |= {"is_volume_muted"} if cfg.get("state_mute_topic") else set()
        return frozenset(parts)

    def commands(self, cfg: EntityConfig, service: str, data: Mapping[str, Any], entity: Entity) -> list[Publish]:
        if service == "media_play_pause" and not cfg.get("command_playpause_topic"):
            service = "media_pause" if entity.state == "playing" else "media_play"
        if service in _BUTTONS:
            topic_key, payload_key, default = _BUTTONS[service]
            return [publish(cfg, topic_key, cfg.text(payload_key, default), what=service.replace("media_", ""))]
        if service == "volume_set":
            return [publish(cfg, "command_volume_topic", _level(data["volume_level"]), what="set the volume")]
        if service == "volume_mute":
            payload = "true" if data["is_volume_muted"] else "false"
            return [publish(cfg, "command_mute_topic", payload, what="mute")]
        if service == "play_media":
            body = {"media_type": data.get("media_content_type", "music"), "media_id": data["media_content_id"]}
            return [publish(cfg, "command_playmedia_topic", json.dumps(body), what="play media")]
        if service in ("turn_on", "turn_off"):
            on = service == "turn_on"
            payload = cfg.text("command_power_payload_on" if on else "command_power_payload_off", "ON" if on else "OFF")
            return [publish(cfg, "command_power_topic", payload, what=service.replace("_", " "))]
        raise unsupported(cfg, service.replace("_", " "), "topic for it")


def _level(value: float) -> str:
    return f"{value:g}"


def _state(payload: str) -> Change | None:
    state = _STATES.get(payload.strip().lower())
    return None if state is None else Change(state)


def _volume(payload: str) -> Change | None:
    try:
        level = float(payload)
    except ValueError:
        return None
    if level > 1:  # some players report percent
        level = level / 100
    return Change(attributes={"volume_level": round(max(0.0, min(1.0, level)), 3)})


def _muted(payload: str) -> Change | None:
    text = payload.strip().lower()
    if text in ("true", "1", "on", "muted"):
        return Change(attributes={"is_volume_muted": True})
    if text in ("false", "0", "off", "unmuted"):
        return Change(attributes={"is_volume_muted": False})
    return None


def _text(attribute: str) -> Handler:
    def handle(payload: str) -> Change | None:
        return Change(attributes={attribute: payload.strip() or None})

    return handle
