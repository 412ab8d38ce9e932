"""The `capability` router: requests beyond a ~100M-parameter model, whatever it would say.

Writing code, exact arithmetic and translation escalate without a local attempt (as in the
SLM-LLM collaboration surveys' capability routing). It reads only the request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from device.collab.steps import Draft, RouteDecision, Step

_CAPABILITY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("code", re.compile(
        r"\b(write|implement|fix|debug|refactor)\b[^.?!]{0,40}\b(code|function|script|program|class|"
        r"regex|sql|query|python|javascript|rust|bash)\b|```", re.IGNORECASE)),
    ("arithmetic", re.compile(r"\b(calculate|compute|solve)\b|\d+\s*[-+*/^x×]\s*\d+", re.IGNORECASE)),
    ("translation", re.compile(r"\btranslate\b", re.IGNORECASE)),
)


def capability_gap(text: str) -> str | None:
    """The name of a capability the device model lacks for this request, or None."""
    for name, pattern in _CAPABILITY_RULES:
        if pattern.search(text):
            return name
    return None


@dataclass(frozen=True)
class CapabilityRouter:
    name: str = "capability"
    needs_draft: bool = False
    probe_tokens: int | None = None

    def decide(self, step: Step, draft: Draft | None) -> RouteDecision | None:
        gap = capability_gap(step.text)
        return RouteDecision("cloud", f"capability:{gap}") if gap else None

    def uncertainty(self, draft: Draft) -> float | None:
        return None
