"""What the cloud planner sends (home names masked, schema values stripped) and how it checks a plan."""

from __future__ import annotations

import pytest

from device.home.model import Area, Entity, Floor
from device.redaction.vault import Vault
from device.tools import Tool, ToolOutcome, ToolRegistry, load_registry
from device.tools.parsers.base import HomeVocabulary
from device.tools.parsers.cloud_planner import (
    CloudPlanner,
    PlanRefused,
    looks_like_command,
    mask_home,
    offered_tools,
    strip_values,
)

HOME = HomeVocabulary(
    floors=(Floor("upstairs", "Upstairs", ("first floor",)),),
    areas=(Area("living_room", "Living Room", "downstairs", ("lounge",)), Area("kitchen", "Kitchen")),
    entities=(Entity("light.kitchen_spots", "Kitchen Spots", ("spots",), "kitchen"),
              Entity("lock.patio_door", "Patio Door", (), "living_room")),
)


def test_the_home_names_become_placeholders_longest_first_any_case() -> None:
    vault = Vault()
    masked = mask_home("Kill the kitchen spots and the SPOTS in the lounge upstairs, then the kitchen", HOME, vault)
    assert masked == "Kill the <DEVICE_1> and the <DEVICE_1> in the <AREA_1> <FLOOR_1>, then the <AREA_2>"
    assert vault.restore("<DEVICE_1>|<AREA_1>|<FLOOR_1>") == "Kitchen Spots|Living Room|Upstairs"
    assert mask_home("Turn off the kitchenette light", HOME, Vault()) == "Turn off the kitchenette light"


def test_schema_values_that_name_the_home_or_the_user_are_stripped() -> None:
    schema = {"type": "object", "properties": {
        "room": {"type": "string", "enum": ["Kitchen", "Garage"], "default": "Kitchen"},
        "who": {"type": "string", "const": "Alice", "examples": ["Alice"]},
        "step": {"enum": ["up", "down"]}}}
    out = strip_values(schema, frozenset({"kitchen", "alice"}))
    assert out == {"type": "object", "properties": {"room": {"type": "string"}, "who": {"type": "string"},
                                                    "step": {"enum": ["up", "down"]}}}


def _registry_with(tool_schema: dict[str, object]) -> ToolRegistry:
    async def run(inp: object) -> ToolOutcome:
        return ToolOutcome({})

    registry = load_registry(entry_points=False)
    registry.add(Tool("SceneActivate", "Activate a scene", tool_schema, run, acts=True, template="Done."))
    return registry


def test_offered_tools_carry_no_home_value() -> None:
    registry = _registry_with({"type": "object", "properties": {
        "scene": {"type": "string", "enum": ["Patio Door party", "Kitchen Spots"]}}})
    offered = offered_tools(registry, HOME, ["bob@example.com"])
    text = " ".join(t.model_dump_json() for t in offered).lower()
    for word in ("kitchen", "patio", "lounge", "upstairs", "bob@"):
        assert word not in text
    assert {t.name for t in offered} == {t.name for t in registry}


@pytest.mark.parametrize(("text", "command"), [
    ("Kill the garage light", True), ("it's too dark in here, bump the lights up to 80%", True),
    ("start a 3 minute countdown for the eggs", True), ("Could you dim the lamp a bit?", True),
    ("Power off the kitchen spots", True), ("How does a light switch work?", False),
    ("Write a poem about a kitchen light.", False), ("What is the capital of France?", False),
    ("Tell me about thermostats", False), ("Thanks, that was helpful", False),
])
def test_looks_like_command(text: str, command: bool) -> None:
    assert looks_like_command(text, ("Kitchen Spots",)) is command


def test_a_plan_keeps_what_the_request_states_and_drops_guesses() -> None:
    planner = CloudPlanner(load_registry(entry_points=False), lambda: HOME)
    asked = "Kill the <DEVICE_1> in <AREA_1>, mail <EMAIL_1>"
    offered = offered_tools(planner.registry, HOME)
    call = planner.check("HassTurnOff", {"name": "<DEVICE_1>", "area": "<EMAIL_1>", "floor": "1st floor",
                                         "domain": "light"}, asked, offered)
    assert call.arguments == {"name": "<DEVICE_1>"} and call.planned_by == "cloud"
    light = planner.check("HassLightSet", {"area": "<AREA_1>", "brightness": 80, "temperature": 0,
                                           "color": "null"}, "bump the lights in <AREA_1> up to 80%", offered)
    assert light.arguments == {"area": "<AREA_1>", "brightness": 80}
    timer = planner.check("HassStartTimer", {"minutes": 3, "name": "eggs"}, "start a 3 minute timer for the eggs",
                          offered)
    assert timer.arguments == {"minutes": 3, "name": "eggs"}
    with pytest.raises(PlanRefused, match="not a tool of this device"):
        planner.check("HassRmRf", {}, asked, offered)
    for sneaky in ("<PERSON_1>", "[PERSON_1]", "{DEVICE_2}"):
        with pytest.raises(PlanRefused, match="does not hold"):
            planner.check("HassTurnOff", {"name": sneaky}, asked, offered)
