"""The public API of `protocol` is a decision, not an accident (after httpx's test_exported_members).

Every module of the package lists its public names in `__all__`, and that list is exactly what the
module defines without a leading underscore (its logger and type variables aside). A new public
helper therefore shows up in review as an `__all__` change; a helper meant for one module only
gets an underscore, and then tests/test_architecture.py keeps every other module off it.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "protocol"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def _defined_public_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            value = node.value
            if isinstance(value, ast.Call) and ast.unparse(value.func).split(".")[-1] in ("getLogger", "TypeVar"):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return {n for n in names if not n.startswith("_")}


def test_every_module_is_checked():
    assert {"codec", "envelope", "ids", "keyfiles", "key_lifecycle", "keys", "replay"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_exactly_the_public_names_the_module_defines(name: str) -> None:
    module = importlib.import_module(f"protocol.{name}")
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"protocol/{name}.py has no __all__: list its public names in one"
    assert len(exported) == len(set(exported)), f"protocol/{name}.py lists a name twice in __all__"
    defined = _defined_public_names(PACKAGE / f"{name}.py")
    assert set(exported) == defined, (
        f"protocol/{name}.py: __all__ lacks {sorted(defined - set(exported))} and lists "
        f"{sorted(set(exported) - defined)} that it does not define: add new public names to __all__, "
        "or give names meant for this module alone a leading underscore")
    assert all(hasattr(module, n) for n in exported)

