"""The `rules` planner: split one (redacted) request at clause boundaries that start a new job.

"Remind <PERSON_1> that the boiler service is on Friday, and explain how a condensing boiler
works." is two jobs: a short personal message the device writes itself, and an explanation that
may need a larger model. Splitting at "and"/"then" before a new imperative
lets each step go where it is answered best, and keeps the personal step (with its placeholders)
local. A sentence that only gives context or continues the question ("My daughter has a fever.
What should I do?", a question followed by its options) stays with it: only a sentence that opens
a new job (an imperative, or a device command) starts a step. Given a `recognise` function (the device's tools: text -> the call it asks for, or None), a
piece the device can carry out becomes a `tool` step with its call, and a piece that joins two
commands ("turn off the kitchen light and turn on the reading lamp") is cut between them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from device.collab.steps import Plan, Step, ToolCall
from device.redaction.model import PLACEHOLDER_RE

# imperative verbs that open a new instruction ("..., and explain ...", "...; then list ...")
_VERBS = (
    "explain|describe|tell|write|draft|compose|summari[sz]e|list|give|translate|compute|calculate|"
    "remind|send|find|compare|suggest|recommend|create|make|show|help|answer|outline|define|plan|"
    "schedule|email|text|call|note|add|book|check"
)
# split at "and"/"then" directly followed by a new imperative
_CONNECTIVE = re.compile(rf",?\s+(?:and then|and|then|also|plus)\s+(?=(?:please\s+)?(?:{_VERBS})\b)")
# a sentence that opens a new job: an imperative ("Explain ...", "Then list ..."), not context or the
# rest of the same question ("My daughter has a fever. What should I do?", "... Options: A) ...")
_NEW_JOB = re.compile(rf"^(?:(?:and then|and|then|also|plus|next|finally)[,\s]+)?(?:please\s+)?(?:{_VERBS})\b",
                      re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z])")

_LEADING = re.compile(r"^(?:and then|and|then|also|plus)\s+", re.IGNORECASE)
_QUESTION = re.compile(r"(?:what|how|why|who|when|where|which|can|could)\b", re.IGNORECASE)


def _jobs(text: str, is_command: Callable[[str], bool] | None) -> list[str]:
    """`text` cut where a new job starts: at "and"/"then" + an imperative, and at a sentence end whose next
    sentence is an imperative or a device command (or follows one). A sentence that only gives context or
    continues the question stays with it."""
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        if pieces and not (_NEW_JOB.match(sentence) or (is_command is not None and (
                is_command(sentence) or is_command(pieces[-1])))):
            pieces[-1] = f"{pieces[-1]} {sentence}"
        else:
            pieces.append(sentence)
    return [p for piece in pieces for p in _CONNECTIVE.split(piece)]


def divide(text: str, max_parts: int = 4, is_command: Callable[[str], bool] | None = None) -> list[Step]:
    """Split `text` into at most `max_parts` instructions (one step if it is a single job)."""
    pieces = [_LEADING.sub("", p.strip(" ,;")) for p in _jobs(text, is_command)]
    pieces = [p for p in pieces if len(p.split()) >= 2] or [text.strip()]
    if len(pieces) > max_parts:  # keep the first ones, fold the tail into the last step
        pieces = pieces[: max_parts - 1] + [" ".join(pieces[max_parts - 1:])]
    steps = []
    for i, piece in enumerate(pieces):
        if piece and piece[-1] not in ".?!":
            piece += "?" if _QUESTION.match(piece) else "."
        steps.append(Step(i, piece[:1].upper() + piece[1:], bool(PLACEHOLDER_RE.search(piece))))
    return steps


_JOINS = re.compile(r",?\s+(?:and then|and|then|also)\s+|;\s*|,\s+", re.IGNORECASE)

Recognise = Callable[[str], ToolCall | None]


@dataclass(frozen=True)
class RulesPlanner:
    name: str = "rules"
    max_steps: int = 4
    recognise: Recognise | None = None

    def plan(self, text: str) -> Plan:
        recognise = self.recognise
        steps = divide(text, self.max_steps, (lambda piece: recognise(piece) is not None) if recognise else None)
        if self.recognise is None:
            return Plan(tuple(steps))
        out: list[Step] = []
        for step in steps:
            for piece, call in self._commands(step.text):
                out.append(Step(len(out), piece, bool(PLACEHOLDER_RE.search(piece)),
                                kind="tool" if call is not None else "answer", call=call))
        return Plan(tuple(out))

    def _commands(self, text: str) -> list[tuple[str, ToolCall | None]]:
        """`text` as one command, or cut where two commands join, or as it is (not a command)."""
        assert self.recognise is not None
        call = self.recognise(text)
        if call is not None:
            return [(text, call)]
        for m in _JOINS.finditer(text):
            left, right = text[: m.start()].strip(), text[m.end():].strip()
            if not left or not right:
                continue
            right = right[0].upper() + right[1:]
            first = self.recognise(left)
            if first is None:
                continue
            rest = self._commands(right)
            if all(c is not None for _, c in rest):
                return [(_sentence(left), first), *rest]
        return [(text, None)]


def _sentence(piece: str) -> str:
    return piece if piece[-1:] in ".?!" else piece + "."
