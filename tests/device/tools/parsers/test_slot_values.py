"""Slot words -> Home Assistant's values, without a model."""

from __future__ import annotations

import pytest

from device.home.model import Area, Entity, Floor
from device.tools.parsers.base import HomeVocabulary
from device.tools.parsers.slot_values import ha_name_domains, ha_value_maps, normalise, parse_number

HOME = HomeVocabulary(
    floors=(Floor("ground", "Ground Floor", aliases=("downstairs",)), Floor("upstairs", "Upstairs")),
    areas=(Area("kitchen", "Kitchen", "ground"), Area("living_room", "Living Room", "ground"),
           Area("study", "Study", "upstairs")),
    entities=(Entity("light.kitchen_spots", "Kitchen Spots", area="kitchen"),
              Entity("light.pendant", "Dining Pendant", aliases=("table light",), area="kitchen"),
              Entity("cover.study_blind", "Study Blind", area="study", attributes={"device_class": "blind"}),
              Entity("light.lamp_a", "Lamp", area="study"), Entity("light.lamp_b", "Lamp", area="living_room"),
              Entity("light.desk_lamp", "Desk Lamp", area="study"), Entity("light.floor_lamp", "Floor Lamp")),
    here_area="study",
)


@pytest.mark.parametrize(("words", "number"), [
    ("80", 80), ("80%", 80), ("21.5", 21.5), ("eighty", 80), ("twenty five", 25), ("twenty-five", 25),
    ("a hundred", 100), ("one hundred", 100), ("5 minutes", 5), ("seventy five percent", 75)])
def test_numbers_in_digits_and_words(words: str, number: float) -> None:
    assert parse_number(words) == number


def test_not_a_number() -> None:
    assert parse_number("kitchen") is None and parse_number("") is None


@pytest.mark.parametrize(("slot", "words", "value"), [
    ("brightness", "eighty", 80), ("brightness", "max", 100), ("brightness", "50%", 50),
    ("position", "halfway", 50), ("position", "half way", 50), ("temperature", "21.5", 21.5),
    ("temperature", "22 degrees", 22), ("minutes", "five", 5), ("seconds", "half", 30)])
def test_number_slots(slot: str, words: str, value: float) -> None:
    got = normalise(slot, words, HOME, value_maps=ha_value_maps())
    assert got.value == value and type(got.value) is type(value)


def test_names_are_the_inventorys_whatever_the_words() -> None:
    for words in ("kitchen spots", "the Kitchen Spot", "KITCHEN SPOTS", "kitchn spots"):
        assert normalise("name", words, HOME).value == "Kitchen Spots", words
    assert normalise("name", "table light", HOME).value == "Dining Pendant"  # an alias


def test_a_name_the_home_lacks_keeps_its_words_and_says_so() -> None:
    got = normalise("name", "garage heater", HOME)
    assert got.value == "garage heater" and not got.known


def test_words_that_fit_two_names_keep_the_words_for_the_tools_to_ask() -> None:
    got = normalise("name", "the lamps", HOME)
    assert got.value == "Lamp"  # two entities called "Lamp": the name is still the name (the tools ask which)
    got = normalise("name", "desk lmp", HOME)
    assert got.value == "Desk Lamp"
    two = normalise("name", "pendant spots", HOME)
    assert two.value == "pendant spots" and not two.known


def test_areas_floors_and_here() -> None:
    assert normalise("area", "living room", HOME).value == "Living Room"
    assert normalise("area", "the livingroom", HOME).value == "Living Room"
    assert normalise("floor", "downstairs", HOME).value == "Ground Floor"
    assert normalise("area", "in here", HOME).value == "Study"
    unknown = normalise("area", "attic", HOME)
    assert unknown.value == "attic" and not unknown.known


def test_timer_names_and_free_text_are_kept_as_said() -> None:
    assert normalise("name", "eggs", HOME, intent="HassStartTimer").value == "eggs"
    assert normalise("item", "Oat milk", HOME).value == "Oat milk"


def test_home_assistant_value_lists() -> None:
    maps = ha_value_maps()
    assert normalise("device_class", "blinds", HOME, value_maps=maps).value == "blind"
    assert normalise("state", "shut", HOME, value_maps=maps).value == "closed"
    assert normalise("state", "open", HOME, value_maps=maps).value == "open"
    assert normalise("color", "Red", HOME, value_maps=maps).value == "red"


def test_volume_steps_go_down_when_the_sentence_does() -> None:
    maps = ha_value_maps()
    assert normalise("volume_step", "up", HOME, value_maps=maps).value == "up"
    assert normalise("volume_step", "10", HOME, text="turn up the tv by 10", value_maps=maps).value == 10
    assert normalise("volume_step", "10", HOME, text="turn the tv down by 10", value_maps=maps).value == -10


def test_a_name_said_exactly_wins_over_a_plural_of_another() -> None:
    home = HomeVocabulary(entities=(Entity("lock.sliding_doors", "Sliding Doors"),
                                    Entity("cover.sliding_door", "Sliding Door")))
    assert normalise("name", "the sliding doors", home).value == "Sliding Doors"
    assert normalise("name", "Sliding Door", home).value == "Sliding Door"


@pytest.mark.parametrize(("words", "unit"), [("C", "celsius"), ("°C", "celsius"), ("degrees Celsius", "celsius"),
                                             ("centigrade", "celsius"), ("Fahrenheit", "fahrenheit"), ("F", "fahrenheit")])
def test_temperature_units(words: str, unit: str) -> None:
    assert normalise("temperature_unit", words, HOME).value == unit


@pytest.mark.parametrize(("words", "text", "query"), [
    ("the Queen", "play the Queen album", "Queen"),  # the article is the album's
    ("the Beatles", "play the Beatles artist", "Beatles"),
    ("The Office", "put The Office on", "The Office"),  # a title's own article stays
    ("some jazz", "play some jazz in the kitchen", "jazz"),
])
def test_search_queries_lose_the_words_that_are_not_the_title(words: str, text: str, query: str) -> None:
    assert normalise("search_query", words, HOME, text=text).value == query


def test_a_value_word_that_needs_its_neighbour() -> None:
    maps = ha_value_maps()
    assert normalise("state", "turned", HOME, text="are the lights turned on?", value_maps=maps).value == "on"
    assert normalise("state", "securely", HOME, text="is the door securely locked", value_maps=maps).value == "locked"


def test_which_domains_each_intent_names() -> None:
    domains = ha_name_domains()
    assert domains["HassLightSet"] == ["light"]
    assert "sensor" not in domains["HassTurnOff"] and "todo" not in domains["HassGetState"]
    assert "HassStartTimer" not in domains  # a timer's name is no entity's
