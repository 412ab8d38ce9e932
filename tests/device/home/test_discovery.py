"""Home Assistant's MQTT discovery read without a broker: topics, short keys, `~`, names, templates."""

from __future__ import annotations

import json
import logging

import pytest

from device.home.discovery import expand, parse_discovery
from device.home.templates import UnsupportedTemplate, ValueTemplate, render_command


def msg(payload: object) -> bytes:
    return json.dumps(payload).encode()


def test_short_keys_and_the_base_topic_expand_as_home_assistant_does() -> None:
    out = expand({"~": "tasmota/plug", "cmd_t": "~/cmnd/POWER", "stat_t": "stat/~", "name": "Plug",
                  "avty": [{"t": "~/LWT", "pl_avail": "Online"}], "dev": {"ids": ["x"], "sa": "Hall", "mf": "Acme"},
                  "pl_on": "ON", "uniq_id": "p1", "unknown_short": 1})
    assert out["command_topic"] == "tasmota/plug/cmnd/POWER"
    assert out["state_topic"] == "stat/tasmota/plug"
    assert out["availability"] == [{"topic": "tasmota/plug/LWT", "payload_available": "Online"}]
    assert out["device"] == {"identifiers": ["x"], "suggested_area": "Hall", "manufacturer": "Acme"}
    assert (out["payload_on"], out["unique_id"], out["unknown_short"]) == ("ON", "p1", 1)
    assert "~" not in out


def test_topics_with_and_without_node_id() -> None:
    one = parse_discovery("homeassistant", "homeassistant/switch/plug/config", msg({"name": "Plug", "cmd_t": "p/set"}))
    assert one is not None and one.entities[0].key == "switch/plug" and one.entities[0].entity_id == "switch.plug"
    two = parse_discovery("ha/x", "ha/x/light/node7/ceiling/config", msg({"name": "Ceiling", "cmd_t": "c/set"}))
    assert two is not None and two.entities[0].key == "light/node7/ceiling"
    assert parse_discovery("homeassistant", "homeassistant/switch/plug/state", b"ON") is None
    assert parse_discovery("homeassistant", "other/switch/plug/config", b"{}") is None
    assert parse_discovery("homeassistant", "homeassistant/button/restart/config", msg({"name": "R"})) is None


def test_an_empty_payload_withdraws_the_entity() -> None:
    gone = parse_discovery("homeassistant", "homeassistant/light/n/lamp/config", b"")
    assert gone is not None and gone.removed == ("light/n/lamp",) and gone.entities == ()


def test_a_broken_payload_is_skipped_with_a_warning_naming_the_topic(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="device.home.discovery"):
        assert parse_discovery("homeassistant", "homeassistant/light/lamp/config", b"{not json") is None
        assert parse_discovery("homeassistant", "homeassistant/light/lamp/config", b"[1, 2]") is None
    assert caplog.text.count("homeassistant/light/lamp/config") == 2


def test_names_follow_home_assistant() -> None:
    def entity(config: dict[str, object], topic: str = "homeassistant/sensor/n/o/config") -> object:
        found = parse_discovery("homeassistant", topic, msg(config))
        assert found is not None
        return found.entities[0]

    main = entity({"name": None, "dev": {"name": "Kitchen Spots"}}, "homeassistant/light/0x1/light/config")
    assert (main.name, main.entity_id) == ("Kitchen Spots", "light.kitchen_spots")  # type: ignore[attr-defined]
    part = entity({"name": "Temperature", "dev": {"name": "Nursery Sensor", "sa": "Nursery"}})
    assert (part.name, part.aliases, part.suggested_area) == (  # type: ignore[attr-defined]
        "Nursery Sensor Temperature", ("Temperature",), "Nursery")
    assert entity({"name": "Boiler Temp", "obj_id": "boiler_t"}).entity_id == "sensor.boiler_t"  # type: ignore[attr-defined]
    assert entity({"name": "X", "def_ent_id": "sensor.custom_id"}).entity_id == "sensor.custom_id"  # type: ignore[attr-defined]
    assert entity({}).name == "O"  # type: ignore[attr-defined]


def test_device_discovery_with_components() -> None:
    found = parse_discovery("homeassistant", "homeassistant/device/0xabc/config", msg({
        "dev": {"ids": "0xabc", "name": "Hall Sensor", "sa": "Hall"}, "o": {"name": "bridge"},
        "~": "bridge/hall", "stat_t": "~/state",
        "cmps": {"temp": {"p": "sensor", "name": "Temperature", "val_tpl": "{{ value_json.t }}", "unit_of_meas": "°C"},
                 "motion": {"p": "binary_sensor", "name": "Motion", "dev_cla": "motion"},
                 "old": {"p": "sensor"}, "btn": {"p": "button", "name": "Identify"}}}))
    assert found is not None
    assert [e.key for e in found.entities] == ["device/0xabc/temp", "device/0xabc/motion"]
    temp = found.entities[0]
    assert (temp.component, temp.name, temp.get("state_topic"), temp.suggested_area) == (
        "sensor", "Hall Sensor Temperature", "bridge/hall/state", "Hall")
    assert found.removed == ("device/0xabc/old",)
    emptied = parse_discovery("homeassistant", "homeassistant/device/0xabc/config", b"")
    assert emptied is not None and emptied.removed_prefix == "device/0xabc"


@pytest.mark.parametrize(("template", "payload", "expected"), [
    ("{{ value }}", "21.5", "21.5"),
    ("{{ value_json.temperature }}", '{"temperature": 19.8}', "19.8"),
    ("{{value_json['humidity']}}", '{"humidity": 52}', "52"),
    ('{{ value_json["a"]["b"][1] }}', '{"a": {"b": [0, 7]}}', "7"),
    ("{{ value_json.contact }}", '{"contact": false}', "False"),  # Jinja renders Python's False
    ("{{ value_json.t | float | round(1) }}", '{"t": "20.46"}', "20.5"),
    ("{{ value_json.state | lower }}", '{"state": "ON"}', "on"),
    ("{{ value_json.missing }}", '{"t": 1}', None),
    ("{{ value_json.t }}", "not json", None),
    ("{{ value_json.t | int }}", '{"t": "x"}', None),
])
def test_value_templates(template: str, payload: str, expected: str | None) -> None:
    assert ValueTemplate.parse(template).render(payload) == expected


@pytest.mark.parametrize("template", [
    "{% if value == '1' %}ON{% endif %}", "{{ value_json.t * 10 }}", "{{ states('sensor.x') }}",
    "{{ value_json.t | timestamp_local }}", "ON: {{ value }}"])
def test_templates_beyond_the_common_forms_are_refused(template: str) -> None:
    with pytest.raises(UnsupportedTemplate):
        ValueTemplate.parse(template)


def test_command_templates() -> None:
    assert render_command('{ "position": {{ position }} }', position=30) == '{ "position": 30 }'
    assert render_command('{"state": "{{ value }}"}', value="LOCK") == '{"state": "LOCK"}'
    assert render_command("{{ value | int }}", value=21.7) == "21"
    with pytest.raises(UnsupportedTemplate):
        render_command("{{ value * 2 }}", value=1)
    with pytest.raises(UnsupportedTemplate):
        render_command("{{ position }}", value=1)
