"""Task division: split one (redacted) request into sub-tasks that can be routed separately.

"Remind <PERSON_1> that the boiler service is on Friday, and explain how a condensing boiler
works." is two jobs: a short personal message the device writes itself, and an explanation that
may need a larger model. Splitting at clause boundaries that start a new imperative lets each
part go where it is answered best, and keeps the personal part (with its placeholders) local.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Part:
    index: int
    text: str
    personal: bool  # holds placeholders: it is about the user's private data


def divide(text: str, max_parts: int = 4) -> list[Part]:
    """Split `text` into at most `max_parts` instructions (one part if it is a single job)."""
    pieces = [_LEADING.sub("", p.strip(" ,;")) for p in _SPLIT.split(text.strip())]
    pieces = [p for p in pieces if len(p.split()) >= 2] or [text.strip()]
    if len(pieces) > max_parts:  # keep the first ones, fold the tail into the last part
        pieces = pieces[: max_parts - 1] + [" ".join(pieces[max_parts - 1:])]
    parts = []
    for i, piece in enumerate(pieces):
        if piece and piece[-1] not in ".?!":
            piece += "?" if re.match(r"(?:what|how|why|who|when|where|which|can|could)\b", piece, re.IGNORECASE) else "."
        parts.append(Part(i, piece[0].upper() + piece[1:], bool(PLACEHOLDER_RE.search(piece))))
    return parts
