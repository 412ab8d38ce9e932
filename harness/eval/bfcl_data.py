"""The Berkeley Function Calling Leaderboard's data, read from the `bfcl-eval` package (Apache-2.0).

`bfcl-eval` is installed with `--no-deps` (its dependencies pull every model vendor's SDK): only its
JSON-lines files are read, never its code. Each item is a question, the functions offered, and (for
the AST categories) the accepted values per argument; irrelevance categories have no answer file:
right = no call. BFCL writes parameter types in Python's words ("dict", "float", "tuple", "any");
`to_json_schema` turns them into the JSON Schema the grammar is built from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.errors import HarnessError

INSTALL_HINT = ("BFCL's data is missing: pip install --no-deps bfcl-eval==2026.3.23 "
                "(scripts/setup does; --no-deps keeps its vendor SDKs out)")
CATEGORIES = ("simple_python", "live_simple", "multiple", "live_multiple", "irrelevance", "live_irrelevance")
NO_CALL = ("irrelevance", "live_irrelevance")


@dataclass(frozen=True)
class BfclItem:
    id: str
    category: str
    question: str  # the user's request (the last user turn)
    functions: tuple[Mapping[str, Any], ...]  # BFCL's own function docs
    ground_truth: tuple[Mapping[str, Mapping[str, list[Any]]], ...] | None  # None: right = no call


def _data_dir() -> Any:
    try:
        from importlib.resources import files

        return files("bfcl_eval") / "data"
    except ModuleNotFoundError as exc:
        raise HarnessError(INSTALL_HINT) from exc


def _lines(path: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_category(category: str, limit: int | None = None, every: int = 1) -> list[BfclItem]:
    """The first `limit` of every `every`-th item of one BFCL v4 category (in the file's order): `every`
    spreads a sample over the whole file, whose items come grouped by topic."""
    if category not in CATEGORIES:
        raise HarnessError(f"unknown BFCL category {category!r}: use one of {', '.join(CATEGORIES)}")
    data = _data_dir()
    if every < 1:
        raise HarnessError(f"every must be 1 or more, not {every}")
    questions = _lines(data / f"BFCL_v4_{category}.json")[::every][:limit]
    answers: dict[str, Any] = {}
    if category not in NO_CALL:
        answers = {a["id"]: a["ground_truth"] for a in _lines(data / "possible_answer" / f"BFCL_v4_{category}.json")}
    items = []
    for q in questions:
        turn = q["question"][-1]
        user = [m["content"] for m in turn if m.get("role") == "user"] or [turn[-1]["content"]]
        truth = answers.get(q["id"])
        items.append(BfclItem(q["id"], category, user[-1], tuple(q["function"]),
                              None if truth is None else tuple(truth)))
    return items


_TYPES = {"string": "string", "integer": "integer", "float": "number", "number": "number", "boolean": "boolean",
          "array": "array", "tuple": "array", "dict": "object", "object": "object", "any": "string"}


def to_json_schema(spec: Mapping[str, Any]) -> dict[str, Any]:
    """BFCL's parameter spec (Python type words) as JSON Schema: closed objects, typed arrays, enums, and
    each value's description, which often says the format the answer wants ("format it as City, State",
    "in 24 hour format")."""
    kind = _TYPES.get(str(spec.get("type", "string")).lower(), "string")
    out: dict[str, Any] = {"type": kind}
    if "enum" in spec:
        out = {"enum": list(spec["enum"])}
    if isinstance(spec.get("description"), str) and spec["description"]:
        out["description"] = spec["description"]
    if "enum" in spec:
        return out
    if kind == "array":
        items = spec.get("items")
        if isinstance(items, Mapping):
            out["items"] = to_json_schema(items)
    elif kind == "object" and isinstance(spec.get("properties"), Mapping):
        out["properties"] = {k: to_json_schema(v) for k, v in spec["properties"].items()}
        out["required"] = [r for r in spec.get("required", []) if r in spec["properties"]]
        out["additionalProperties"] = False
    return out


def function_schemas(functions: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, description, JSON Schema of the arguments) per function."""
    return [(f["name"], str(f.get("description", "")), to_json_schema({"type": "dict", **f.get("parameters", {})}))
            for f in functions]
