"""The `pregen` router: decides from the request alone, before the device drafts a word.

A logistic model over hashed words and word pairs of the step's text (no draft, no model call:
microseconds), trained by `tandem route train` on labels the team produces by running the device and
the cloud models on the same items (`tandem eval route`: "the cloud is right and the device is not").
`score >= threshold` sends the step to the cloud; below it the router abstains, so the draft readers
after it may still escalate what the device then guesses at. `tandem route calibrate --router pregen`
writes the threshold for a target share of cloud calls or a target quality.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from dataclasses import dataclass

from device.collab.routers.logistic import LogisticModel
from device.collab.steps import Draft, RouteDecision, Step

NAME = "pregen"
DIMS = 512
_WORD = re.compile(r"[a-z0-9']+|[<>%$?]")


def request_features(text: str, dims: int = DIMS) -> list[float]:
    """Hashed words and word pairs of `text` (L2-normalised), then log length: what a router sees before
    any draft. The same function scores at run time and in `tandem eval route`."""
    vec = [0.0] * dims
    words = _WORD.findall(text.lower())
    for tok in words + [f"{a} {b}" for a, b in itertools.pairwise(words)]:
        vec[int(hashlib.md5(tok.encode()).hexdigest()[:8], 16) % dims] += 1.0
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec] + [math.log1p(len(words))]


@dataclass(frozen=True)
class PregenRouter:
    model: LogisticModel
    threshold: float | None = None
    """Overrides the model file's threshold (`[escalation] pregen_threshold`)."""
    name: str = NAME
    needs_draft: bool = False
    probe_tokens: int | None = None

    def score(self, text: str) -> float:
        return self.model.score(request_features(text))

    def decide(self, step: Step, draft: Draft | None) -> RouteDecision | None:
        if draft is not None:
            return None
        score = self.score(step.text)
        cut = self.model.threshold if self.threshold is None else self.threshold
        return RouteDecision("cloud", "predicted beyond the device", score) if score >= cut else None

    def uncertainty(self, draft: Draft) -> float | None:
        return None
