"""Device tools: a plain registry of `Tool`s, built-ins and users' alike.

    providers (functions returning tools)   home_tools, personal_tools, info_tools   built in
                                            `tandem.tools` entry points               installed packages
                                            a TOML file ([tools] file)                the user
      -> ToolRegistry (name -> Tool) -> DeviceTools (device.tools.executor): the agent's tool executor

Built-ins come through the same provider shape as plugins (simonw/llm's `register_tools`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from device.errors import ToolError
from device.tools.base import Tool, ToolInput, ToolOutcome, ToolServices


def _builtin_providers() -> tuple[Callable[[], list[Tool]], ...]:
    from device.tools.home_tools import home_tools
    from device.tools.info_tools import info_tools
    from device.tools.personal_tools import personal_tools

    return (home_tools, personal_tools, info_tools)


class ToolRegistry:
    """Tools by name; a second tool with a taken name is an error (nothing is silently replaced)."""

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        for tool in tools:
            self.add(tool)

    def add(self, tool: Tool) -> None:
        if tool.name in self._tools:
            raise ToolError(f"two tools are called {tool.name}: rename one (tool names are unique)")
        self._tools[tool.name] = tool

    def get(self, name: str) -> Tool:
        try:
            return self._tools[name]
        except KeyError:
            raise ToolError(f"no tool called {name!r} on this device") from None

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    def describe(self) -> list[dict[str, Any]]:
        """Name, description and argument schema of every tool: what a planner (or the cloud) may call.
        No values of the home or the user: just names and types."""
        return [{"name": t.name, "description": t.description, "parameters": dict(t.schema), "acts": t.acts}
                for t in self._tools.values()]


def load_registry(*, toml_file: Path | None = None, entry_points: bool = True) -> ToolRegistry:
    """The built-ins, then installed packages' tools, then the user's TOML file."""
    from device.tools.user_tools import entry_point_tools, load_toml_tools

    registry = ToolRegistry(tool for provider in _builtin_providers() for tool in provider())
    for tool in (entry_point_tools() if entry_points else []):
        registry.add(tool)
    for tool in (load_toml_tools(toml_file) if toml_file is not None else []):
        registry.add(tool)
    return registry


__all__ = ["Tool", "ToolInput", "ToolOutcome", "ToolRegistry", "ToolServices", "load_registry"]
