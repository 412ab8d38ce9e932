"""The built-in tools keep Home Assistant's intent names and slot names (its public intents.json says them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from device.errors import ToolError
from device.tools import ToolRegistry, load_registry
from device.tools.base import Tool, ToolInput, ToolOutcome
from device.tools.user_tools import load_toml_tools

# intents that need a Home Assistant feature the device does not have (HA's own respond/satellite logic)
NOT_BUILT = {"HassRespond", "HassClimateSetFanMode", "HassVacuumCleanArea"}
ISSUE_NAMES = {"HassTurnOn", "HassTurnOff", "HassToggle", "HassLightSet", "HassClimateSetTemperature",
               "HassClimateGetTemperature", "HassGetState", "HassSetPosition", "HassFanSetSpeed", "HassStartTimer",
               "HassCancelTimer", "HassCancelAllTimers", "HassPauseTimer", "HassUnpauseTimer", "HassIncreaseTimer",
               "HassDecreaseTimer", "HassTimerStatus", "HassShoppingListAddItem", "HassShoppingListCompleteItem",
               "HassListAddItem", "HassListCompleteItem", "HassListRemoveItem", "HassMediaPause", "HassMediaUnpause",
               "HassMediaNext", "HassMediaPrevious", "HassSetVolume", "HassSetVolumeRelative", "HassMediaPlayerMute",
               "HassMediaPlayerUnmute", "HassMediaSearchAndPlay", "HassVacuumStart", "HassVacuumReturnToBase",
               "HassLawnMowerStartMowing", "HassLawnMowerDock", "HassGetCurrentTime", "HassGetCurrentDate",
               "HassGetWeather", "HassBroadcast", "HassNevermind"}


def _home_assistant_intents() -> dict[str, dict[str, object]]:
    intents = pytest.importorskip("home_assistant_intents", reason="pip install 'tandem-edge[dev]'")
    return json.loads((Path(intents.__file__).parent / "intents.json").read_text())


def test_every_intent_the_issue_names_is_a_tool_with_home_assistants_slot_names() -> None:
    registry = load_registry(entry_points=False)
    assert ISSUE_NAMES <= {t.name for t in registry}
    upstream = _home_assistant_intents()
    for name, spec in upstream.items():
        if name in NOT_BUILT:
            continue
        tool = registry.get(name)
        slots = set(spec.get("slots", {}))  # type: ignore[call-overload]
        ours = set(tool.schema["properties"])
        assert slots <= ours | {"media_class", "conversation_command"}, (name, slots - ours)
        required = {s for s, v in spec.get("slots", {}).items() if v.get("required")}  # type: ignore[union-attr]
        assert required <= set(tool.schema["required"]) | {"name"}, (name, required)


def test_names_are_unique_and_user_tools_come_from_toml(tmp_path: Path) -> None:
    async def nothing(inp: ToolInput) -> ToolOutcome:
        return ToolOutcome({})

    with pytest.raises(ToolError, match="two tools are called"):
        ToolRegistry([Tool("X", "", {}, nothing, acts=False, template=""),
                      Tool("X", "", {}, nothing, acts=False, template="")])
    path = tmp_path / "tools.toml"
    path.write_text('[[tool]]\nname = "GarageLightOn"\ndescription = "on"\n'
                    'mqtt = { topic = "garage/light/set", payload = "ON" }\n')
    (tool,) = load_toml_tools(path)
    assert tool.name == "GarageLightOn" and tool.acts
    path.write_text('[[tool]]\nname = "Both"\ndescription = "x"\npython = "a.b:c"\nmqtt = { topic = "t" }\n')
    with pytest.raises(ToolError, match="exactly one of mqtt or python"):
        load_toml_tools(path)
    registry = load_registry(toml_file=None, entry_points=False)
    assert "GarageLightOn" not in registry and all(d["parameters"]["type"] == "object" for d in registry.describe())
