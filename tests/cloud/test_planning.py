"""The worker as a planner: answer schemas, parsing a model's plan, the echo and openai planners, and a
worker whose backend cannot plan answering an error instead of prose."""

from __future__ import annotations

import asyncio
import json
import sys
import types
from pathlib import Path
from typing import Any, ClassVar

import httpx
import jsonschema
import pytest

from cloud.backends.echo import EchoBackend
from cloud.backends.openai import OpenAIBackend
from cloud.errors import BackendError, PlanningUnsupported
from cloud.planning import answer_schema, constrained_plan, json_schema_of, parse_plan, plan_task, tool_specs
from cloud.worker import Worker
from device.escalation import Escalator
from protocol.keys import DeviceKeys
from protocol.messages import SubTask
from protocol.tools import PlannedToolCall
from tandem.broker import BrokerProcess

TOOLS = tool_specs([
    {"name": "HassTurnOff", "description": "Turn off a device",
     "parameters": {"type": "object", "properties": {"name": {"type": "string"}, "area": {"type": "string"}}}},
    {"name": "HassStartTimer", "description": "Start a timer",
     "parameters": {"type": "object", "properties": {"minutes": {"type": "integer"}, "name": {"type": "string"}},
                    "required": ["minutes"]}},
])


def test_echo_plans_by_keywords_with_the_request_placeholders() -> None:
    echo = EchoBackend()
    assert echo.plan("Please turn off <DEVICE_1> in <AREA_1>", TOOLS) == PlannedToolCall(
        name="HassTurnOff", arguments={"name": "<DEVICE_1>", "area": "<AREA_1>"})
    assert echo.plan("start a 3 minute timer", TOOLS) == PlannedToolCall(name="HassStartTimer",
                                                                          arguments={"minutes": 3})
    assert echo.plan("What is the capital of France?", TOOLS) is None


def test_the_answer_schema_admits_a_call_of_an_offered_tool_or_none() -> None:
    schema = answer_schema(TOOLS)
    jsonschema.validate({"name": "HassTurnOff", "arguments": {"name": "<DEVICE_1>"}}, schema)
    jsonschema.validate({"name": None}, schema)
    for bad in ({"name": "HassRmRf", "arguments": {}}, {"name": "HassStartTimer", "arguments": {"minutes": "3"}},
                {"name": "HassStartTimer", "arguments": {}}, {"arguments": {}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_python_type_names_become_json_schema_types() -> None:
    schema = json_schema_of({"type": "dict", "properties": {"x": {"type": "float"}, "ys": {"type": "tuple",
                                                                                          "items": {"type": "int"}}}})
    assert schema == {"type": "object", "properties": {"x": {"type": "number"},
                                                       "ys": {"type": "array", "items": {"type": "integer"}}}}


def test_parse_plan_checks_what_the_model_wrote() -> None:
    assert parse_plan('```json\n{"name": "HassTurnOff", "arguments": {"name": "<DEVICE_1>"}}\n```', TOOLS) == \
        PlannedToolCall(name="HassTurnOff", arguments={"name": "<DEVICE_1>"})
    assert parse_plan('{"name": "HassStartTimer", "arguments": "{\\"minutes\\": 5}"}', TOOLS) == \
        PlannedToolCall(name="HassStartTimer", arguments={"minutes": 5})
    assert parse_plan('{"name": null}', TOOLS) is None
    for bad, why in (("Sure! I turned it off.", "not JSON"), ("[1]", "not a JSON object"),
                     ('{"name": "HassRmRf", "arguments": {}}', "not offered"),
                     ('{"name": "HassTurnOff", "arguments": {"name": "' + "x" * 20000 + '"}}', "out of bounds")):
        with pytest.raises(BackendError, match=why):
            parse_plan(bad, TOOLS)


def test_constrained_planning_goes_through_inference_constrained(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[object, str, list[dict[str, Any]]]] = []
    module = types.ModuleType("inference.constrained")

    def plan_call(engine: object, text: str, tools: list[dict[str, Any]]) -> object:
        seen.append((engine, text, tools))
        return types.SimpleNamespace(name="HassTurnOff", arguments={"name": "<DEVICE_1>"})

    module.plan_call = plan_call  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "inference.constrained", module)
    assert constrained_plan("engine", "kill <DEVICE_1>", TOOLS) == PlannedToolCall(
        name="HassTurnOff", arguments={"name": "<DEVICE_1>"})
    assert seen[0][0] == "engine" and [t["name"] for t in seen[0][2]] == ["HassTurnOff", "HassStartTimer"]


def _openai(reply: dict[str, Any], bodies: list[dict[str, Any]]) -> OpenAIBackend:
    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json={"choices": [{"message": reply}], "usage": {"completion_tokens": 7}})

    return OpenAIBackend(transport=httpx.MockTransport(handler), model="m")


def test_openai_plans_with_the_tools_parameter() -> None:
    bodies: list[dict[str, Any]] = []
    backend = _openai({"role": "assistant", "content": None, "tool_calls": [
        {"id": "c1", "type": "function",
         "function": {"name": "HassTurnOff", "arguments": '{"name": "<DEVICE_1>"}'}}]}, bodies)
    assert backend.plan("kill <DEVICE_1>", TOOLS) == PlannedToolCall(name="HassTurnOff",
                                                                     arguments={"name": "<DEVICE_1>"})
    assert [t["function"]["name"] for t in bodies[0]["tools"]] == ["HassTurnOff", "HassStartTimer"]
    assert bodies[0]["tool_choice"] == "auto" and not bodies[0].get("stream")
    assert backend.last_tokens == 7
    words = _openai({"role": "assistant", "content": "Paris."}, [])
    assert words.plan("What is the capital of France?", TOOLS) is None


class ProseOnly:
    """A backend without `plan`: it can only write text."""

    name: ClassVar[str] = "prose"
    can_stream: ClassVar[bool] = True
    inline = True

    @property
    def model(self) -> str:
        return "prose"

    def generate(self, task: SubTask) -> Any:
        yield "I would turn it off."


def test_plan_task_refuses_a_backend_that_cannot_plan() -> None:
    with pytest.raises(PlanningUnsupported, match="cannot plan"):
        plan_task(ProseOnly(), SubTask(prompt="kill <DEVICE_1>", tools=TOOLS))


@pytest.mark.parametrize(("backend", "expect"), [
    (EchoBackend(), {"error": None, "text": "", "tool_call": {"name": "HassTurnOff",
                                                              "arguments": {"name": "<DEVICE_1>"}}}),
    (ProseOnly(), {"text": "", "tool_call": None}),
])
def test_a_worker_answers_a_planning_task_with_a_call_or_an_error_never_prose(
        backend: Any, expect: dict[str, Any], mosquitto: BrokerProcess, keys_root: Path) -> None:
    import threading

    worker = Worker(broker_url=mosquitto.url, keys_root=keys_root, backend=backend, shared=False)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()

    async def ask() -> Any:
        esc = Escalator(broker_url=mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"))
        await esc.start()
        try:
            record, fut = await esc.submit(SubTask(prompt="Turn off <DEVICE_1>", tools=TOOLS))
            return await esc.wait(record, fut, 10)
        finally:
            await esc.close()

    try:
        import time

        deadline = time.monotonic() + 10
        while not worker.connected and time.monotonic() < deadline:  # bounds the wait only
            time.sleep(0.02)
        result = asyncio.run(ask())
    finally:
        stop.set()
        thread.join(10)
    got = {"error": result.error, "text": result.text,
           "tool_call": result.tool_call.model_dump() if result.tool_call else None}
    assert {k: got[k] for k in expect} == expect
    if isinstance(backend, ProseOnly):
        assert result.error is not None and "cannot plan tool calls" in result.error


def test_the_prompt_shows_each_tool_as_one_signature_line() -> None:
    from cloud.planning import planning_messages, signature

    assert signature(TOOLS[1]) == "HassStartTimer(minutes: integer, name?: string): Start a timer"
    volume = tool_specs([{"name": "V", "description": "Volume", "parameters": {"type": "object", "properties": {
        "step": {"oneOf": [{"enum": ["up", "down"]}, {"type": "number", "minimum": -100, "maximum": 100}],
                 "description": "how much"}}}}])[0]
    assert signature(volume) == 'V(step?: "up"|"down"|number -100..100 (how much)): Volume'
    system, user = planning_messages("kill <DEVICE_1>", TOOLS)
    assert signature(TOOLS[0]) in system["content"] and user == {"role": "user", "content": "kill <DEVICE_1>"}


def test_a_two_step_plan_chooses_a_tool_then_fills_its_arguments() -> None:
    from cloud.planning import choice_schema, parse_choice

    schema = choice_schema(TOOLS)
    jsonschema.validate({"is_command": True, "name": "HassStartTimer"}, schema)
    jsonschema.validate({"is_command": False, "name": None}, schema)
    for bad in ({"is_command": True, "name": "HassRmRf"}, {"name": "HassStartTimer"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
    assert parse_choice('{"is_command": true, "name": "HassStartTimer"}', TOOLS) == TOOLS[1]
    assert parse_choice('{"is_command": true, "name": null}', TOOLS) is None
    assert parse_choice('{"is_command": false, "name": "HassStartTimer"}', TOOLS) is None
    with pytest.raises(BackendError, match="not offered"):
        parse_choice('{"name": "HassRmRf"}', TOOLS)
    one = answer_schema([TOOLS[1]], allow_none=False)
    jsonschema.validate({"name": "HassStartTimer", "arguments": {"minutes": 2}}, one)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": None}, one)
