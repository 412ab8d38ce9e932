"""From words to entities: names, aliases, fuzzy spelling, plurals, areas, floors, "in here", and asking back."""

from __future__ import annotations

from pathlib import Path

import pytest

from device.errors import AmbiguousTarget, UnknownEntity
from device.home.inventory import load_inventory
from device.home.inventory_home import InventoryHome
from device.home.resolve import resolve

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def home() -> InventoryHome:
    return InventoryHome(load_inventory(DATA / "example_inventory.yaml"))


@pytest.fixture(scope="module")
def lamps() -> InventoryHome:
    """Two entities named "Lamp" in different rooms (Home Assistant's fixtures do this too)."""
    return InventoryHome(load_inventory(DATA / "fixture_shape.yaml"))


def ids(entities: tuple[object, ...]) -> list[str]:
    return [e.id for e in entities]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("words", "expected"), [
    ({"name": "Kitchen Spots"}, ["light.kitchen_spots"]),
    ({"name": "the kitchen spot"}, ["light.kitchen_spots"]),  # article, singular
    ({"name": "KITCHEN SPOTS!"}, ["light.kitchen_spots"]),
    ({"name": "kitchn spots"}, ["light.kitchen_spots"]),  # misspelt
    ({"name": "table light"}, ["light.pendant"]),  # alias
    ({"name": "pendant"}, ["light.pendant"]),  # part of the name
    ({"name": "heat pump", "domain": "climate"}, ["climate.heat_pump"]),
    ({"name": "temperature", "area": "nursery"}, ["sensor.nursery_temperature"]),
    ({"name": "Robbie"}, ["vacuum.robbie"]),
])
def test_names(home: InventoryHome, words: dict[str, str], expected: list[str]) -> None:
    assert ids(resolve(home, **words)) == expected


@pytest.mark.parametrize(("words", "expected"), [
    ({"area": "kitchen", "domain": "light"}, ["light.kitchen_spots", "light.pendant"]),  # plural: all of them
    ({"name": "the lights in the kitchen"}, ["light.kitchen_spots", "light.pendant"]),
    ({"name": "kitchen lights"}, ["light.kitchen_spots", "light.pendant"]),
    ({"name": "kitchen", "domain": "light"}, ["light.kitchen_spots", "light.pendant"]),  # the area, not a name part
    ({"area": "livingroom", "domain": "climate"}, ["climate.heat_pump"]),  # area without its space
    ({"area": "Living Room", "domain": "lock"}, ["lock.patio_door"]),
    ({"floor": "upstairs", "domain": "light"}, ["light.reading_lamp"]),
    ({"floor": "Ground Floor", "domain": "light"}, ["light.kitchen_spots", "light.pendant"]),
    ({"name": "blinds", "floor": "upstairs"}, ["cover.study_blind"]),
    ({"domain": "light"}, ["light.kitchen_spots", "light.pendant", "light.reading_lamp"]),
    ({"domain": "sensor", "device_class": "humidity"}, ["sensor.nursery_humidity"]),
    ({"name": "all", "area": "Kitchen", "domain": "light"}, ["light.kitchen_spots", "light.pendant"]),  # HA's `all`
])
def test_areas_floors_and_plurals(home: InventoryHome, words: dict[str, str], expected: list[str]) -> None:
    assert ids(resolve(home, **words)) == expected


def test_in_here_is_the_devices_own_area(home: InventoryHome) -> None:
    assert ids(resolve(home, area="in here", domain="light", here_area="study")) == ["light.reading_lamp"]
    assert ids(resolve(home, name="the lights in here", here_area="kitchen")) == ["light.kitchen_spots",
                                                                                   "light.pendant"]
    # only a domain: the device's room first, as Home Assistant does for a voice satellite
    assert ids(resolve(home, name="the lights", here_area="study")) == ["light.reading_lamp"]
    assert ids(resolve(home, domain="light", here_area="nursery")) == ["light.kitchen_spots", "light.pendant",
                                                                        "light.reading_lamp"]
    with pytest.raises(UnknownEntity, match=r"no area of its own.*\[home\] area"):
        resolve(home, area="here", domain="light")


def test_a_name_in_two_rooms_asks_back(lamps: InventoryHome) -> None:
    with pytest.raises(AmbiguousTarget) as info:
        resolve(lamps, name="lamp")
    assert info.value.question == "Which Lamp: Bedroom or Study?"
    assert ids(info.value.candidates) == ["light.bedroom_lamp", "light.study_lamp"]
    assert ids(resolve(lamps, name="lamp", area="study")) == ["light.study_lamp"]
    assert ids(resolve(lamps, name="lamp", here_area="bedroom_id")) == ["light.bedroom_lamp"]
    assert ids(resolve(lamps, name="ceiling light", floor="downstairs")) == ["light.hall_ceiling"]  # floor alias
    assert ids(resolve(lamps, name="trader joe's")) == ["todo.trader_joes"]
    assert ids(resolve(lamps, area="hall", domain="light")) == ["light.hall_ceiling"]  # area alias


def test_different_names_that_both_fit_ask_by_name() -> None:
    from device.home.inventory import parse_inventory

    home = InventoryHome(parse_inventory({"entities": [
        {"id": "light.reading_lamp", "name": "Reading Lamp"}, {"id": "light.bedside_lamp", "name": "Bedside Lamp"}]}))
    with pytest.raises(AmbiguousTarget, match=r"Which Lamp: Reading Lamp or Bedside Lamp\?"):
        resolve(home, name="the lamp")
    assert len(resolve(home, name="the lamps")) == 2  # the plural means both


def test_nothing_fits_says_what_exists(home: InventoryHome) -> None:
    with pytest.raises(UnknownEntity, match="no device called 'toaster'"):
        resolve(home, name="toaster")
    with pytest.raises(UnknownEntity) as info:
        resolve(home, name="kettel spout")
    assert "Kettle" in info.value.suggestions
    with pytest.raises(UnknownEntity, match=r"no area called 'garage'; areas: Kitchen, Living Room, Study, Nursery"):
        resolve(home, area="garage", domain="light")
    with pytest.raises(UnknownEntity, match=r"no light in the Nursery; there are some in: Kitchen, Study"):
        resolve(home, area="nursery", domain="light")
    with pytest.raises(UnknownEntity, match="no floor called 'attic'"):
        resolve(home, floor="attic")
