"""InventoryHome: the file as a home; calls are checked and change the state in memory only."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from device.errors import InvalidServiceData, UnknownEntity, UnsupportedService
from device.home.base import Home
from device.home.inventory_home import InventoryHome

DATA = Path(__file__).parent / "data"


def test_calls_change_the_state_as_home_assistant_shows_it() -> None:
    home = InventoryHome.from_file(DATA / "example_inventory.yaml")
    assert isinstance(home, Home)

    async def go() -> None:
        await home.start()
        off = await home.call("light", "turn_off", "light.kitchen_spots")
        assert off.state == "off" and home.entity("light.kitchen_spots").state == "off"
        again = await home.call("light", "turn_off", "light.kitchen_spots")  # a retry changes nothing
        assert again == off
        dim = await home.call("light", "turn_on", "light.pendant", {"brightness_pct": 30, "color_name": "blue"})
        assert (dim.state, dim.attributes["brightness"], dim.attributes["rgb_color"]) == ("on", 76, (0, 0, 255))
        warm = await home.call("climate", "set_temperature", "climate.heat_pump", {"temperature": 22.5})
        assert (warm.state, warm.attributes["temperature"], warm.attributes["current_temperature"]) == (
            "heat", 22.5, 20.5)
        blind = await home.call("cover", "set_cover_position", "cover.study_blind", {"position": 0})
        assert (blind.state, blind.attributes["current_position"]) == ("closed", 0)
        unlocked = await home.call("lock", "unlock", "lock.patio_door")
        assert unlocked.state == "unlocked"
        await home.close()

    asyncio.run(go())
    assert [c[:3] for c in home.calls] == [
        ("light", "turn_off", "light.kitchen_spots"), ("light", "turn_off", "light.kitchen_spots"),
        ("light", "turn_on", "light.pendant"), ("climate", "set_temperature", "climate.heat_pump"),
        ("cover", "set_cover_position", "cover.study_blind"), ("lock", "unlock", "lock.patio_door")]


def test_refusals_change_nothing() -> None:
    home = InventoryHome.from_file(DATA / "example_inventory.yaml")
    before = home.entities()
    with pytest.raises(UnknownEntity, match=r"did you mean light.kitchen_spots"):
        asyncio.run(home.call("light", "turn_off", "light.kitchen_spot"))
    with pytest.raises(UnsupportedService):
        asyncio.run(home.call("lock", "turn_off", "lock.patio_door"))
    with pytest.raises(InvalidServiceData):
        asyncio.run(home.call("fan", "set_percentage", "fan.study_fan", {"percentage": 120}))
    assert home.entities() == before and home.calls == []
