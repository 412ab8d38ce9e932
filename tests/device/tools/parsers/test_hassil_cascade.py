"""The `hassil` stage (Home Assistant's templates over the home's words) and the cascade around it."""

from __future__ import annotations

from pathlib import Path

import pytest

from device.collab.steps import ToolCall
from device.errors import CollabConfigError
from device.home.inventory import load_inventory
from device.home.model import Area
from device.tools.parsers import make_parser
from device.tools.parsers.base import HomeVocabulary
from device.tools.parsers.cascade import CascadeParser, make_cascade

INVENTORY = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "home" / "example_inventory.yaml"


@pytest.fixture(scope="module")
def home() -> HomeVocabulary:
    inv = load_inventory(INVENTORY)
    return HomeVocabulary(tuple(inv.floors), tuple(inv.areas), tuple(inv.entities))


@pytest.mark.parametrize(("text", "intent", "slots"), [
    ("turn off the kitchen spots", "HassTurnOff", {"name": "Kitchen Spots"}),
    ("Turn on the table light.", "HassTurnOn", {"name": "Dining Pendant"}),  # an alias -> the entity's name
    ("set the reading lamp to 50%", "HassLightSet", {"name": "Reading Lamp", "brightness": 50}),
    ("close the study blind", "HassTurnOff", {"name": "Study Blind"}),  # a named entity wins over area+class
    ("turn on the lights upstairs", "HassTurnOn", {"floor": "Upstairs", "domain": "light"}),
    ("start a 5 minute timer", "HassStartTimer", {"minutes": 5}),
    ("add milk to my shopping list", "HassListAddItem", {"item": "milk", "name": "Shopping List"}),  # a todo entity
])
def test_home_assistant_sentences_parse_exactly(home: HomeVocabulary, text: str, intent: str,
                                                slots: dict[str, object]) -> None:
    call = make_parser("hassil", home).parse(text)
    assert call == ToolCall(intent, slots, 1.0)
    assert all(not isinstance(v, float) for v in call.arguments.values())  # 50, not 50.0


@pytest.mark.parametrize("text", ["how does a thermostat work?", "kill the garage light", "write a poem about lamps",
                                  "turn off the garage light"])  # a paraphrase; a device this home lacks
def test_what_the_templates_do_not_hold_is_not_recognised(home: HomeVocabulary, text: str) -> None:
    assert make_parser("hassil", home).parse(text) is None


@pytest.mark.parametrize(("text", "intent", "slots"), [
    # Home Assistant's current templates (its intent tests) read these otherwise than the installed ones
    ("cancel every timer", "HassCancelAllTimers", {}),
    ("play some jazz in the study", "HassMediaSearchAndPlay", {"search_query": "jazz", "area": "Study"}),
])
def test_readings_of_home_assistants_current_templates(home: HomeVocabulary, text: str, intent: str,
                                                       slots: dict[str, object]) -> None:
    assert make_parser("hassil", home).parse(text) == ToolCall(intent, slots, 1.0)


def test_an_area_word_inside_a_longer_device_class_is_the_class(home: HomeVocabulary) -> None:
    with_garage = HomeVocabulary(home.floors, (*home.areas, Area("garage", "Garage", "ground")), home.entities)
    assert make_parser("hassil", with_garage).parse("close the garage door") == ToolCall(
        "HassTurnOff", {"domain": "cover", "device_class": "garage"}, 1.0)  # the class "garage door", no area
    assert make_parser("hassil", with_garage).parse("close the blinds in the garage") == ToolCall(
        "HassTurnOff", {"area": "Garage", "device_class": "blind", "domain": "cover"}, 1.0)


def test_the_devices_own_area_completes_a_command_without_one(home: HomeVocabulary) -> None:
    assert make_parser("hassil", home).parse("turn on the lights") is None  # which lights? not guessed
    here = HomeVocabulary(home.floors, home.areas, home.entities, here_area="study")
    assert make_parser("hassil", here).parse("turn on the lights") == ToolCall(
        "HassTurnOn", {"domain": "light", "area": "Study"}, 1.0)


class _Fixed:
    def __init__(self, name: str, call: ToolCall | None) -> None:
        self.name, self.call, self.seen = name, call, 0

    def parse(self, text: str) -> ToolCall | None:
        self.seen += 1
        return self.call


def test_the_cascade_stops_at_the_first_sure_stage_and_keeps_an_unsure_one_aside() -> None:
    unsure, sure, never = (_Fixed("a", ToolCall("HassTurnOn", {}, 0.3)), _Fixed("b", ToolCall("HassTurnOff", {}, 0.9)),
                           _Fixed("c", ToolCall("HassToggle", {}, 1.0)))
    cascade = CascadeParser((unsure, sure, never), min_confidence=0.5)
    assert cascade.parse("x") == ToolCall("HassTurnOff", {}, 0.9)
    assert never.seen == 0
    alone = CascadeParser((unsure, _Fixed("d", None)), min_confidence=0.5)
    assert alone.parse("x") is None  # unsure: does not act
    assert alone.best("x").call == ToolCall("HassTurnOn", {}, 0.3) and alone.best("x").stage == "a"


def test_the_cascade_names_unknown_stages_and_runs_hassil_then_rules(home: HomeVocabulary) -> None:
    with pytest.raises(CollabConfigError, match="unknown cascade stage 'nope'"):
        make_cascade(home, ["hassil", "nope"])
    cascade = make_cascade(home, ["hassil", "rules"])
    assert cascade.best("turn off the kitchen spots").stage == "hassil"
    found = cascade.best("remind me to call the plumber tomorrow at 9")
    assert found.stage == "rules" and found.call is not None and found.call.name == "TandemReminderAdd"


def test_a_timer_that_only_reminds_becomes_a_reminder_and_other_timers_stay() -> None:
    from device.tools.parsers.rewrite import as_device_call

    timer = ToolCall("HassStartTimer", {"seconds": 40, "conversation_command": "Remind me to take the bread out"})
    assert as_device_call(timer) == ToolCall("TandemReminderAdd", {"message": "take the bread out",
                                                                   "when": "in 40 seconds"})
    lights = ToolCall("HassStartTimer", {"minutes": 5, "conversation_command": "turn off the lights"})
    assert as_device_call(lights) is lights
    assert as_device_call(ToolCall("HassTurnOn", {"name": "Kettle"})).name == "HassTurnOn"


def test_intents_without_a_tool_here_and_timed_questions_are_no_call(home: HomeVocabulary) -> None:
    hassil = make_parser("hassil", home)
    assert hassil.parse("how many minutes are in 3 hours?") is None  # "<command> in 3 hours" is not a timer here
    assert hassil.parse("who made you?") is not None  # Home Assistant's HassRespond ...
    cascade = make_cascade(home, ["hassil"], known=frozenset({"HassTurnOn", "HassTurnOff"}))
    assert cascade.parse("who made you?") is None  # ... is no tool of this device
    assert cascade.parse("turn off the kitchen spots") == ToolCall("HassTurnOff", {"name": "Kitchen Spots"}, 1.0)
