"""`tandem eval tools`: the scorer's rules on hand-made cases, the held-out sets against the home and
the tool list, and the CLI's JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from device.collab.steps import ToolCall
from device.home.inventory import load_inventory
from device.tools import load_registry
from device.tools.parsers.base import HomeVocabulary
from harness.eval.tools import HOME, SETS, Case, Runner, figures, load_set, score
from harness.eval.tools_compare import HomeNames, same_call

INVENTORY = load_inventory(HOME)
NAMES = HomeNames.from_inventory(INVENTORY)


class _Fixed:
    """A parser that answers from a table (None for anything else)."""

    name = "fixed"

    def __init__(self, answers: dict[str, ToolCall | None]) -> None:
        self.answers = answers

    def parse(self, text: str) -> ToolCall | None:
        return self.answers.get(text)


def _outcomes(cases: list[Case], answers: dict[str, ToolCall | None]) -> list[Any]:
    return Runner(INVENTORY, lambda _v: _Fixed(answers)).run(cases, NAMES)


def test_the_scorer_tells_right_wrong_slot_wrong_intent_missed_and_false_trigger() -> None:
    cases = [Case("kill the garage light", "HassTurnOff", {"name": "Garage Light"}),
             Case("dim the bedroom lamp to 20", "HassLightSet", {"name": "Bedroom Lamp", "brightness": 20}),
             Case("pause the tv", "HassMediaPause", {"name": "TV"}),
             Case("next song", "HassMediaNext", {"area": "Living Room"}, here_area="Living Room"),
             Case("how do smart bulbs work?", None, {}),
             Case("why is the sky blue?", None, {})]
    answers = {"kill the garage light": ToolCall("HassTurnOff", {"name": "garage light "}),  # right: case, spaces
               "dim the bedroom lamp to 20": ToolCall("HassLightSet", {"name": "Bedroom Lamp", "brightness": 30}),
               "pause the tv": ToolCall("HassMediaUnpause", {"name": "TV"}),
               "how do smart bulbs work?": ToolCall("HassTurnOn", {"domain": "light"})}
    outcomes = _outcomes(cases, answers)
    assert [o.kind for o in outcomes] == ["exact", "wrong_slots", "wrong_intent", "not_recognised",
                                          "false_trigger", "exact"]
    f = figures(outcomes)
    assert f["n"] == 6 and f["exact"] == round(2 / 6, 4)
    assert f["intent_accuracy"] == round(3 / 6, 4)  # the garage light, the lamp, the sky
    assert f["not_recognised"] == 0.25 and f["false_triggers"] == 0.5
    s = score(outcomes)
    assert s["per_intent"]["none"]["false_triggers"] == 0.5 and s["per_intent"]["HassTurnOff"]["exact"] == 1.0
    assert s["outcomes"] == {"exact": 2, "wrong_slots": 1, "wrong_intent": 1, "not_recognised": 1, "false_trigger": 1}
    assert {m["text"] for m in s["misses"]} == {"dim the bedroom lamp to 20", "pause the tv", "next song",
                                                "how do smart bulbs work?"}


@pytest.mark.parametrize(("gold", "got", "same"), [
    ({"brightness": 50}, {"brightness": 50.0}, True),  # numbers as numbers
    ({"brightness": 50}, {"brightness": "50"}, True),
    ({"brightness": 50}, {"brightness": 51}, False),
    ({"name": "Trader Joes", "item": "apples"}, {"name": "Trader Joe's", "item": "Apples"}, True),  # an alias
    ({"area": "Kitchen", "name": "all", "domain": "fan"}, {"area": "kitchen_id", "domain": "fan"}, True),
    ({"area": "Kitchen", "domain": "fan"}, {"area": "Kitchen"}, False),  # a domain the target lacks
    ({"area": "Kitchen", "domain": "light"}, {"area": "Kitchen", "domain": "light", "color": "red"}, False),
])
def test_slot_rules(gold: dict[str, Any], got: dict[str, Any], same: bool) -> None:
    assert same_call("HassTurnOn", gold, "HassTurnOn", got, NAMES) is same


def test_implied_and_redundant_slots_may_be_left_out() -> None:
    # the intent implies the domain; the named entity has its domain and device class
    assert same_call("HassLightSet", {"area": "Bedroom", "brightness": 1, "name": "all"}, "HassLightSet",
                     {"area": "Bedroom", "brightness": 1, "domain": "light"}, NAMES)
    assert same_call("HassGetState", {"domain": "lock", "name": "Front Door", "state": "locked"}, "HassGetState",
                     {"name": "Front Door", "state": "locked"}, NAMES)
    assert not same_call("HassGetState", {"domain": "cover", "name": "Front Door", "state": "locked"},
                         "HassGetState", {"name": "Front Door", "state": "locked"}, NAMES)
    # the device's own area: the tools fall back to it, so leaving it out is the same call
    assert same_call("HassMediaNext", {"area": "Living Room"}, "HassMediaNext", {}, NAMES, here_area="Living Room")
    assert not same_call("HassMediaNext", {"area": "Kitchen"}, "HassMediaNext", {}, NAMES, here_area="Living Room")


def test_the_sets_are_big_enough_and_every_label_fits_the_tools_and_the_home() -> None:
    tools = load_registry(entry_points=False)
    areas = {w.casefold() for a in INVENTORY.areas for w in (a.name, *a.aliases)}
    floors = {w.casefold() for f in INVENTORY.floors for w in (f.name, *f.aliases)}
    entities = {w.casefold() for e in INVENTORY.entities for w in (e.name, *e.aliases)}
    not_entities = {"HassStartTimer", "HassCancelTimer", "HassIncreaseTimer", "HassDecreaseTimer",
                    "HassPauseTimer", "HassUnpauseTimer", "HassTimerStatus"}  # `name` is the timer's
    sizes = {name: len(load_set(name)) for name in SETS}
    assert sizes["ha_style"] >= 300 and sizes["paraphrase"] >= 250 and sizes["non_commands"] >= 200
    assert sizes["paraphrase2"] >= 180 and sizes["non_commands2"] >= 50  # written later, by someone else
    texts: set[str] = set()
    for name in SETS:
        for case in load_set(name):
            assert case.text.casefold() not in texts, f"{case.text!r} is in two places"
            texts.add(case.text.casefold())
            if name.startswith("non_commands"):
                assert case.intent is None and not case.slots
                continue
            assert case.intent in tools, f"{case.text!r}: {case.intent} is not a tool"
            assert case.here_area is None or case.here_area.casefold() in areas
            for slot, value in case.slots.items():
                if slot == "area":
                    assert str(value).casefold() in areas, f"{case.text!r}: no area {value!r}"
                elif slot == "floor":
                    assert str(value).casefold() in floors, f"{case.text!r}: no floor {value!r}"
                elif slot == "name" and case.intent not in not_entities and value != "all":
                    assert str(value).casefold() in entities, f"{case.text!r}: no entity {value!r}"


def test_the_reference_matcher_reads_the_home_and_the_device_area() -> None:
    pytest.importorskip("hassil", reason="Home Assistant's matcher: pip install 'tandem-edge[eval]'")
    from harness.eval.tools_reference import HassilReference

    living = next(a for a in INVENTORY.areas if a.name == "Living Room")
    vocabulary = HomeVocabulary(INVENTORY.floors, INVENTORY.areas, INVENTORY.entities, living.id)
    matcher = HassilReference(vocabulary)
    call = matcher.parse("turn off the lights")
    assert call is not None and call.name == "HassTurnOff"
    assert call.arguments.get("area") == "Living Room" and call.arguments.get("domain") == "light"
    assert matcher.parse("why is the sky blue?") is None


def test_eval_tools_json_with_the_rules_parser(tmp_path: Path) -> None:
    pytest.importorskip("hassil", reason="Home Assistant's matcher: pip install 'tandem-edge[eval]'")
    env = dict(os.environ, TANDEM_MODELS_DIR=str(tmp_path / "models"), TANDEM_CONFIG=str(tmp_path / "none.toml"))
    out = subprocess.run([sys.executable, "-m", "tandem.cli", "eval", "tools", "--parser", "rules", "--sets",
                          "paraphrase,non_commands", "--json"], capture_output=True, text=True, timeout=300,
                         env=env, check=False)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["parser"] == "rules" and report["reference"] == "hassil"
    assert set(report["sets"]) == {"paraphrase", "non_commands"}
    keys = {"n", "exact", "intent_accuracy", "false_triggers", "not_recognised", "ms_p50", "ms_p90", "per_intent"}
    for figures_ in report["sets"].values():
        assert set(figures_) >= keys | {"reference"}
        assert set(figures_["reference"]) >= keys
        assert 0.0 <= figures_["exact"] <= 1.0
    assert report["sets"]["non_commands"]["n"] == len(load_set("non_commands"))
    assert report["sets"]["paraphrase"]["false_triggers"] is None  # no non-commands in that set
    assert "HassTurnOff" in report["sets"]["paraphrase"]["per_intent"]
    assert "non_commands" in out.stderr  # progress goes to stderr


def test_eval_tools_prints_a_table_without_json(tmp_path: Path) -> None:
    env = dict(os.environ, TANDEM_MODELS_DIR=str(tmp_path / "models"), TANDEM_CONFIG=str(tmp_path / "none.toml"))
    out = subprocess.run([sys.executable, "-m", "tandem.cli", "eval", "tools", "--parser", "rules", "--sets",
                          "non_commands", "--no-reference"], capture_output=True, text=True, timeout=120, env=env,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert "non-commands that fired" in out.stdout and "none" in out.stdout


@pytest.mark.parametrize(("flag", "value", "names"), [("--sets", "nope", "ha_style"), ("--parser", "nope", "rules")])
def test_eval_tools_refuses_an_unknown_set_or_parser(tmp_path: Path, flag: str, value: str, names: str) -> None:
    env = dict(os.environ, TANDEM_MODELS_DIR=str(tmp_path / "models"), TANDEM_CONFIG=str(tmp_path / "none.toml"))
    out = subprocess.run([sys.executable, "-m", "tandem.cli", "eval", "tools", flag, value, "--json"],
                         capture_output=True, text=True, timeout=120, env=env, check=False)
    assert out.returncode != 0 and names in out.stderr and not out.stdout
