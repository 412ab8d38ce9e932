"""`tandem eval bfcl`: the device model's function calling on the Berkeley Function Calling Leaderboard.

Each item goes through `inference.constrained.plan_call` with BFCL's own function docs in the prompt
and a grammar built from their parameters, and is scored by BFCL's AST rules (`harness.eval.bfcl_ast`).
Irrelevance categories are right when no call is made.

Escalation seam: with a `planner` (the cloud planner: `(request, tools) -> PlannedCall | None`), an
item whose device decision is less sure than `escalate_below` goes to it and its answer is scored
instead; `escalated` is the share that did (0 without a planner: `--device-only`). The decision's
confidence is the call's confidence, or 1 - the call probability when the device makes no call.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harness.eval.bfcl_ast import check
from harness.eval.bfcl_data import BfclItem, function_schemas, load_category

if TYPE_CHECKING:
    from inference.constrained import PlannedCall, ToolSpec
    from inference.engine import Engine

log = logging.getLogger(__name__)

Planner = Callable[[str, "Sequence[ToolSpec]"], "PlannedCall | None"]

DEFAULT_CATEGORIES = ("simple_python", "irrelevance")


@dataclass(frozen=True)
class ItemResult:
    id: str
    right: bool
    error: str
    called: str | None
    arguments: Mapping[str, Any] | None
    call_probability: float
    escalated: bool
    ms: float


@dataclass
class CategoryResult:
    name: str
    items: list[ItemResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        n = len(self.items)
        ms = sorted(i.ms for i in self.items)
        errors = Counter(i.error for i in self.items if not i.right)
        return {"n": n, "accuracy": sum(i.right for i in self.items) / n if n else 0.0,
                "escalated": sum(i.escalated for i in self.items) / n if n else 0.0,
                "ms_p50": ms[n // 2] if n else 0.0, "errors": dict(errors.most_common())}


@dataclass(frozen=True)
class DeviceCaller:
    """The device side: `plan_call` on one engine, with its knobs."""

    engine: Engine
    min_call_probability: float = 0.5
    ground_optional: bool = True
    require_mentioned: bool = True
    relevance_gate: bool = True
    max_tokens: int = 256

    def __call__(self, item: BfclItem) -> tuple[PlannedCall | None, float]:
        from inference.constrained import ToolSpec, decide_call

        tools = [ToolSpec(n, d, s) for n, d, s in function_schemas(item.functions)]
        decision = decide_call(self.engine, item.question, tools, min_call_probability=self.min_call_probability,
                               max_tokens=self.max_tokens, docs=item.functions, ground_optional=self.ground_optional,
                               require_mentioned=self.require_mentioned, relevance_gate=self.relevance_gate)
        return decision.call, decision.call_probability


def run_item(item: BfclItem, device: Callable[[BfclItem], tuple[PlannedCall | None, float]],
             planner: Planner | None = None, escalate_below: float = 0.0) -> ItemResult:
    t0 = time.perf_counter()
    call, p_call = device(item)
    sure = call.confidence if call is not None else 1.0 - p_call
    escalated = planner is not None and sure < escalate_below
    if escalated and planner is not None:
        from inference.constrained import ToolSpec

        call = planner(item.question, [ToolSpec(n, d, s) for n, d, s in function_schemas(item.functions)])
    ms = (time.perf_counter() - t0) * 1000
    verdict = check(item.functions, None if call is None else (call.name, dict(call.arguments)), item.ground_truth)
    return ItemResult(item.id, verdict.valid, verdict.error, None if call is None else call.name,
                      None if call is None else dict(call.arguments), p_call, escalated, ms)


def evaluate(device: Callable[[BfclItem], tuple[PlannedCall | None, float]], categories: Iterable[str], *,
             limit: int | None = None, every: int = 1, planner: Planner | None = None, escalate_below: float = 0.0,
             on_item: Callable[[str, int, int, ItemResult], None] | None = None) -> dict[str, CategoryResult]:
    """Every category's first `limit` of every `every`-th item through `device` (and `planner` below
    `escalate_below`); `on_item(category, done, total, result)` after each."""
    results: dict[str, CategoryResult] = {}
    for name in categories:
        result = results[name] = CategoryResult(name)
        items = load_category(name, limit, every)
        for item in items:
            r = run_item(item, device, planner, escalate_below)
            result.items.append(r)
            if on_item is not None:
                on_item(name, len(result.items), len(items), r)
            log.debug("bfcl %s right=%s error=%s", r.id, r.right, r.error)
    return results
