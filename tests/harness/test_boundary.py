"""The harnesses measure the product; the product never depends on them. Only the CLI imports
`harness`, and only inside commands."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("protocol", "device", "cloud", "inference", "quantize", "hardware", "tandem")


def _harness_imports(source: str) -> list[tuple[int, str, bool]]:
    """(line, module, at module level) of every import of `harness` in `source`."""
    tree = ast.parse(source)
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
        found += [(node.lineno, n, id(node) in top) for n in names if n == "harness" or n.startswith("harness.")]
    return found


def test_the_checker_sees_harness_imports() -> None:
    assert _harness_imports("import harness.chaos\ndef f():\n    from harness.bench import engine\n") == [
        (1, "harness.chaos", True), (3, "harness.bench", False)]
    assert _harness_imports("from tandem.cli import harness_like\nimport harnessed\n") == []


def test_the_product_never_imports_harness() -> None:
    offenders = []
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            hits = _harness_imports(path.read_text(encoding="utf-8"))
            if rel.parts[:2] == ("tandem", "cli"):
                hits = [h for h in hits if h[2]]  # the CLI may import harness inside a command
            offenders += [f"{rel}:{line} imports {name}" for line, name, _ in hits]
    assert not offenders, offenders
