"""Tool schemas a device offers the cloud, and the call the cloud plans back: the wire models.

The cloud is a planner, never an actor. A device that cannot parse a command itself sends the
redacted request with the tools it may call (`ToolSpec`: name, description, JSON Schema of the
arguments; never the home's names, contacts or any value) on a `SubTask`; the worker answers with a
`PlannedToolCall` (`TaskResult.tool_call`) whose arguments may hold placeholders, or with no call
when the request is not a command. The device checks the call, restores the values and executes it.

Both models come from the network (a schema is chosen by the device, a call by a model in the
cloud), so they are bounded here, before anything reads them: names match `TOOL_NAME_PATTERN`, a
schema or an argument object is plain JSON (string keys; strings, numbers, booleans, null, lists,
objects) at most `MAX_JSON_DEPTH` deep and `MAX_SCHEMA_BYTES` / `MAX_ARGUMENTS_BYTES` long as compact
JSON, a sub-task offers at most `MAX_TOOLS` tools with distinct names. A violation is a validation
error that names the field and the rule, never the value.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

__all__ = [
    "MAX_ARGUMENTS_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_SCHEMA_BYTES",
    "MAX_TOOLS",
    "MAX_TOOLS_BYTES",
    "MAX_TOOL_DESCRIPTION_CHARS",
    "TOOL_NAME_PATTERN",
    "PlannedToolCall",
    "ToolSpec",
    "check_json_object",
    "json_depth",
]

TOOL_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$"
MAX_TOOLS = 128
MAX_TOOL_DESCRIPTION_CHARS = 1024
MAX_JSON_DEPTH = 8
"""Nesting of objects and lists in a schema or an argument object (the object itself is depth 1)."""
MAX_SCHEMA_BYTES = 8 * 1024
"""One tool's `parameters`, as compact JSON."""
MAX_TOOLS_BYTES = 128 * 1024
"""All the tools of one sub-task, as compact JSON (the envelope holds at most 256 KiB)."""
MAX_ARGUMENTS_BYTES = 16 * 1024
"""A planned call's `arguments`, as compact JSON."""


def json_depth(value: object) -> int:
    """Nesting depth of a JSON value: a scalar is 0, `{}` and `[]` are 1. Iterative, so a hostile
    document cannot exhaust the stack."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: list[object] = list(item.values())
        elif isinstance(item, list):
            children = list(item)
        else:
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def check_json_object(value: dict[str, Any], what: str, max_bytes: int) -> dict[str, Any]:
    """`value` when it is a plain JSON object within `MAX_JSON_DEPTH` and `max_bytes`; ValueError naming
    `what` and the rule otherwise (never the value)."""
    depth = json_depth(value)
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"{what}: nested {depth} deep, at most {MAX_JSON_DEPTH}")
    try:
        size = len(json.dumps(value, separators=(",", ":"), allow_nan=False).encode("utf-8"))
    except ValueError as exc:  # NaN or infinity: not JSON
        raise ValueError(f"{what}: holds a number JSON cannot write (NaN or infinity)") from exc
    if size > max_bytes:
        raise ValueError(f"{what}: {size} bytes as JSON, at most {max_bytes}")
    return value


def _object_schema() -> dict[str, JsonValue]:
    return {"type": "object"}


class ToolSpec(BaseModel):
    """One tool the cloud may plan a call of: what it is called, what it does, its arguments' schema."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    name: str = Field(pattern=TOOL_NAME_PATTERN)
    description: str = Field(default="", max_length=MAX_TOOL_DESCRIPTION_CHARS)
    parameters: dict[str, JsonValue] = Field(default_factory=_object_schema)
    """JSON Schema of the arguments (an object schema by convention; checked only as bounded JSON)."""

    @field_validator("parameters")
    @classmethod
    def _bounded(cls, value: dict[str, Any]) -> dict[str, Any]:
        return check_json_object(value, "the tool's parameters schema", MAX_SCHEMA_BYTES)


class PlannedToolCall(BaseModel):
    """A call the cloud planned: a tool's name and its arguments (placeholders instead of values)."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    name: str = Field(pattern=TOOL_NAME_PATTERN)
    arguments: dict[str, JsonValue] = Field(default_factory=dict)

    @field_validator("arguments")
    @classmethod
    def _bounded(cls, value: dict[str, Any]) -> dict[str, Any]:
        return check_json_object(value, "the call's arguments", MAX_ARGUMENTS_BYTES)

