"""Tool schemas on a sub-task and a planned call on a result: bounded, and invisible to older peers."""

from __future__ import annotations

import json
import uuid

import pytest
from pydantic import ValidationError

from protocol.errors import InvalidResult
from protocol.ids import next_seq
from protocol.messages import Header, SubTask, TaskResult
from protocol.response import answer, new_response_key, open_result
from protocol.tools import MAX_TOOLS, PlannedToolCall, ToolSpec, json_depth

TURN_OFF = {"name": "HassTurnOff", "description": "Turn off a device",
            "parameters": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}}


def _nested(depth: int) -> dict[str, object]:
    doc: dict[str, object] = {}
    for _ in range(depth - 1):
        doc = {"a": doc}
    return doc


def test_without_the_new_fields_the_payloads_are_what_older_peers_send() -> None:
    task = SubTask(prompt="hi")
    assert "tools" not in json.loads(task.model_dump_json()) and "tools" not in task.model_dump(mode="json")
    result = TaskResult(task_id="0" * 32, text="x", model="m", backend="b", tokens=1)
    assert "tool_call" not in json.loads(result.model_dump_json())
    # an older peer's model (these fields only) reads them: exactly the v1 keys
    assert set(json.loads(task.model_dump_json())) == {"schema_version", "prompt", "system", "max_tokens",
                                                       "temperature", "part", "parts"}
    assert set(json.loads(result.model_dump_json())) == {"schema_version", "task_id", "text", "model", "backend",
                                                         "tokens", "timings_ms", "error"}


def test_tools_and_tool_call_round_trip() -> None:
    task = SubTask(prompt="kill <DEVICE_1>", tools=[TURN_OFF])
    assert SubTask.model_validate_json(task.model_dump_json()) == task
    assert task.tools is not None and task.tools[0].parameters["required"] == ["name"]
    result = TaskResult(task_id="0" * 32, text="", model="m", backend="b", tokens=1,
                        tool_call={"name": "HassTurnOff", "arguments": {"name": "<DEVICE_1>"}})
    assert TaskResult.model_validate_json(result.model_dump_json()) == result


@pytest.mark.parametrize("name", ["", "1abc", "has space", "a" * 65, "semi;colon", "ünï"])
def test_tool_names_are_checked(name: str) -> None:
    with pytest.raises(ValidationError):
        ToolSpec(name=name)
    with pytest.raises(ValidationError):
        PlannedToolCall(name=name)


@pytest.mark.parametrize("name", ["a", "HassTurnOff", "math.factorial", "get-weather_2", "A" + "b" * 63])
def test_good_tool_names_pass(name: str) -> None:
    assert ToolSpec(name=name).name == name


def test_schemas_and_arguments_are_bounded_json() -> None:
    ToolSpec(name="t", parameters=_nested(8))
    with pytest.raises(ValidationError, match="nested 9 deep"):
        ToolSpec(name="t", parameters=_nested(9))
    with pytest.raises(ValidationError, match="bytes as JSON"):
        ToolSpec(name="t", parameters={"description": "x" * 9000})
    with pytest.raises(ValidationError, match="nested"):
        PlannedToolCall(name="t", arguments={"a": [[[[[[[[1]]]]]]]]})
    with pytest.raises(ValidationError, match="bytes as JSON"):
        PlannedToolCall(name="t", arguments={"a": "x" * 17000})
    with pytest.raises(ValidationError):
        PlannedToolCall(name="t", arguments={"a": float("nan")})
    with pytest.raises(ValidationError):
        PlannedToolCall.model_validate({"name": "t", "arguments": {"a": object()}})
    with pytest.raises(ValidationError):  # not an object
        PlannedToolCall.model_validate({"name": "t", "arguments": [1, 2]})
    with pytest.raises(ValidationError):
        PlannedToolCall.model_validate({"name": "t", "arguments": {}, "run": True})


def test_a_validation_error_never_echoes_the_value() -> None:
    with pytest.raises(ValidationError) as err:
        PlannedToolCall(name="t", arguments={"secret": "hunter2" * 3000})
    assert "hunter2" not in str(err.value)


def test_the_tool_list_is_bounded_and_names_distinct() -> None:
    with pytest.raises(ValidationError, match="distinct"):
        SubTask(prompt="p", tools=[TURN_OFF, TURN_OFF])
    many = [{"name": f"t{i}"} for i in range(MAX_TOOLS + 1)]
    with pytest.raises(ValidationError):
        SubTask(prompt="p", tools=many)
    fat = [{"name": f"t{i}", "parameters": {"d": "x" * 7000}} for i in range(20)]
    with pytest.raises(ValidationError, match="at most"):
        SubTask(prompt="p", tools=fat)


def test_json_depth() -> None:
    assert json_depth(1) == 0 and json_depth({}) == 1 and json_depth({"a": [1]}) == 2
    assert json_depth(_nested(50)) == 50  # iterative: no recursion limit to hit


def test_an_out_of_bounds_call_in_an_authenticated_result_names_its_task() -> None:
    """The device fails the task at once (InvalidResult carries its id) instead of waiting for its expiry."""
    key = new_response_key()
    task_id = uuid.uuid4().hex
    header = Header(schema_version=2, kind="task", device_id="dev-a", task_id=task_id, seq=next_seq(),
                    issued_at=1.0, expires_at=4e9, key_id="0" * 16, result_mode="response-key")
    bad = TaskResult(task_id=task_id, text="", model="m", backend="b", tokens=0)
    wire = answer(header, bad, key, ttl_s=60)
    open_result(wire, response_key=key, expect_device_id="dev-a")  # a fine one opens
    # the same result with a planned call nested too deep, encrypted under the task's key
    import base64
    import os

    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    from protocol.response import AAD_PREFIX
    env = json.loads(wire)
    head = json.dumps(env["header"], sort_keys=True, separators=(",", ":")).encode()
    payload = json.loads(bad.model_dump_json())
    payload["tool_call"] = {"name": "HassTurnOff", "arguments": _nested(12)}
    nonce = os.urandom(12)
    sealed = nonce + ChaCha20Poly1305(key).encrypt(nonce, json.dumps(payload).encode(), AAD_PREFIX + head)
    env["ciphertext"] = base64.b64encode(sealed).decode()
    with pytest.raises(InvalidResult, match="tool_call.arguments") as err:
        open_result(json.dumps(env, separators=(",", ":")).encode(), response_key=key, expect_device_id="dev-a")
    assert err.value.task_id == task_id
