"""Tools users add: from a TOML file (a JSON Schema plus an MQTT publish or a Python callable) or a package.

A TOML file (`[tools] file`), one `[[tool]]` table per tool:

    [[tool]]
    name = "GarageLightOn"
    description = "Turn on the garage light"
    acts = true
    template = "Turned on the garage light at {brightness}%."
    schema = { type = "object", properties = { brightness = { type = "number", minimum = 0, maximum = 100 } } }
    mqtt = { topic = "garage/light/set", payload = '{{"state": "ON", "brightness": {brightness}}}' }
    # or: python = "mypackage.tools:garage_on"   (a function of the arguments dict, sync or async; no shell)

`payload` is `str.format`-ed with the arguments (JSON-encoded strings for string values). A package
adds tools with an entry point in the `tandem.tools` group naming a function that returns a list of
`device.tools.base.Tool` — the same shape as the built-in providers (`home_tools`, ...).
"""

from __future__ import annotations

import importlib
import inspect
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from device.errors import ToolError
from device.tools.base import Tool, ToolInput, ToolOutcome

ENTRY_POINT_GROUP = "tandem.tools"


class _MqttAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topic: str = Field(min_length=1, pattern=r"^[^#+]+$")
    payload: str = ""
    retain: bool = False


class _UserTool(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
    description: str
    acts: bool = True
    template: str = "Done."
    schema_: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}}, alias="schema")
    mqtt: _MqttAction | None = None
    python: str | None = Field(default=None, pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


class _UserFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tool: list[_UserTool] = Field(default_factory=list)


def load_toml_tools(path: Path) -> list[Tool]:
    """The tools a TOML file defines; ToolError naming the file and the problem."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10 (Jetson): the same parser as a package
        import tomli as tomllib  # type: ignore[no-redef]

    try:
        doc = _UserFile.model_validate(tomllib.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ToolError(f"tools file {path} cannot be used ({exc.__class__.__name__}: {exc}); fix it or unset "
                        "[tools] file") from exc
    tools = []
    for spec in doc.tool:
        if (spec.mqtt is None) == (spec.python is None):
            raise ToolError(f"tools file {path}: tool {spec.name} needs exactly one of mqtt or python")
        execute = _mqtt_executor(spec.mqtt) if spec.mqtt is not None else _python_executor(str(spec.python))
        tools.append(Tool(spec.name, spec.description, spec.schema_, execute, acts=spec.acts, template=spec.template))
    return tools


def entry_point_tools() -> list[Tool]:
    """Tools from installed packages' `tandem.tools` entry points."""
    from importlib.metadata import entry_points

    tools: list[Tool] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        provider = ep.load()
        provided = provider()
        bad = [t for t in provided if not isinstance(t, Tool)]
        if bad:
            raise ToolError(f"entry point {ep.name} ({ep.value}) returned something that is not a Tool")
        tools.extend(provided)
    return tools


def _mqtt_executor(action: _MqttAction) -> Callable[[ToolInput], Any]:
    async def execute(inp: ToolInput) -> ToolOutcome:
        values = {k: json.dumps(v) if isinstance(v, str) else v for k, v in inp.arguments.items()}
        try:
            payload = action.payload.format_map(values)
        except (KeyError, IndexError, ValueError) as exc:
            raise ToolError(f"the tool's payload template needs an argument it did not get ({exc})") from exc
        if inp.dry_run:
            return ToolOutcome({"dry_run": True, "would": {"publish": action.topic}})
        publish = inp.services.publish
        if publish is None:
            raise ToolError("this tool publishes on the home's broker: set [home] broker_url")
        await publish(action.topic, payload.encode("utf-8"), action.retain)
        return ToolOutcome({"published": action.topic})
    return execute


def _python_executor(target: str) -> Callable[[ToolInput], Any]:
    module_name, _, attr = target.partition(":")

    async def execute(inp: ToolInput) -> ToolOutcome:
        try:
            function = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            raise ToolError(f"the tool's function {target} cannot be imported ({exc})") from exc
        if inp.dry_run:
            return ToolOutcome({"dry_run": True, "would": {"call": target}})
        value = function(dict(inp.arguments))
        if inspect.isawaitable(value):
            value = await value
        if isinstance(value, str):
            return ToolOutcome({"result": value}, say=value)
        if isinstance(value, Mapping):
            return ToolOutcome(dict(value), dict(value))
        return ToolOutcome({"result": value})
    return execute
