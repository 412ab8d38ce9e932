"""The `logprob` router: the device drafts, and escalates when the draft's least likely tokens say it
is guessing.

Gupta et al. (2024, "Language model cascades: token-level uncertainty and beyond") found that
quantiles of the per-token log-probabilities defer better than their mean: one very unlikely token (a
guessed number, a made-up name) is the sign of a wrong answer that a mean washes out. The score is
the `quantile` (default the 10th percentile) of the first `probe_tokens` log-probabilities, negated
(nats; higher = less sure); `score >= threshold` escalates. Asked part-way, once the probe is drafted,
it lets the agent stop drafting a step it will escalate anyway (early exit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from device.collab.routers.base import still_probing, threshold_decision
from device.collab.steps import Draft, RouteDecision, Step


def quantile(values: Sequence[float], q: float) -> float:
    """The `q` quantile of `values`, linearly interpolated (numpy's default), without numpy."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass(frozen=True)
class LogprobRouter:
    threshold: float
    quantile: float = 0.1
    probe_tokens: int | None = 48
    name: str = "logprob"
    needs_draft: bool = True

    def score(self, logprobs: Sequence[float]) -> float:
        return -quantile(logprobs, self.quantile) if logprobs else 0.0

    def uncertainty(self, draft: Draft) -> float:
        return self.score(draft.logprobs[: self.probe_tokens])

    def decide(self, step: Step, draft: Draft | None) -> RouteDecision | None:
        if draft is None or still_probing(draft, self.probe_tokens, len(draft.logprobs)):
            return None
        return threshold_decision(self.uncertainty(draft), self.threshold)
