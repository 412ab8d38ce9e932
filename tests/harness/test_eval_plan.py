"""`tandem eval plan`: the planner scored on the labelled single and compound requests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from device.collab.planners.rules import RulesPlanner
from harness.eval.plan import load_cases, score


def test_the_scorer_counts_a_split_single_request_as_wrong(tmp_path: Path) -> None:
    items = tmp_path / "plans.jsonl"
    items.write_text("\n".join(json.dumps(r) for r in [
        {"text": "My daughter has a fever. What should I do?", "kind": "single", "steps": [[]], "depends": [[]]},
        {"text": "Write a poem about rain. Then explain how clouds form.", "kind": "compound",
         "steps": [["poem"], ["clouds"]], "depends": [[], []]},
    ]) + "\n")
    cases = load_cases(items)
    good = score(RulesPlanner(), cases)
    assert good["exact"] == 1.0 and good["singles_kept_whole"] == 1.0 and good["wrong"] == []

    class SentenceSplitter:  # the old division: every sentence a part
        name = "sentences"

        def plan(self, text: str):  # type: ignore[no-untyped-def]
            from device.collab.steps import Plan, Step

            return Plan(tuple(Step(i, s) for i, s in enumerate(text.split(". "))))

    bad = score(SentenceSplitter(), cases)  # type: ignore[arg-type]
    assert bad["singles_kept_whole"] == 0.0 and bad["exact"] == 0.5
    assert [w["text"] for w in bad["wrong"]] == ["My daughter has a fever. What should I do?"]


def test_eval_plan_cli_meets_the_bar_on_every_split() -> None:
    env = dict(os.environ, TANDEM_CONFIG=os.devnull)
    out = subprocess.run([sys.executable, "-m", "tandem.cli", "eval", "plan", "--json"], capture_output=True,
                         text=True, timeout=300, env=env, check=False)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert set(report["splits"]) == {"tuning", "heldout", "fresh"}
    for name, fig in report["splits"].items():
        assert fig["singles_kept_whole"] == 1.0, (name, fig["wrong"])
        assert fig["exact"] >= 0.95, (name, fig["wrong"])
