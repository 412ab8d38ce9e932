"""Task assignment: answer a sub-task on the device, or escalate it to the cloud.

Two signals, as in the SLM-LLM collaboration surveys:
- capability: some requests are beyond a ~100M-parameter model whatever it says (writing code,
  exact arithmetic, translation); they escalate without a local attempt.
- uncertainty: otherwise the device drafts; a router scores the draft (mean per-token entropy of
  the first `probe_tokens`) and escalates when `score >= threshold` (RouteLLM's one knob).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

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


class Router(Protocol):
    threshold: float

    def score(self, entropies: list[float]) -> float: ...


@dataclass(frozen=True)
class EntropyRouter:
    """Mean token entropy (nats) of the local draft; high means the device model is guessing."""

    threshold: float

    def score(self, entropies: list[float]) -> float:
        return sum(entropies) / len(entropies) if entropies else 0.0

    def escalates(self, entropies: list[float]) -> bool:
        return self.score(entropies) >= self.threshold


@dataclass(frozen=True)
class RouteDecision:
    route: str  # "local" | "cloud"
    reason: str  # "confident" | "uncertain" | "capability:<name>" | "forced"
    uncertainty: float | None  # the router's score when a draft was scored
