"""The planner measured: is a request kept whole, or split into exactly the jobs it holds?

The hand-written set `data/plan_requests.jsonl` holds single requests (one job, however many
sentences or "and"s: a question with its options, context then a question, a draft with its
constraints) and compound ones (separate jobs: a command and a question, a personal message and an
explanation), written with placeholders as the planner sees them (`<PERSON_1>`). Each line:

    {"text", "kind": "single"|"compound", "split": "tuning"|"heldout",
     "steps": [[anchor, ...], ...], "depends": [[index, ...], ...]}

`steps` gives, per expected step, words that step must hold (lower case); a plan is split exactly
right when it has as many steps and step i holds every anchor of expected step i. `depends` is what
each step must wait for (scored apart: the dependencies of the compounds split right).

Figures (targets, issue 15: split exactly right >= 95%, no single request split):
`exact` (share of all items split exactly right), `singles_kept_whole`, `compounds_exact`,
`depends_exact`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from device.collab.planners.base import Planner
from device.collab.steps import Plan

DATA = Path(__file__).parent / "data" / "plan_requests.jsonl"


@dataclass(frozen=True)
class PlanCase:
    text: str
    kind: str
    split: str
    steps: tuple[tuple[str, ...], ...]
    depends: tuple[tuple[int, ...], ...]


def load_cases(path: Path = DATA) -> list[PlanCase]:
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("kind") not in ("single", "compound") or len(row["steps"]) != len(row["depends"]):
            raise ValueError(f"{path}:{n}: need kind single|compound and one depends list per step")
        cases.append(PlanCase(row["text"], row["kind"], row.get("split", "tuning"),
                              tuple(tuple(a.lower() for a in s) for s in row["steps"]),
                              tuple(tuple(d) for d in row["depends"])))
    return cases


def split_right(case: PlanCase, plan: Plan) -> bool:
    if len(plan.steps) != len(case.steps):
        return False
    return all(all(a in step.text.lower() for a in anchors) for step, anchors in zip(plan.steps, case.steps, strict=True))


def depends_right(case: PlanCase, plan: Plan) -> bool:
    return split_right(case, plan) and all(
        tuple(sorted(step.depends_on)) == tuple(sorted(want)) for step, want in zip(plan.steps, case.depends, strict=True))


def score(planner: Planner, cases: Sequence[PlanCase]) -> dict[str, Any]:
    """The figures on `cases`, and the items the planner got wrong (`wrong`: text and the steps it made)."""
    singles = [c for c in cases if c.kind == "single"]
    compounds = [c for c in cases if c.kind == "compound"]
    plans = {c.text: planner.plan(c.text) for c in cases}
    wrong = [{"text": c.text, "steps": [s.text for s in plans[c.text].steps],
              "depends": [list(s.depends_on) for s in plans[c.text].steps]}
             for c in cases if not depends_right(c, plans[c.text])]

    def share(k: int, n: int) -> float | None:
        return round(k / n, 4) if n else None

    return {
        "n": len(cases), "n_single": len(singles), "n_compound": len(compounds),
        "exact": share(sum(split_right(c, plans[c.text]) for c in cases), len(cases)),
        "singles_kept_whole": share(sum(len(plans[c.text].steps) == 1 for c in singles), len(singles)),
        "compounds_exact": share(sum(split_right(c, plans[c.text]) for c in compounds), len(compounds)),
        "depends_exact": share(sum(depends_right(c, plans[c.text]) for c in compounds), len(compounds)),
        "wrong": wrong,
    }
