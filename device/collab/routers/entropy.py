"""The `entropy` router: the device drafts, and escalates when its own draft says it is guessing.

Mean per-token entropy (nats) of the first `probe_tokens` of the draft; `score >= threshold`
escalates (RouteLLM's one knob). Asked part-way, once the probe is drafted, it lets the agent stop
drafting a step it will escalate anyway (early exit of the cascade).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from device.collab.routers.base import still_probing, threshold_decision
from device.collab.steps import Draft, RouteDecision, Step


@dataclass(frozen=True)
class EntropyRouter:
    """Mean token entropy (nats) of the local draft; high means the device model is guessing."""

    threshold: float
    probe_tokens: int | None = 48
    name: str = "entropy"
    needs_draft: bool = True

    def score(self, entropies: Sequence[float]) -> float:
        return sum(entropies) / len(entropies) if entropies else 0.0

    def escalates(self, entropies: Sequence[float]) -> bool:
        return self.score(entropies) >= self.threshold

    def uncertainty(self, draft: Draft) -> float:
        return self.score(draft.entropies[: self.probe_tokens])

    def decide(self, step: Step, draft: Draft | None) -> RouteDecision | None:
        if draft is None or still_probing(draft, self.probe_tokens, len(draft.entropies)):
            return None
        return threshold_decision(self.uncertainty(draft), self.threshold)
