"""The `rules` planner: split one (redacted) request at clause boundaries that start a new job.

"Remind <PERSON_1> that the boiler service is on Friday, and explain how a condensing boiler
works." is two jobs: a short personal message the device writes itself, and an explanation that
may need a larger model. Splitting at sentence ends and at "and"/"then" before a new imperative
lets each step go where it is answered best, and keeps the personal step (with its placeholders)
local. Every step is an `answer` step with no dependencies: rules cannot see tools or data flow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from device.collab.steps import Plan, Step
from device.redaction.model import PLACEHOLDER_RE

# imperative verbs that open a new instruction ("..., and explain ...", "...; then list ...")
_VERBS = (
    "explain|describe|tell|write|draft|compose|summari[sz]e|list|give|translate|compute|calculate|"
    "remind|send|find|compare|suggest|recommend|create|make|show|help|answer|outline|define|plan|"
    "schedule|email|text|call|note|add|book|check"
)
# split at a sentence end, or at "and"/"then" directly followed by a new imperative
_SPLIT = re.compile(
    rf"(?<=[.;!?])\s+(?=[A-Z])|,?\s+(?:and then|and|then|also|plus)\s+(?=(?:please\s+)?(?:{_VERBS})\b)",
)

_LEADING = re.compile(r"^(?:and then|and|then|also|plus)\s+", re.IGNORECASE)
_QUESTION = re.compile(r"(?:what|how|why|who|when|where|which|can|could)\b", re.IGNORECASE)


def divide(text: str, max_parts: int = 4) -> list[Step]:
    """Split `text` into at most `max_parts` instructions (one step if it is a single job)."""
    pieces = [_LEADING.sub("", p.strip(" ,;")) for p in _SPLIT.split(text.strip())]
    pieces = [p for p in pieces if len(p.split()) >= 2] or [text.strip()]
    if len(pieces) > max_parts:  # keep the first ones, fold the tail into the last step
        pieces = pieces[: max_parts - 1] + [" ".join(pieces[max_parts - 1:])]
    steps = []
    for i, piece in enumerate(pieces):
        if piece and piece[-1] not in ".?!":
            piece += "?" if _QUESTION.match(piece) else "."
        steps.append(Step(i, piece[:1].upper() + piece[1:], bool(PLACEHOLDER_RE.search(piece))))
    return steps


@dataclass(frozen=True)
class RulesPlanner:
    name: str = "rules"
    max_steps: int = 4

    def plan(self, text: str) -> Plan:
        return Plan(tuple(divide(text, self.max_steps)))
