"""The public API of `device.home` is a decision (as tests/protocol/test_exported_members.py does for protocol).

Every module lists in `__all__` exactly the names it defines without a leading underscore; the
package's `__init__` re-exports what the tools use.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "device" / "home"
MODULES = sorted(".".join(p.relative_to(PACKAGE).with_suffix("").parts) for p in PACKAGE.rglob("*.py")
                 if p.name != "__init__.py")


def _defined_public_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            value = node.value
            if isinstance(value, ast.Call) and ast.unparse(value.func).split(".")[-1] == "getLogger":
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return {n for n in names if not n.startswith("_")}


def test_every_module_is_checked() -> None:
    assert {"base", "model", "inventory", "resolve", "mqtt_home", "platforms.light"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_exactly_the_public_names_the_module_defines(name: str) -> None:
    module = importlib.import_module(f"device.home.{name}")
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"device/home/{name}: no __all__"
    defined = _defined_public_names(PACKAGE / (name.replace(".", "/") + ".py"))
    assert set(exported) == defined, (
        f"device/home/{name}: __all__ lacks {sorted(defined - set(exported))} and lists "
        f"{sorted(set(exported) - defined)}: add public names to __all__ or give module-only names an underscore")


def test_the_package_exports_what_the_tools_use() -> None:
    from device import home

    assert set(home.__all__) == {"SERVICES", "Area", "Entity", "Floor", "Home", "Inventory", "InventoryHome",
                                 "load_inventory", "resolve"}
    assert all(hasattr(home, n) for n in home.__all__)
