"""The `deferral` router: a learned post-hoc deferral rule on the device's own draft (Gupta et al. 2024).

The device drafts; once `probe_tokens` are drafted (early exit) or the draft is done, a logistic model
reads what the literature found predicts a small model's mistakes better than its mean entropy:
quantiles of the per-token log-probabilities (10th, 25th, 50th), the mean entropy, the draft's length,
the form of the request (a multiple-choice question, a multi-number word problem, a short factual
question: read from the text) and the capability rules (code, arithmetic, translation). It is
trained by `tandem route train` on the same device/cloud labels as `pregen`; `score >= threshold`
escalates. `tandem route calibrate --router deferral` writes the threshold for a target.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from device.collab.routers.base import still_probing, threshold_decision
from device.collab.routers.capability import capability_gap
from device.collab.routers.logistic import LogisticModel
from device.collab.routers.logprob import quantile
from device.collab.steps import Draft, RouteDecision, Step

NAME = "deferral"
_OPTIONS = re.compile(r"\boptions?\s*:|(?:^|\s)\(?[A-D]\)\s", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_ASKS_NUMBER = re.compile(r"\bhow (?:many|much|long|far|old)\b|\btotal\b|\bstep by step\b|\bcalculate\b|"
                          r"\banswer:\s*<number>", re.IGNORECASE)
_SHORT_QUESTION = re.compile(r"^\s*(?:who|what|when|where|which|how many|how much|in which|name)\b", re.IGNORECASE)


def request_form(text: str) -> list[float]:
    """What kind of request `text` is, from the text alone: multiple choice, a word problem (several
    numbers, asks for a number), a short factual question; and its length."""
    numbers = len(_NUMBER.findall(text))
    words = len(text.split())
    return [1.0 if _OPTIONS.search(text) else 0.0, 1.0 if numbers >= 2 else 0.0,
            1.0 if _ASKS_NUMBER.search(text) else 0.0,
            1.0 if _SHORT_QUESTION.match(text) and words <= 20 else 0.0, math.log1p(words)]


def draft_features(text: str, logprobs: Sequence[float], entropies: Sequence[float], probe: int) -> list[float]:
    """The deferral rule's features of a request and the first `probe` tokens of its draft."""
    lp, ent = list(logprobs[:probe]), list(entropies[:probe])
    return [*request_form(text), -quantile(lp, 0.1), -quantile(lp, 0.25), -quantile(lp, 0.5),
            sum(ent) / len(ent) if ent else 0.0, math.log1p(min(len(logprobs), probe)),
            1.0 if capability_gap(text) else 0.0]


@dataclass(frozen=True)
class DeferralRouter:
    model: LogisticModel
    threshold: float | None = None
    """Overrides the model file's threshold (`[escalation] deferral_threshold`)."""
    probe_tokens: int | None = 48
    name: str = NAME
    needs_draft: bool = True

    def score(self, text: str, draft: Draft) -> float:
        return self.model.score(draft_features(text, draft.logprobs, draft.entropies, self.probe_tokens or 48))

    def uncertainty(self, draft: Draft) -> float | None:
        return None  # the score needs the request too: the decision carries it

    def decide(self, step: Step, draft: Draft | None) -> RouteDecision | None:
        if draft is None or still_probing(draft, self.probe_tokens, len(draft.logprobs)):
            return None
        cut = self.model.threshold if self.threshold is None else self.threshold
        return threshold_decision(self.score(step.text, draft), cut, "learned deferral")
