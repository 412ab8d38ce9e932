"""Grammar-constrained decoding: whatever the model prefers, the output is valid under the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("llguidance", reason="constrained decoding needs llguidance: pip install 'tandem-edge[device]'")

from inference.constrained import (
    ToolSpec,
    call_schema,
    decide_call,
    drop_ungrounded_optional,
    generate_json,
    grounded,
    mentioned,
    percent_as_fraction,
    plain_bytelevel,
    plan_call,
    unmentioned_required,
)
from inference.engine import Engine, load_engine
from inference.relevance import relevant

SCHEMAS = [
    {"type": "object", "properties": {"on": {"type": "boolean"}, "level": {"type": "integer", "minimum": 0,
                                                                          "maximum": 100}},
     "required": ["on", "level"], "additionalProperties": False},
    {"type": "object", "properties": {"color": {"enum": ["red", "green", "warm white"]},
                                      "tags": {"type": "array", "items": {"type": "string", "maxLength": 6},
                                               "maxItems": 3}},
     "required": ["color", "tags"], "additionalProperties": False},
    {"anyOf": [{"type": "null"}, {"type": "object", "properties": {"name": {"const": "HassTurnOn"}},
                                  "required": ["name"], "additionalProperties": False}]},
]
LIGHT = ToolSpec("HassLightSet", "Sets the brightness of a light",
                 {"type": "object", "properties": {"name": {"type": "string", "maxLength": 20},
                                                   "brightness": {"type": "integer", "minimum": 0, "maximum": 100}},
                  "required": ["brightness"], "additionalProperties": False})


def _valid(value: object, schema: dict) -> None:
    import jsonschema

    jsonschema.validate(value, schema)


@pytest.fixture(scope="module")
def tiny(tiny_model: Path) -> Engine:
    return load_engine(tiny_model, threads=1)


@pytest.mark.parametrize("schema", SCHEMAS)
def test_a_random_model_still_writes_schema_valid_json(tiny: Engine, schema: dict) -> None:
    result = generate_json(tiny, "Write JSON:", schema, max_tokens=64)
    _valid(result.value, schema)
    assert json.loads(result.text) == result.value and result.tokens > 0


def test_plan_call_on_a_random_model_is_a_valid_call_or_none(tiny: Engine) -> None:
    # the tiny model's context is 256 tokens and the prompt takes 230: a one-letter tool without arguments
    switch = ToolSpec("L", "", {"type": "object", "properties": {}, "additionalProperties": False})
    docs: list[dict[str, str]] = [{}]
    decision = decide_call(tiny, "on", [switch], min_call_probability=0.0, max_tokens=30, docs=docs)
    assert decision.call is not None and decision.call.name == "L"  # p(call) >= 0 always calls
    _valid(dict(decision.call.arguments), dict(switch.parameters))
    assert 0.0 <= decision.call.confidence <= decision.call_probability <= 1.0
    never = decide_call(tiny, "on", [switch], min_call_probability=1.01, max_tokens=30, docs=docs)
    assert never.call is None  # the no-call branch is forced: the grammar's null
    assert plan_call(tiny, "anything", []) is None


def test_llguidance_gets_a_plain_bytelevel_decoder() -> None:
    raw = json.dumps({"model": {"type": "BPE", "byte_fallback": True},
                      "decoder": {"type": "Sequence", "decoders": [{"type": "ByteFallback"},
                                                                   {"type": "ByteLevel", "add_prefix_space": True}]}})
    fixed = json.loads(plain_bytelevel(raw))
    assert fixed["decoder"] == {"type": "ByteLevel", "add_prefix_space": True}
    assert fixed["model"]["byte_fallback"] is False


def test_call_schema_is_null_or_one_tool_with_its_arguments() -> None:
    schema = call_schema([LIGHT])
    _valid(None, schema)
    _valid({"name": "HassLightSet", "arguments": {"brightness": 40}}, schema)
    import jsonschema

    with pytest.raises(jsonschema.ValidationError):
        _valid({"name": "HassTurnOff", "arguments": {"brightness": 40}}, schema)


def test_grounding_of_values_in_the_request() -> None:
    text = "Set the kitchen light to 40% in 2.5 minutes"
    assert grounded(40, text) and grounded(2.5, text) and grounded("Kitchen", text)
    assert not grounded(41, text) and not grounded("bedroom", text) and not grounded(True, text)
    assert mentioned("kitchen ceiling", text) and not mentioned("bedroom", text) and mentioned(False, text)
    args = {"brightness": 40, "name": "hallway", "transition": 2.5}
    assert drop_ungrounded_optional(args, LIGHT.parameters, text) == {"brightness": 40, "transition": 2.5}
    assert unmentioned_required({"brightness": 1}, LIGHT.parameters, text) == ["brightness"]


def test_a_flag_the_request_names_is_kept_and_one_it_does_not_is_dropped() -> None:
    schema = {"type": "object", "properties": {"group1": {"type": "array"}, "equal_variance": {"type": "boolean"},
                                               "detailed": {"type": "boolean"}, "includeHistory": {"type": "boolean"}},
              "required": ["group1"]}
    args = {"group1": [1, 2], "equal_variance": True, "detailed": True, "includeHistory": True}
    assert drop_ungrounded_optional(args, schema, "Compare the groups assuming equal variance") == {
        "group1": [1, 2], "equal_variance": True}
    assert drop_ungrounded_optional(args, schema, "standings with details, include the history") == {
        "group1": [1, 2], "detailed": True, "includeHistory": True}
    assert drop_ungrounded_optional({**args, "detailed": False}, schema, "with details") == {"group1": [1, 2]}


def test_a_rate_said_in_percent_becomes_a_fraction_unless_the_parameter_is_a_percentage() -> None:
    schema = {"type": "object", "properties": {
        "rate": {"type": "number", "description": "The annual interest rate."},
        "discount": {"type": "number", "description": "Discount in percent."},
        "brightness": {"type": "integer", "description": "0-100"}}}
    text = "a loan at 4.5% with a 10 % discount, lights at 40%"
    out = percent_as_fraction({"rate": 4.5, "discount": 10, "brightness": 40}, schema, text)
    assert out == {"rate": 0.045, "discount": 10, "brightness": 40}
    assert percent_as_fraction({"rate": 0.045}, schema, text) == {"rate": 0.045}  # already a fraction
    assert percent_as_fraction({"rate": 3}, schema, "3 years at 5%") == {"rate": 3}  # not the number said in %


def test_relevance_gate_keeps_tools_the_request_talks_about() -> None:
    area = ("calculate_circumference", "Calculates the circumference of a circle", ["radius", "unit"])
    assert relevant("What is the circumference of a circle with a radius of 4 inches?", *area)
    assert not relevant("Who won the world cup in 2010?", *area)
    assert relevant("And with a radius of 3?", *area)  # an argument's name is enough


@pytest.mark.real_model
def test_device_model_calls_the_tool_and_declines_small_talk(device_model_dir: Path) -> None:
    engine = load_engine(device_model_dir, threads=2)
    for schema in SCHEMAS:
        _valid(generate_json(engine, "Answer in JSON.", schema, max_tokens=64).value, schema)
    call = plan_call(engine, "Set the brightness of the kitchen light to 40", [LIGHT], min_call_probability=0.5)
    assert call is not None and call.name == "HassLightSet" and call.arguments.get("brightness") == 40
    assert plan_call(engine, "Write me a poem about autumn leaves", [LIGHT], min_call_probability=0.9,
                     relevance_gate=True) is None
