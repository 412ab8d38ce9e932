"""protocol/__init__.py lists its modules bottom-up: each imports only modules listed before it.

Keeps that docstring true and the package layered (a module's imports anywhere in it count, lazy
ones too: a lower module never needs a higher one)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import protocol

PACKAGE = Path(protocol.__file__).resolve().parent


def _listed() -> list[str]:
    return re.findall(r"^    ([a-z_]+) {2,}\S", protocol.__doc__ or "", flags=re.MULTILINE)


def _protocol_imports(path: Path) -> set[tuple[str, int]]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("protocol."):
            out.add((node.module.split(".")[1], node.lineno))
        elif isinstance(node, ast.Import):
            out.update((a.name.split(".")[1], node.lineno) for a in node.names if a.name.startswith("protocol."))
    return out


def test_the_docstring_lists_every_module_once():
    modules = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    assert sorted(_listed()) == modules


def test_each_module_imports_only_modules_listed_before_it():
    order = _listed()
    problems = [
        f"protocol/{name}.py:{line} imports protocol.{dep}, listed after it in protocol/__init__.py: import "
        f"a lower module instead, or move what it needs from {dep} down (and keep the list bottom-up)"
        for i, name in enumerate(order)
        for dep, line in sorted(_protocol_imports(PACKAGE / f"{name}.py"))
        if dep not in order[:i]
    ]
    assert not problems, "\n".join(problems)
