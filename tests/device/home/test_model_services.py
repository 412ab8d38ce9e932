"""Entities as values, and the service catalogue every Home checks calls against."""

from __future__ import annotations

import pytest

from device.errors import InvalidServiceData, UnsupportedService
from device.home.model import Entity
from device.home.services import check_call, concrete_service, expect


def test_entity_parts_and_immutability() -> None:
    e = Entity("sensor.nursery_temperature", "Nursery Temperature", state="19.8",
               attributes={"device_class": "temperature", "unit_of_measurement": "°C"})
    assert (e.domain, e.object_id, e.device_class, e.unit, e.available) == (
        "sensor", "nursery_temperature", "temperature", "°C", True)
    with pytest.raises(TypeError):
        e.attributes["device_class"] = "humidity"  # type: ignore[index]
    newer = e.with_state("20.1", unit_of_measurement=None)
    assert (newer.state, newer.unit, e.state, e.unit) == ("20.1", None, "19.8", "°C")
    assert hash(e) == hash(Entity("sensor.nursery_temperature", "Nursery Temperature", state="19.8"))
    with pytest.raises(ValueError, match="domain.object_id"):
        Entity("kitchen", "Kitchen")


LIGHT = Entity("light.spots", "Spots", state="off")


def test_check_call_normalises_data() -> None:
    assert check_call(LIGHT, "light", "turn_on", {"brightness_pct": "40", "color_name": "Red"}) == {
        "brightness_pct": 40, "rgb_color": (255, 0, 0)}
    assert check_call(LIGHT, "light", "turn_on", {"brightness": 255}) == {"brightness_pct": 100}
    speaker = Entity("media_player.s", "S", state="idle")
    assert check_call(speaker, "media_player", "volume_set", {"volume_level": 0.25}) == {"volume_level": 0.25}
    climate = Entity("climate.hp", "HP", state="heat")
    assert check_call(climate, "climate", "set_temperature", {"temperature": 21.5, "hvac_mode": "Heat"}) == {
        "temperature": 21.5, "hvac_mode": "heat"}


@pytest.mark.parametrize(("entity", "domain", "service", "data", "error", "words"), [
    (LIGHT, "switch", "turn_on", None, UnsupportedService, "is a light, not a switch"),
    (LIGHT, "light", "open_cover", None, UnsupportedService, "has no service 'open_cover'"),
    (Entity("sensor.t", "T"), "sensor", "turn_on", None, UnsupportedService, "cannot command"),
    (LIGHT, "light", "turn_on", {"brightness_pct": 140}, InvalidServiceData, "from 0 to 100"),
    (LIGHT, "light", "turn_on", {"color_name": "octarine"}, InvalidServiceData, "no color called"),
    (LIGHT, "light", "turn_on", {"percentage": 20}, InvalidServiceData, "takes no percentage"),
    (LIGHT, "light", "turn_on", {"brightness_pct": True}, InvalidServiceData, "must be a number"),
    (Entity("cover.b", "B"), "cover", "set_cover_position", {}, InvalidServiceData, "needs position"),
    (Entity("media_player.s", "S"), "media_player", "volume_mute", {"is_volume_muted": "yes"}, InvalidServiceData,
     "true or false"),
])
def test_check_call_refuses_with_what_to_do(entity: Entity, domain: str, service: str, data: dict[str, object] | None,
                                            error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        check_call(entity, domain, service, data)


def test_expectations() -> None:
    on = expect(LIGHT, "turn_on", {"brightness_pct": 50})
    assert on is not None and on.entity.state == "on" and on.attributes == {"brightness": 128}
    dim_to_zero = expect(LIGHT.with_state("on"), "turn_on", {"brightness_pct": 0})
    assert dim_to_zero is not None and dim_to_zero.entity.state == "off"
    blind = Entity("cover.b", "B", state="open", attributes={"current_position": 100})
    closing = expect(blind, "close_cover", {})
    assert closing is not None and closing.states == {"closed", "closing"}
    assert closing.met_by(blind.with_state("closing"), only=frozenset({"state"}))
    assert not closing.met_by(blind.with_state("closing"))  # the position is not there yet
    assert expect(blind, "stop_cover", {}) is None
    assert concrete_service(blind, "toggle") == "close_cover"
    assert concrete_service(LIGHT, "toggle") == "turn_on"
    heat = expect(Entity("climate.hp", "HP", state="off", attributes={"hvac_modes": ["off", "cool"]}), "turn_on", {})
    assert heat is not None and heat.entity.state == "cool"
    vol = expect(Entity("media_player.s", "S", state="playing"), "volume_set", {"volume_level": 0.5})
    assert vol is not None and vol.entity.state == "playing" and vol.met_by(
        Entity("media_player.s", "S", state="playing", attributes={"volume_level": 0.504}))
