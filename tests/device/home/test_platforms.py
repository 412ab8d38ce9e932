"""Each MQTT platform without a broker: the messages a service becomes, and the state a message means."""

from __future__ import annotations

import json
from typing import Any

import pytest

from device.errors import InvalidServiceData, UnsupportedService
from device.home.discovery import parse_discovery
from device.home.model import Entity
from device.home.platforms import PLATFORMS, Change
from device.home.platforms.light import rgb_to_xy
from device.home.services import check_call


def cfg(component: str, config: dict[str, Any]) -> Any:
    found = parse_discovery("homeassistant", f"homeassistant/{component}/x/config", json.dumps(config).encode())
    assert found is not None
    return found.entities[0]


def commands(c: Any, service: str, data: dict[str, Any] | None = None, state: str = "off") -> list[tuple[str, str]]:
    entity = Entity(c.entity_id, c.name, state=state)
    checked = check_call(entity, c.component, service, data)
    return [(m.topic, m.payload) for m in PLATFORMS[c.component].commands(c, service, checked, entity)]


def feed(c: Any, topic: str, payload: str) -> list[Change]:
    return [change for t, handler in PLATFORMS[c.component].handlers(c) if t == topic
            for change in [handler(payload)] if change is not None]


DIMMER = {"name": "Dimmer", "cmd_t": "d/set", "stat_t": "d/state", "bri_cmd_t": "d/bri/set", "bri_stat_t": "d/bri",
          "bri_scl": 100, "rgb_cmd_t": "d/rgb/set"}


def test_default_schema_light() -> None:
    light = cfg("light", DIMMER)
    assert commands(light, "turn_on", {"brightness_pct": 40}) == [("d/bri/set", "40"), ("d/set", "ON")]
    assert commands(light, "turn_on", {"color_name": "red"}) == [("d/rgb/set", "255,0,0"), ("d/set", "ON")]
    assert commands(light, "turn_off") == [("d/set", "OFF")]
    first = cfg("light", {**DIMMER, "on_command_type": "first"})
    assert commands(first, "turn_on", {"brightness_pct": 40}) == [("d/set", "ON"), ("d/bri/set", "40")]
    only = cfg("light", {**DIMMER, "on_command_type": "brightness"})
    assert commands(only, "turn_on") == [("d/bri/set", "100")]
    assert feed(light, "d/bri", "50") == [Change(attributes={"brightness": 128})]  # 0-100 scale -> Home Assistant's 0-255
    assert feed(light, "d/state", "ON") == [Change("on")]
    assert feed(light, "d/state", "garbage") == []
    assert PLATFORMS["light"].reported(light) == {"state", "brightness"}
    plain = cfg("light", {"name": "Plain", "cmd_t": "p/set"})
    with pytest.raises(UnsupportedService, match="cannot dim: its MQTT config has no brightness_command_topic"):
        commands(plain, "turn_on", {"brightness_pct": 50})
    assert PLATFORMS["light"].reported(plain) == frozenset()  # no state topic: optimistic


def test_json_schema_light_takes_the_color_form_it_supports() -> None:
    hue = cfg("light", {"name": "Hue", "schema": "json", "cmd_t": "z/set", "stat_t": "z", "brightness": True,
                        "brightness_scale": 254, "supported_color_modes": ["xy", "color_temp"]})
    (topic, payload), = commands(hue, "turn_on", {"brightness_pct": 50, "color_name": "red"})
    body = json.loads(payload)
    assert topic == "z/set" and body["state"] == "ON" and body["brightness"] == 127
    assert body["color"] == {"x": 0.6401, "y": 0.33}
    assert json.loads(commands(hue, "turn_off")[0][1]) == {"state": "OFF"}
    rgb = cfg("light", {"name": "Strip", "schema": "json", "cmd_t": "s/set", "supported_color_modes": ["rgb"]})
    assert json.loads(commands(rgb, "turn_on", {"rgb_color": [1, 2, 3]})[0][1])["color"] == {"r": 1, "g": 2, "b": 3}
    onoff = cfg("light", {"name": "Bulb", "schema": "json", "cmd_t": "b/set", "supported_color_modes": ["onoff"]})
    with pytest.raises(UnsupportedService, match="cannot dim"):
        commands(onoff, "turn_on", {"brightness_pct": 10})
    (change,) = feed(hue, "z", '{"state": "ON", "brightness": 254, "color": {"x": 0.3, "y": 0.3}}')
    assert change.state == "on" and change.attributes["brightness"] == 255
    assert rgb_to_xy((255, 255, 255)) == (0.3127, 0.329)


def test_climate() -> None:
    hp = cfg("climate", {"name": "HP", "mode_cmd_t": "h/mode/set", "mode_stat_t": "h/mode", "temp_cmd_t": "h/t/set",
                         "temp_stat_t": "h/t", "curr_temp_t": "h/cur", "modes": ["off", "heat"], "min_temp": 7,
                         "max_temp": 30})
    assert commands(hp, "set_temperature", {"temperature": 21.5}, "heat") == [("h/t/set", "21.5")]
    assert commands(hp, "turn_off", state="heat") == [("h/mode/set", "off")]
    assert commands(hp, "turn_on", state="off") == [("h/mode/set", "heat")]
    with pytest.raises(InvalidServiceData, match="takes 7 to 30 degrees"):
        commands(hp, "set_temperature", {"temperature": 35})
    with pytest.raises(InvalidServiceData, match="has the modes off, heat"):
        commands(hp, "set_hvac_mode", {"hvac_mode": "cool"})
    assert feed(hp, "h/cur", "20.25") == [Change(attributes={"current_temperature": 20.25})]
    assert feed(hp, "h/mode", "HEAT") == [Change("heat")]


def test_cover_and_valve() -> None:
    blind = cfg("cover", {"name": "Blind", "cmd_t": "b/set", "stat_t": "b", "val_tpl": "{{ value_json.state }}",
                          "state_open": "OPEN", "state_closed": "CLOSE", "pos_t": "b", "pos_tpl": "{{ value_json.position }}",
                          "set_pos_t": "b/set", "set_pos_tpl": '{"position": {{ position }}}'})
    assert commands(blind, "set_cover_position", {"position": 30}) == [("b/set", '{"position": 30}')]
    assert commands(blind, "open_cover") == [("b/set", "OPEN")]
    changes = feed(blind, "b", '{"state": "CLOSE", "position": 0}')
    assert changes == [Change("closed"), Change(None, {"current_position": 0})]
    garage = cfg("cover", {"name": "Garage", "cmd_t": "g/set", "pl_stop": None, "pos_t": "g/pos", "pos_open": 255,
                           "pos_clsd": 0})
    with pytest.raises(UnsupportedService, match="cannot stop"):
        commands(garage, "stop_cover")
    with pytest.raises(UnsupportedService, match="set_position_topic"):
        commands(garage, "set_cover_position", {"position": 50})
    assert commands(garage, "set_cover_position", {"position": 100}) == [("g/set", "OPEN")]
    assert feed(garage, "g/pos", "51") == [Change("open", {"current_position": 20})]  # position without a state topic
    valve = cfg("valve", {"name": "Main", "cmd_t": "v/set", "stat_t": "v"})
    assert commands(valve, "close_valve") == [("v/set", "CLOSE")]
    assert feed(valve, "v", "closed") == [Change("closed")]


def test_lock_switch_fan_sensor() -> None:
    lock = cfg("lock", {"name": "Door", "cmd_t": "l/set", "stat_t": "l"})
    assert commands(lock, "unlock", state="locked") == [("l/set", "UNLOCK")]
    with pytest.raises(UnsupportedService, match="payload_open"):
        commands(lock, "open", state="locked")
    assert feed(lock, "l", "LOCKED") == [Change("locked")] and feed(lock, "l", "JAMMED") == [Change("jammed")]
    switch = cfg("switch", {"name": "Plug", "cmd_t": "s/set", "stat_t": "s", "pl_on": "1", "pl_off": "0"})
    assert commands(switch, "turn_on") == [("s/set", "1")]
    assert feed(switch, "s", "0") == [Change("off")]
    fan = cfg("fan", {"name": "Fan", "cmd_t": "f/set", "stat_t": "f", "pct_cmd_t": "f/pct", "pct_stat_t": "f/pct/state",
                      "spd_rng_min": 1, "spd_rng_max": 3})
    assert commands(fan, "set_percentage", {"percentage": 50}, "on") == [("f/pct", "2")]
    assert commands(fan, "turn_on", {"percentage": 100}) == [("f/set", "ON"), ("f/pct", "3")]
    assert commands(fan, "set_percentage", {"percentage": 0}, "on") == [("f/set", "OFF")]
    assert feed(fan, "f/pct/state", "3") == [Change(attributes={"percentage": 100})]
    contact = cfg("binary_sensor", {"name": "Window", "stat_t": "w", "val_tpl": "{{ value_json.contact }}",
                                    "pl_on": False, "pl_off": True, "dev_cla": "window"})
    assert feed(contact, "w", '{"contact": false}') == [Change("on")]  # not in contact: open
    temp = cfg("sensor", {"name": "T", "stat_t": "t", "val_tpl": "{{ value_json.temperature }}", "unit_of_meas": "°C"})
    assert feed(temp, "t", '{"temperature": 19.5}') == [Change("19.5")]
    assert feed(temp, "t", '{"humidity": 50}') == []
    with pytest.raises(UnsupportedService, match="sensors only report"):
        PLATFORMS["sensor"].commands(temp, "turn_on", {}, Entity("sensor.t", "T"))


def test_media_player_vacuum_mower() -> None:
    player = cfg("media_player", {"name": "Speaker", "state_state_topic": "m/state", "state_volume_topic": "m/vol",
                                  "command_volume_topic": "m/vol/set", "command_play_topic": "m/play",
                                  "command_pause_topic": "m/pause", "command_playmedia_topic": "m/media"})
    assert commands(player, "media_play_pause", state="playing") == [("m/pause", "Pause")]
    assert commands(player, "volume_set", {"volume_level": 0.35}) == [("m/vol/set", "0.35")]
    assert commands(player, "play_media", {"media_content_id": "jazz"}) == [
        ("m/media", '{"media_type": "music", "media_id": "jazz"}')]
    with pytest.raises(UnsupportedService, match="command_mute_topic"):
        commands(player, "volume_mute", {"is_volume_muted": True})
    assert feed(player, "m/vol", "45") == [Change(attributes={"volume_level": 0.45})]  # percent reported
    vacuum = cfg("vacuum", {"name": "Robbie", "cmd_t": "v/cmd", "stat_t": "v/state"})
    assert commands(vacuum, "return_to_base", state="cleaning") == [("v/cmd", "return_to_base")]
    assert feed(vacuum, "v/state", '{"state": "docked", "battery_level": 80}') == [
        Change("docked", {"battery_level": 80})]
    mower = cfg("lawn_mower", {"name": "Mower", "start_mowing_command_topic": "lm/start", "dock_command_topic": "lm/dock",
                               "activity_state_topic": "lm/a", "activity_value_template": "{{ value_json.activity }}"})
    assert commands(mower, "start_mowing", state="docked") == [("lm/start", "start_mowing")]
    assert feed(mower, "lm/a", '{"activity": "mowing"}') == [Change("mowing")]
    with pytest.raises(UnsupportedService, match="pause_command_topic"):
        commands(mower, "pause", state="mowing")
