"""The `rules` stage's targets read as Home Assistant reads them."""

from __future__ import annotations

from device.collab.steps import ToolCall
from device.home.model import Area, Entity
from device.tools.parsers import make_parser
from device.tools.parsers.base import HomeVocabulary

HOME = HomeVocabulary(areas=(Area("garage", "Garage"), Area("kitchen", "Kitchen")),
                      entities=(Entity("light.garage", "Garage Light", area="garage"),
                                Entity("light.kitchen_spots", "Kitchen Spots", area="kitchen"),
                                Entity("binary_sensor.light", "Light")))


def test_a_name_the_home_has_is_the_entity_not_the_areas_devices() -> None:
    rules = make_parser("rules", HOME)
    assert rules.parse("toggle the garage light") == ToolCall("HassToggle", {"name": "Garage Light"})
    assert rules.parse("toggle the kitchen lights") == ToolCall("HassToggle", {"area": "Kitchen", "domain": "light"})
    # a device word stays one even where a sensor is called "Light"
    assert rules.parse("turn off the light in the garage") == ToolCall("HassTurnOff", {"area": "Garage", "domain": "light"})


def test_done_is_not_part_of_the_item() -> None:
    rules = make_parser("rules", HOME)
    assert rules.parse("mark laundry done on the chores list") == ToolCall(
        "HassListCompleteItem", {"item": "laundry", "name": "chores"})
    assert rules.parse("mark milk as done on my shopping list") == ToolCall(
        "HassShoppingListCompleteItem", {"item": "milk"})
