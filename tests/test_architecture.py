"""Module boundaries of the whole repository, read from the source (AST), never by importing it.

Two rules, each with a failure message that names the file, the line and the fix:

* No module uses another module's private (`_name`) names: neither `from pkg.mod import _name` nor
  `mod._name` on an imported project module. What two modules share is public in the module named
  for it (e.g. `protocol.codec`), or the caller uses a public function instead.
* No import cycle between modules through module-level imports. Imports inside functions and under
  `if TYPE_CHECKING:` are not followed (they run later, or never). `from pkg import name` counts as
  an import of `pkg.name` when that is a module, and importing `a.b.c` also runs the `__init__` of
  `a` and `a.b`, except of the importer's own packages (they are already being imported).

The packages are the repository's top-level directories with an `__init__.py` (tests included),
so a new package is covered as soon as it exists.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

KNOWN_PRIVATE_USES: frozenset[tuple[str, str]] = frozenset()
"""(file, module.name) pairs tolerated for now, each with the reason it is not fixed here."""


def _packages() -> list[str]:
    return sorted(d.name for d in ROOT.iterdir()
                  if d.is_dir() and not d.name.startswith(".") and (d / "__init__.py").is_file())


@cache
def _modules() -> dict[str, Path]:
    """Every module of the repository's packages: dotted name -> file."""
    out: dict[str, Path] = {}
    for pkg in _packages():
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "__pycache__" in rel.parts or any(p.startswith(".") for p in rel.parts):
                continue
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_package(module: str) -> bool:
    return _modules()[module].name == "__init__.py"


@dataclass(frozen=True)
class Import:
    line: int
    target: str
    """The project module whose code this import runs (or whose name it takes)."""
    names: tuple[str, ...] = ()
    """For `from target import a, b`: the names that are not modules themselves."""
    binds: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    """Local name -> project module, for names this import binds to a module."""
    module_level: bool = True


@dataclass
class Source:
    module: str
    path: Path
    tree: ast.Module

    @property
    def rel(self) -> str:
        return self.path.relative_to(ROOT).as_posix()

    def resolve(self, node: ast.ImportFrom) -> str | None:
        """The absolute module a `from ... import` names (relative imports resolved)."""
        if node.level == 0:
            return node.module
        package = self.module.split(".") if _is_package(self.module) else self.module.split(".")[:-1]
        base = package[: len(package) - (node.level - 1)]
        return ".".join([*base, node.module] if node.module else base)

    def imports(self) -> Iterator[Import]:
        modules = _modules()
        for node, module_level in _walk(self.tree.body, True):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in modules:
                        bound = alias.asname or alias.name.split(".")[0]
                        target = alias.name if alias.asname else alias.name.split(".")[0]
                        yield Import(node.lineno, alias.name, binds={bound: target}, module_level=module_level)
            elif isinstance(node, ast.ImportFrom):
                source = self.resolve(node)
                if source not in modules:
                    continue
                names, binds = [], {}
                for alias in node.names:
                    sub = f"{source}.{alias.name}"
                    if sub in modules:
                        binds[alias.asname or alias.name] = sub
                        yield Import(node.lineno, sub, module_level=module_level)
                    else:
                        names.append(alias.name)
                yield Import(node.lineno, source, tuple(names), binds, module_level)


def _walk(body: list[ast.stmt], module_level: bool) -> Iterator[tuple[ast.stmt, bool]]:
    """Every statement, with whether it runs when the module is imported (not inside a function,
    not under `if TYPE_CHECKING:`)."""
    for node in body:
        yield node, module_level
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from _walk(node.body, False)
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _walk(node.body, False)
            yield from _walk(node.orelse, module_level)
        else:
            for name in ("body", "orelse", "finalbody"):
                yield from _walk(getattr(node, name, []), module_level)
            for handler in getattr(node, "handlers", []):
                yield from _walk(handler.body, module_level)
            for case in getattr(node, "cases", []):
                yield from _walk(case.body, module_level)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


@cache
def _sources() -> tuple[Source, ...]:
    return tuple(Source(module, path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
                 for module, path in _modules().items())


# -- private names ------------------------------------------------------------------------------


def _private_uses(src: Source) -> Iterator[tuple[int, str, str]]:
    """(line, "module.name", how) for each private name of another project module that `src` uses."""
    modules = _modules()
    bound: dict[str, str] = {}
    for imp in src.imports():
        bound.update(imp.binds)
        for name in imp.names:
            if _is_private(name) and imp.target != src.module:
                yield imp.line, f"{imp.target}.{name}", f"from {imp.target} import {name}"

    def module_of(expr: ast.expr) -> str | None:
        if isinstance(expr, ast.Name):
            return bound.get(expr.id)
        if isinstance(expr, ast.Attribute):
            parent = module_of(expr.value)
            if parent is not None and f"{parent}.{expr.attr}" in modules:
                return f"{parent}.{expr.attr}"
        return None

    for node in ast.walk(src.tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            owner = module_of(node.value)
            if owner is not None and owner != src.module:
                yield node.lineno, f"{owner}.{node.attr}", f"{ast.unparse(node)} (attribute of a module)"


def test_no_module_uses_another_modules_private_names():
    found: set[tuple[str, str]] = set()
    problems = []
    for src in _sources():
        for line, qualified, how in _private_uses(src):
            found.add((src.rel, qualified))
            if (src.rel, qualified) not in KNOWN_PRIVATE_USES:
                owner, name = qualified.rsplit(".", 1)
                problems.append(
                    f"{src.rel}:{line}: {how} uses a private name of {owner}: make it public there (rename "
                    f"{name} to {name.lstrip('_')} and document it), or move what both modules share into a "
                    "module named for it, or call a public function instead")
    assert not problems, "\n".join(sorted(problems))
    stale = sorted(KNOWN_PRIVATE_USES - found)
    assert not stale, "\n".join(
        f"tests/test_architecture.py: KNOWN_PRIVATE_USES lists {rel} using {name}, which no longer happens: "
        "delete the entry" for rel, name in stale)


# -- import cycles ------------------------------------------------------------------------------


def _ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


@cache
def _graph() -> dict[str, dict[str, tuple[str, int]]]:
    """module -> {imported module: (file, line)}, for module-level imports only."""
    modules = _modules()
    graph: dict[str, dict[str, tuple[str, int]]] = {m: {} for m in modules}
    for src in _sources():
        own = {*_ancestors(src.module), src.module}
        for imp in src.imports():
            if not imp.module_level:
                continue
            for target in (*_ancestors(imp.target), imp.target):
                if target in modules and target not in own:
                    graph[src.module].setdefault(target, (src.rel, imp.line))
    return graph


def _cycles(graph: dict[str, dict[str, tuple[str, int]]]) -> list[list[str]]:
    """One cycle (closed path) per strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:  # recursion depth is bounded by the number of modules (a few hundred)
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_path_through(graph, set(c), c[0]) for c in components]


def _path_through(graph: dict[str, dict[str, tuple[str, int]]], members: set[str], start: str) -> list[str]:
    """A shortest closed path start -> ... -> start inside one component (breadth first)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v]):
                if w not in members:
                    continue
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if w not in previous:
                    previous[w] = v
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"{start} is in a cycle but no path returns to it")  # Tarjan guarantees one


def test_no_import_cycle_between_modules():
    graph = _graph()
    messages = []
    for cycle in _cycles(graph):
        steps = [f"  {a} -> {b}  ({graph[a][b][0]}:{graph[a][b][1]})" for a, b in pairwise(cycle)]
        messages.append(
            "import cycle " + " -> ".join(cycle) + ":\n" + "\n".join(steps) + "\n  fix: move one of these imports "
            "into the function that needs it (or under `if TYPE_CHECKING:` if only annotations use it), or move "
            "what both modules need into a lower module that imports neither")
    assert not messages, "\n".join(messages)


# -- the checks themselves ------------------------------------------------------------------------


def test_the_packages_are_found_and_the_checks_see_their_imports():
    assert {"cloud", "device", "protocol", "tests"} <= set(_packages())
    assert "protocol.keyfiles" in _graph()["protocol.key_lifecycle"]  # a module-level import is followed
    assert "protocol.mqtt" not in _graph()["tandem.settings"]  # imports in functions / TYPE_CHECKING are not


def test_a_private_import_and_a_private_attribute_are_both_caught():
    src = Source("tests.fake", ROOT / "tests" / "fake.py", ast.parse(
        "from protocol.codec import b64\n"
        "from protocol.keyfiles import _x\n"
        "import protocol.keyfiles as kf\n"
        "from protocol import codec\n"
        "import protocol.ids\n"
        "def f():\n"
        "    return kf._y, codec._z, protocol.ids._last_seq, b64._not_a_module\n"))
    assert sorted(_private_uses(src)) == [
        (2, "protocol.keyfiles._x", "from protocol.keyfiles import _x"),
        (7, "protocol.codec._z", "codec._z (attribute of a module)"),
        (7, "protocol.ids._last_seq", "protocol.ids._last_seq (attribute of a module)"),
        (7, "protocol.keyfiles._y", "kf._y (attribute of a module)"),
    ]


def test_a_cycle_is_found_and_lazy_or_type_checking_imports_are_not_followed():
    graph = {
        "a": {"b": ("a.py", 1)},
        "b": {"c": ("b.py", 2)},
        "c": {"a": ("c.py", 3)},
        "d": {"a": ("d.py", 1)},
    }
    assert _cycles(graph) == [["a", "b", "c", "a"]]
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import x\nelse:\n    import y\n"
                     "def f():\n    import z\nclass K:\n    import w\ntry:\n    import v\nexcept ImportError:\n"
                     "    import u\n")
    level = {n.names[0].name: at_import for n, at_import in _walk(tree.body, True) if isinstance(n, ast.Import)}
    assert level == {"x": False, "y": True, "z": False, "w": True, "v": True, "u": True}
