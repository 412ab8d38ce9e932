"""BFCL scoring (`harness.eval.bfcl_ast`, ported from bfcl_eval's AST checker) on hand-written cases, the
data reader, and `tandem eval bfcl --json` as the CLI prints it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.eval.bfcl_ast import check, standardize
from harness.eval.bfcl_data import to_json_schema

AREA = {"name": "calculate_triangle_area", "description": "Area of a triangle.",
        "parameters": {"type": "dict", "properties": {"base": {"type": "integer"}, "height": {"type": "float"},
                                                      "unit": {"type": "string"},
                                                      "sides": {"type": "array", "items": {"type": "integer"}}},
                       "required": ["base", "height"]}}
TRUTH = [{"calculate_triangle_area": {"base": [10], "height": [5.0], "unit": ["units", ""],
                                      "sides": [[3, 4], ""]}}]


@pytest.mark.parametrize(("arguments", "error"), [
    ({"base": 10, "height": 5.0}, ""),  # optional arguments omitted where "" is accepted
    ({"base": 10, "height": 5}, ""),  # an int where a float is declared counts as that float
    ({"base": 10, "height": 5.0, "unit": "Units"}, ""),  # BFCL's string normalisation: case
    ({"base": 10, "height": 5.0, "sides": [3, 4]}, ""),
    ({"base": 11, "height": 5.0}, "value_error:others"),
    ({"base": 10, "height": 5.0, "unit": "meters"}, "value_error:string"),
    ({"base": 10, "height": 5.0, "sides": [4, 3]}, "value_error:list/tuple"),
    ({"height": 5.0}, "simple_function_checker:missing_required"),
    ({"base": 10, "height": 5.0, "color": "red"}, "simple_function_checker:unexpected_param"),
    ({"base": "10", "height": 5.0}, "type_error:simple"),
])
def test_ast_check_follows_bfcl(arguments: dict, error: str) -> None:
    verdict = check([AREA], ("calculate_triangle_area", arguments), TRUTH)
    assert (verdict.valid, verdict.error) == (error == "", error)


def test_wrong_function_no_call_and_irrelevance() -> None:
    assert check([AREA], ("other", {"base": 10}), TRUTH).error == "simple_function_checker:wrong_func_name"
    assert check([AREA], None, TRUTH).error == "no_call"
    assert check([AREA], None, None).valid  # irrelevance: right = no call
    assert not check([AREA], ("calculate_triangle_area", {"base": 1, "height": 1.0}), None).valid
    required = [{"calculate_triangle_area": {"base": [10], "height": [5.0], "unit": ["units"]}}]
    verdict = check([AREA], ("calculate_triangle_area", {"base": 10, "height": 5.0}), required)
    assert verdict.error == "simple_function_checker:missing_optional"  # no "" among the accepted values


def test_standardize_is_bfcls() -> None:
    assert standardize("April 1, 2024") == standardize("april 1 2024") == "april12024"
    assert standardize("it's") == 'it"s'


def test_python_types_become_json_schema() -> None:
    spec = {"type": "dict", "properties": {"x": {"type": "float"}, "t": {"type": "tuple", "items": {"type": "integer"}},
                                           "d": {"type": "dict"}, "a": {"type": "any"},
                                           "e": {"type": "string", "enum": ["a", "b"]}}, "required": ["x", "nope"]}
    assert to_json_schema(spec) == {
        "type": "object", "required": ["x"], "additionalProperties": False,
        "properties": {"x": {"type": "number"}, "t": {"type": "array", "items": {"type": "integer"}},
                       "d": {"type": "object"}, "a": {"type": "string"}, "e": {"enum": ["a", "b"]}}}


def test_a_described_array_or_object_keeps_its_items_and_properties() -> None:
    # the description once ended the chain: a described list of floats lost its item type (the device
    # wrote [12, 15], which BFCL refuses for List[float]) and a described dict its properties
    spec = {"type": "dict", "properties": {
        "numbers": {"type": "array", "items": {"type": "float"}, "description": "The numbers."},
        "area": {"type": "dict", "description": "The area.", "properties": {"width": {"type": "integer"}},
                 "required": ["width"]}}}
    schema = to_json_schema(spec)["properties"]
    assert schema["numbers"] == {"type": "array", "description": "The numbers.", "items": {"type": "number"}}
    assert schema["area"] == {"type": "object", "description": "The area.", "properties": {"width": {"type": "integer"}},
                              "required": ["width"], "additionalProperties": False}


def test_data_reader_needs_bfcl_eval_and_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.eval import bfcl_data

    monkeypatch.setitem(sys.modules, "bfcl_eval", None)  # as if not installed
    with pytest.raises(HarnessError, match="pip install --no-deps bfcl-eval"):
        bfcl_data.load_category("simple_python", 1)
    with pytest.raises(HarnessError, match="unknown BFCL category"):
        bfcl_data.load_category("nope")


def test_data_reader_reads_questions_functions_and_answers() -> None:
    pytest.importorskip("bfcl_eval", reason="BFCL's data: pip install --no-deps bfcl-eval")
    from harness.eval.bfcl_data import load_category

    (item,) = load_category("simple_python", 1)
    assert item.question.startswith("Find the area of a triangle") and item.functions[0]["name"] in item.ground_truth[0]
    assert all(i.ground_truth is None for i in load_category("irrelevance", 3))


def test_every_nth_item_spreads_the_sample_over_the_file() -> None:
    pytest.importorskip("bfcl_eval", reason="BFCL's data: pip install --no-deps bfcl-eval")
    from harness.eval.bfcl_data import load_category

    whole = load_category("simple_python", 11)
    assert [i.id for i in load_category("simple_python", 3, every=5)] == [whole[0].id, whole[5].id, whole[10].id]
    with pytest.raises(HarnessError, match="every"):
        load_category("simple_python", 3, every=0)


def test_unsure_decisions_go_to_the_planner_and_its_answer_is_scored() -> None:
    """The escalation seam: the device's no-call at p(call) 0.6 is 0.4 sure, below 0.5: the planner answers
    (and is right here); a sure decision stays on the device; without a planner nothing escalates."""
    pytest.importorskip("bfcl_eval", reason="BFCL's data: pip install --no-deps bfcl-eval")
    from harness.eval.bfcl import run_item
    from harness.eval.bfcl_data import load_category
    from inference.constrained import PlannedCall

    (item,) = load_category("simple_python", 1)
    truth = item.ground_truth[0]
    name, allowed = next(iter(truth.items()))
    right = PlannedCall(name, {k: v[0] for k, v in allowed.items() if v and v[0] != ""}, 1.0, 1.0)
    asked: list[str] = []

    def planner(text: str, tools: object) -> PlannedCall:
        asked.append(text)
        return right

    unsure = run_item(item, lambda _: (None, 0.6), planner, escalate_below=0.5)
    assert unsure.escalated and unsure.right and asked == [item.question]
    sure = run_item(item, lambda _: (None, 0.1), planner, escalate_below=0.5)
    assert not sure.escalated and not sure.right and len(asked) == 1
    alone = run_item(item, lambda _: (None, 0.6), None, escalate_below=0.5)
    assert not alone.escalated and not alone.right


@pytest.mark.real_model
def test_cli_prints_the_categories_json(tmp_path: Path) -> None:
    pytest.importorskip("bfcl_eval", reason="BFCL's data: pip install --no-deps bfcl-eval")
    from tests.conftest import real_models_dir

    env = dict(os.environ, TANDEM_MODELS_DIR=str(real_models_dir()), TANDEM_CONFIG=str(tmp_path / "none.toml"),
               PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    out = subprocess.run([sys.executable, "-m", "tandem.cli", "eval", "bfcl", "--categories", "simple_python,irrelevance",
                          "--device-only", "--limit", "3", "--json"], capture_output=True, text=True, timeout=600,
                         env=env, check=False)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result["categories"]) == {"simple_python", "irrelevance"}
    for row in result["categories"].values():
        assert {"n", "accuracy", "escalated"} <= set(row) and row["n"] == 3
        assert 0.0 <= row["accuracy"] <= 1.0 and row["escalated"] == 0.0
