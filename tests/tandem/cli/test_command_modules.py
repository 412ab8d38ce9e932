"""Every command module stands alone: none imports another command module (or the group that
assembles them); what they share lives in tandem.cli's helper modules."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import click

from tandem.cli import main

ASSEMBLER = {"tandem.cli", "tandem.cli.app", "tandem.cli.__main__"}


def _command_modules() -> set[str]:
    """The modules that define the commands and groups registered under `tandem`, at any depth."""
    found: set[str] = set()

    def walk(group: click.Group) -> None:
        for command in group.commands.values():
            assert command.callback is not None
            found.add(command.callback.__module__)
            if isinstance(command, click.Group):
                walk(command)

    walk(main)
    return found


def _imports(source: str, module: str) -> set[str]:
    """Every module `source` names in an import (`from a.b import c` names a.b and a.b.c)."""
    package = module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def _forbidden(source: str, module: str, commands: set[str]) -> set[str]:
    others = (commands - {module}) | (ASSEMBLER - {"tandem.cli"})
    return {name for name in _imports(source, module)
            if any(name == o or name.startswith(o + ".") for o in others) or name == "tandem.cli.main"}


def test_the_checker_sees_a_command_importing_another() -> None:
    commands = {"tandem.cli.ask", "tandem.cli.keys"}
    assert _forbidden("from tandem.cli.keys import parse_duration\n", "tandem.cli.ask", commands) == {
        "tandem.cli.keys", "tandem.cli.keys.parse_duration"}
    assert "tandem.cli.keys" in _forbidden("from tandem.cli import keys\n", "tandem.cli.ask", commands)
    assert "tandem.cli.keys" in _forbidden("def f():\n    from . import keys\n", "tandem.cli.ask", commands)
    assert "tandem.cli.main" in _forbidden("from tandem.cli import main\n", "tandem.cli.ask", commands)
    assert not _forbidden("from tandem.cli.config import cli_settings\n", "tandem.cli.ask", commands)


def test_no_command_module_imports_another_command_module() -> None:
    commands = _command_modules()
    assert {"tandem.cli.ask", "tandem.cli.model", "tandem.cli.bench", "tandem.cli.worker"} <= commands
    assert all(m.startswith("tandem.cli.") for m in commands) and not commands & ASSEMBLER
    for module in sorted(commands):
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None
        source = Path(spec.origin).read_text(encoding="utf-8")
        assert not _forbidden(source, module, commands), module
