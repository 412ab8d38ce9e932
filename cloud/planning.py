"""The worker as a planner: a sub-task that offers tools is answered with a call, not prose.

The device sends the redacted request and the tools it may call (`protocol.tools.ToolSpec`: names,
descriptions, argument schemas; never a value). A backend that can plan has

    def plan(self, prompt: str, tools: Sequence[ToolSpec]) -> PlannedToolCall | None

and answers the call it chose (arguments may be placeholders such as <DEVICE_1>, copied from the
request) or None when the request is not a command. The worker never executes anything. A backend
without `plan` cannot plan: the worker answers an error result (`PlanningUnsupported`), never prose.

What the backends share lives here: the planning prompt, the JSON Schema of an answer (one branch
per tool: its name as a constant and its argument schema, plus a "no call" branch) that a grammar
constrains decoding to, and `parse_plan`, which turns a model's text into a checked call (the tool
exists, the arguments are a bounded JSON object). `constrained_plan` is the one place the `onnx`
backend reaches grammar-constrained decoding (`inference.constrained`, llguidance).
"""

from __future__ import annotations

import importlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from cloud.errors import BackendError, PlanningUnsupported
from protocol.codec import schema_problems
from protocol.messages import SubTask
from protocol.tools import PlannedToolCall, ToolSpec

log = logging.getLogger(__name__)

__all__ = ["PLANNER_SYSTEM_PROMPT", "answer_schema", "choice_schema", "constrained_plan", "json_schema_of",
           "parse_choice", "parse_plan", "plan_task", "planning_messages", "signature", "tool_specs"]

PLANNER_SYSTEM_PROMPT = (
    "You turn a user's request into one call of a function, or into no call. Most requests are not "
    "commands: questions, requests for information, writing tasks and small talk get no call. "
    "Functions:\n{functions}\n"
    "Answer with one JSON object and nothing else: {{\"name\": <function name>, \"arguments\": {{...}}}} "
    "with only the arguments the request states (numbers as numbers; leave out every argument it does not "
    "state), or {{\"name\": null}} when the request is not a command for one of these functions (a "
    "question, a request for information, a writing task, small talk). The request may "
    "hold placeholders such as <DEVICE_1> or <PERSON_1> standing for private values: copy them exactly "
    "as argument values and never guess what they stand for."
)

_TYPES = {"dict": "object", "float": "number", "int": "integer", "tuple": "array", "list": "array",
          "str": "string", "bool": "boolean", "any": None}
"""Python type names some tool catalogues (BFCL) use where JSON Schema has its own."""
_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")


def tool_specs(tools: Sequence[ToolSpec | Mapping[str, Any]]) -> tuple[ToolSpec, ...]:
    """`tools` as checked wire models (dicts of {"name", "description", "parameters"} are validated)."""
    try:
        return tuple(t if isinstance(t, ToolSpec) else ToolSpec.model_validate(dict(t)) for t in tools)
    except ValidationError as exc:
        raise BackendError(f"a tool does not fit the protocol ({schema_problems(exc)})") from exc


def json_schema_of(schema: Mapping[str, Any]) -> dict[str, Any]:
    """`schema` with Python type names ("dict", "float", ...) turned into JSON Schema's, recursively."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "type" and isinstance(value, str) and value in _TYPES:
            if _TYPES[value] is not None:
                out[key] = _TYPES[value]
        elif key in ("properties", "$defs", "definitions") and isinstance(value, Mapping):
            out[key] = {k: json_schema_of(v) if isinstance(v, Mapping) else v for k, v in value.items()}
        elif isinstance(value, Mapping):
            out[key] = json_schema_of(value)
        elif isinstance(value, list):
            out[key] = [json_schema_of(v) if isinstance(v, Mapping) else v for v in value]
        else:
            out[key] = value
    return out


def answer_schema(tools: Sequence[ToolSpec], *, allow_none: bool = True) -> dict[str, Any]:
    """The JSON Schema of a planner's answer: a call of one of `tools`, or `{"name": null}` (`allow_none`)."""
    branches: list[dict[str, Any]] = [
        {"type": "object", "properties": {"name": {"const": t.name}, "arguments": json_schema_of(t.parameters)},
         "required": ["name", "arguments"], "additionalProperties": False}
        for t in tools]
    if allow_none:
        branches.append({"type": "object", "properties": {"name": {"type": "null"}}, "required": ["name"],
                         "additionalProperties": False})
    return branches[0] if len(branches) == 1 else {"anyOf": branches}


def choice_schema(tools: Sequence[ToolSpec]) -> dict[str, Any]:
    """The JSON Schema of the first step of a two-step plan: whether the request is a command at all
    (written first, so the model decides that before it reaches for a name), then the tool's name or
    null. A grammar this small keeps constrained decoding fast; the arguments follow under
    `answer_schema([tool])`."""
    return {"type": "object", "properties": {"is_command": {"type": "boolean"},
                                             "name": {"enum": [*(t.name for t in tools), None]}},
            "required": ["is_command", "name"], "additionalProperties": False}


def parse_choice(text: str, tools: Sequence[ToolSpec]) -> ToolSpec | None:
    """The tool a choice step named (None: no call); BackendError for anything else."""
    body = _FENCE.sub("", text.strip())
    try:
        doc = json.loads(body)
    except json.JSONDecodeError as exc:
        raise BackendError(f"the model's choice is not JSON ({exc.msg} at {exc.pos})") from exc
    name = doc.get("name") if isinstance(doc, dict) else ""
    if name is None or (isinstance(doc, dict) and doc.get("is_command") is False):
        return None
    for tool in tools:
        if tool.name == name:
            return tool
    raise BackendError("the model chose a tool that was not offered")


def signature(tool: ToolSpec) -> str:
    """One line a model reads quickly: `Name(arg: type, optional?: type (what it is)): description`.
    The grammar holds the full schema; the prompt needs only enough to choose and fill."""
    schema = json_schema_of(tool.parameters)
    properties = schema.get("properties")
    required = set(schema.get("required") or ())
    parts = []
    for name, spec in (properties.items() if isinstance(properties, dict) else ()):
        spec = spec if isinstance(spec, dict) else {}
        text = f"{name}{'' if name in required else '?'}: {_type_text(spec)}"
        if isinstance(spec.get("description"), str) and spec["description"]:
            text += f" ({spec['description'][:160]})"
        parts.append(text)
    return f"{tool.name}({', '.join(parts)}): {tool.description}"


def _type_text(spec: Mapping[str, Any]) -> str:
    if "enum" in spec and isinstance(spec["enum"], list):
        return "|".join(json.dumps(v) for v in spec["enum"])
    for key in ("oneOf", "anyOf"):
        if isinstance(spec.get(key), list):
            return "|".join(_type_text(s) for s in spec[key] if isinstance(s, Mapping))
    kind = spec.get("type", "any")
    text = "|".join(map(str, kind)) if isinstance(kind, list) else str(kind)
    if text == "array" and isinstance(spec.get("items"), Mapping):
        text = f"array of {_type_text(spec['items'])}"
    low, high = spec.get("minimum"), spec.get("maximum")
    if low is not None or high is not None:
        text += f" {'' if low is None else low}..{'' if high is None else high}"
    return text


def planning_messages(prompt: str, tools: Sequence[ToolSpec], system: str | None = None) -> list[dict[str, str]]:
    """The chat messages of a planning request: the functions in the system prompt (one signature a
    line), the request as the user's."""
    functions = "\n".join(signature(t) for t in tools)
    return [{"role": "system", "content": (system or PLANNER_SYSTEM_PROMPT).format(functions=functions)},
            {"role": "user", "content": prompt}]


def parse_plan(text: str, tools: Sequence[ToolSpec]) -> PlannedToolCall | None:
    """A model's answer as a checked call (None: it chose no call). BackendError when the answer is not
    one JSON object, names a tool that was not offered, or its arguments are out of bounds."""
    body = _FENCE.sub("", text.strip())
    try:
        doc = json.loads(body)
    except json.JSONDecodeError as exc:
        raise BackendError(f"the model's plan is not JSON ({exc.msg} at {exc.pos})") from exc
    if not isinstance(doc, dict):
        raise BackendError("the model's plan is not a JSON object")
    name = doc.get("name")
    if name is None:
        return None
    if name not in {t.name for t in tools}:
        raise BackendError("the model planned a call of a tool that was not offered")
    arguments = doc.get("arguments", {})
    if isinstance(arguments, str):  # OpenAI-style: the arguments as a JSON string
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError as exc:
            raise BackendError(f"the planned call's arguments are not JSON ({exc.msg})") from exc
    try:
        return PlannedToolCall(name=name, arguments=arguments)
    except ValidationError as exc:
        raise BackendError(f"the planned call is out of bounds ({schema_problems(exc)})") from exc


def plan_task(backend: object, task: SubTask) -> PlannedToolCall | None:
    """The call `backend` plans for `task` (which offers tools); PlanningUnsupported when it cannot plan."""
    plan = getattr(backend, "plan", None)
    if plan is None or task.tools is None:
        raise PlanningUnsupported(
            f"the {getattr(backend, 'name', '?')} backend cannot plan tool calls: run the worker with the "
            "onnx, llamacpp, openai or echo backend")
    result = plan(task.prompt, task.tools)
    if result is not None and not isinstance(result, PlannedToolCall):
        raise BackendError("the backend's plan is not a PlannedToolCall")
    return result


def constrained_plan(engine: Any, prompt: str, tools: Sequence[ToolSpec]) -> PlannedToolCall | None:
    """Grammar-constrained planning on the tandem engine: `inference.constrained.plan_call(engine,
    text, tools) -> PlannedCall | None` (llguidance on the engine's logits), written once for the
    device SLM and the worker alike. Until that module is installed, BackendError says so."""
    try:
        constrained = importlib.import_module("inference.constrained")
    except ImportError as exc:
        raise BackendError("grammar-constrained planning on the onnx backend needs inference.constrained "
                           "(llguidance), which this install lacks; run the worker with the llamacpp or "
                           "openai backend to plan tool calls") from exc
    offered = [{"name": t.name, "description": t.description, "parameters": json_schema_of(t.parameters)}
               for t in tools]
    planned = constrained.plan_call(engine, prompt, offered)
    if planned is None:
        return None
    try:
        return PlannedToolCall(name=planned.name, arguments=dict(planned.arguments))
    except ValidationError as exc:
        raise BackendError(f"the planned call is out of bounds ({schema_problems(exc)})") from exc
