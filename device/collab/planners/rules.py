"""The `rules` planner: split one (redacted) request at clause boundaries that start a new job.

"Remind <PERSON_1> that the boiler service is on Friday, and explain how a condensing boiler
works." is two jobs: a short personal message the device writes itself, and an explanation that
may need a larger model. Splitting at "and"/"then" before a new imperative
lets each step go where it is answered best, and keeps the personal step (with its placeholders)
local. A sentence that only gives context or continues the question ("My daughter has a fever.
What should I do?", a question followed by its options) stays with it: only a sentence that opens
a new job (an imperative, a question added with "Also, ...", or a device command) starts a step, and
a sentence that only says how to answer ("Make it polite.", "Show your work.", "Answer with the
letter.") or asks more of the same answer ("..., and explain each briefly") stays with its job. A
step that acts on an earlier answer ("then send it to <PERSON_1>") depends on the step before it.

Given a `recognise` function (the device's tools: text -> the call it asks for, or None), a piece the
device can carry out becomes a `tool` step with its call, and a piece that joins two commands ("turn
off the kitchen light and turn on the reading lamp") is cut between them when the first is a sure
parse (`SURE`), the second opens with a command verb and they aim at different targets ("add milk and
eggs to the list" and "it's too dark in here, bump the lights up" stay one command). Measured by
`tandem eval plan` on hand-labelled requests.
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
    "remind|send|find|look up|search|compare|suggest|recommend|create|make|show|help|answer|outline|define|plan|"
    "schedule|email|text|call|note|add|book|check|save|share|forward"
)
# split at "and"/"then" directly followed by a new imperative
_CONNECTIVE = re.compile(rf",?\s+(?:and then|and|then|also|plus)\s+(?=(?:please\s+)?(?:{_VERBS})\b)")
# a sentence that opens a new job: an imperative ("Explain ...", "Then list ..."), not context or the
# rest of the same question ("My daughter has a fever. What should I do?", "... Options: A) ...")
_NEW_JOB = re.compile(rf"^(?:(?:and then|and|then|also|plus|next|finally)[,\s]+)?(?:please\s+)?(?:{_VERBS})\b",
                      re.IGNORECASE)
# "... Also, what is ...?": a question added after another job is a job of its own
_ADDED_QUESTION = re.compile(r"^(?:also|and|plus|next|then|oh and|by the way)[,\s]+(?:what|who|which|where|when|why|how|"
                             r"is|are|can|could|do|does|did|should)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z])")

_LEADING = re.compile(r"^(?:and then|and|then|also|plus|next|finally)[,\s]+", re.IGNORECASE)
_QUESTION = re.compile(r"(?:what|how|why|who|when|where|which|can|could)\b", re.IGNORECASE)
_BACK = r"(?:it|its|this|that|them|these|those|each(?:\s+one)?|both|your\s+(?:work|working|steps|answer|reasoning))"
# how the answer should read, not a new job: "Make it polite.", "Show your work.", "Answer with the letter.",
# "Keep it short.", "..., and explain each briefly."
_REFINES = re.compile(
    rf"^(?:please\s+)?(?:(?:make|keep|show|explain|describe|list|give|write|rewrite|format|shorten|expand|"
    rf"summari[sz]e|translate|check|define|outline|compare)\s+{_BACK}\b|"
    rf"(?:answer|reply|respond)\s+(?:with|in|only|just|briefly|using|as|by)\b)",
    re.IGNORECASE)
_COMMAND_VERB = re.compile(
    r"(?:please\s+)?(?:turn|switch|set|dim|brighten|raise|lower|open|close|shut|lock|unlock|start|stop|pause|"
    r"resume|cancel|play|mute|unmute|put|add|remove|remind|activate|arm|disarm|toggle|run|make|kill)\b", re.IGNORECASE)
"""The verb a second command opens with, after "and" or a comma ("..., dim the lamp")."""
_NAMES_IT = re.compile(r"^(?:please\s+)?(?:call|name|label)\s+it\b", re.IGNORECASE)
_EXAMPLE = re.compile(r"^(?:please\s+)?(?:give|show|add|include|use)\s+(?:me\s+)?(?:an?\s+|some\s+|\w+\s+)?examples?\b",
                      re.IGNORECASE)
# a job that acts on an earlier answer ("then send it to <PERSON_1>", "add it to my reading list"): a step
# of its own that waits for the one before it
_ACTS_ON = re.compile(r"^(?:please\s+)?(?:send|email|text|forward|share|remind|add|save|note|put|schedule|"
                      r"book|call|message)\b", re.IGNORECASE)
_REFERS_BACK = re.compile(r"\b(?:it|them|those|these|that one|the (?:result|results|answer|list|summary))\b",
                          re.IGNORECASE)


def _bare(piece: str) -> str:
    return _LEADING.sub("", piece.strip(" ,;"))


def _continues(piece: str) -> bool:
    """`piece` (a sentence or an "and ..." clause) says how the job before it should be answered, or
    asks more of the same answer ("..., and list its main parts"): it stays with that job, unless it
    acts on the answer (sends, adds, reminds) or speaks of the user's people (`<PERSON_1>`)."""
    bare = _bare(piece)
    if _NAMES_IT.match(bare):
        return True
    if _ACTS_ON.match(bare) or PLACEHOLDER_RE.search(bare):
        return False
    return bool(_REFINES.match(bare) or _EXAMPLE.match(bare) or (_NEW_JOB.match(bare) and _REFERS_BACK.search(bare))
                or re.search(r"\bits\b", bare, re.IGNORECASE))


def _jobs(text: str, is_command: Callable[[str], bool] | None) -> list[str]:
    """`text` cut where a new job starts: at "and"/"then" + an imperative, and at a sentence end whose next
    sentence is an imperative or a device command (or follows one). A sentence that only gives context,
    continues the question or says how to answer it stays with it."""
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        command = is_command is not None and (is_command(_bare(sentence)) or (bool(pieces) and is_command(
            _bare(pieces[-1]))))
        opens = bool(_NEW_JOB.match(sentence) or _ADDED_QUESTION.match(sentence))
        if pieces and (not (opens or command) or (not command and _continues(sentence))):
            pieces[-1] = f"{pieces[-1]} {sentence}"
        else:
            pieces.append(sentence)
    out: list[str] = []
    for piece in pieces:
        cuts = [m.span() for m in _CONNECTIVE.finditer(piece)]
        starts = [0, *(end for _, end in cuts)]
        ends = [*(start for start, _ in cuts), len(piece)]
        out.append(piece[: ends[0]])
        for i in range(1, len(starts)):
            clause = piece[starts[i]: ends[i]]
            after_command = is_command is not None and is_command(_bare(out[-1]))
            own = is_command is not None and is_command(_bare(clause))
            if ((_continues(clause) and not after_command) or _NAMES_IT.match(_bare(clause))) and not own:
                out[-1] += piece[ends[i - 1]: ends[i]]  # the clause with the words that joined it, as written
            else:
                out.append(clause)
    return out


def divide(text: str, max_parts: int = 4, is_command: Callable[[str], bool] | None = None) -> list[Step]:
    """Split `text` into at most `max_parts` instructions (one step if it is a single job). A step that
    acts on an earlier answer ("then send it to <PERSON_1>") depends on the step before it."""
    # a connective that opens the whole request ("And of Canada?", "Also, why?") ties it to the turn before:
    # it stays, unless what follows is a device command the tools read without it
    pieces = [_bare(p) if i or (is_command is not None and is_command(_bare(p))) else p.strip(" ,;")
              for i, p in enumerate(_jobs(text, is_command))]
    pieces = [p for p in pieces if len(p.split()) >= 2] or [text.strip()]
    if len(pieces) > max_parts:  # keep the first ones, fold the tail into the last step
        pieces = pieces[: max_parts - 1] + [" ".join(pieces[max_parts - 1:])]
    steps = []
    for i, piece in enumerate(pieces):
        if piece and piece[-1] not in ".?!":
            piece += "?" if _QUESTION.match(piece) else "."
        acts = bool(_ACTS_ON.match(piece) or PLACEHOLDER_RE.search(piece))
        depends = (i - 1,) if i and acts and _REFERS_BACK.search(piece) else ()
        steps.append(Step(i, piece[:1].upper() + piece[1:], bool(PLACEHOLDER_RE.search(piece)), depends_on=depends))
    return steps


_JOINS = re.compile(r",?\s+(?:and then|and|then|also)\s+|;\s*|,\s+", re.IGNORECASE)

Recognise = Callable[[str], ToolCall | None]


SURE = 0.75
"""A parse this confident starts a job of its own in a longer request (a lower one, such as "Janet has 3
apples." read as a list item, is the parser guessing: the sentence stays with its question)."""

_WHOLE_ONLY = frozenset({"HassNevermind"})
"""Intents that are a whole request or nothing: "never mind" cancels the turn, so a sentence read as one
("I always forget.") never starts a job inside a longer request."""


@dataclass(frozen=True)
class RulesPlanner:
    name: str = "rules"
    max_steps: int = 4
    recognise: Recognise | None = None

    def _sure(self, text: str) -> ToolCall | None:
        assert self.recognise is not None
        call = self.recognise(text)
        if call is not None and call.name in _WHOLE_ONLY:
            return None
        return call if call is not None and call.confidence >= SURE else None

    def plan(self, text: str) -> Plan:
        steps = divide(text, self.max_steps, (lambda piece: self._sure(piece) is not None) if self.recognise else None)
        if self.recognise is None:
            return Plan(tuple(steps))
        out: list[Step] = []
        first_of: dict[int, int] = {}
        last_of: dict[int, int] = {}
        for step in steps:
            first_of[step.index] = len(out)
            for piece, call in self._commands(step.text):
                depends = tuple(sorted({last_of[d] for d in step.depends_on})) if len(out) == first_of[step.index] \
                    else ()
                out.append(Step(len(out), piece, bool(PLACEHOLDER_RE.search(piece)),
                                kind="tool" if call is not None else "answer", call=call, depends_on=depends))
            last_of[step.index] = len(out) - 1
        return Plan(tuple(out))

    def _commands(self, text: str) -> list[tuple[str, ToolCall | None]]:
        """`text` cut where two commands join ("turn on the garage light and lock the front door": each side
        a confident command on its own), or as one command, or as it is (not a command)."""
        assert self.recognise is not None
        split = self._split_commands(text)
        if split is not None:
            return split
        call = self.recognise(text)
        return [(text, call)]

    def _split_commands(self, text: str) -> list[tuple[str, ToolCall | None]] | None:
        for m in _JOINS.finditer(text):
            left, right = text[: m.start()].strip(), text[m.end():].strip()
            if not left or not right or not _COMMAND_VERB.match(right) or _REFERS_BACK.match(right.split(" ", 1)[-1]):
                continue  # "turn on the lamp and set it to 50%", "add apples and bananas to ...": one command
            first = self._sure(left)
            if first is None:
                continue
            right = right[0].upper() + right[1:]
            rest = self._split_commands(right)
            if rest is None:
                call = self.recognise(right) if self.recognise is not None else None
                rest = [(right, call)] if call is not None else None
            if rest is not None and not _same_target(first, rest[0][1]):
                return [(_sentence(left), first), *rest]
        return None


def _same_target(a: ToolCall, b: ToolCall | None) -> bool:
    """Both calls aim at the same device or area ("it's too dark in the living room, bump the lights up to
    80%"): one command said twice, not two."""
    if b is None:
        return False
    target = ("name", "area", "floor")
    ta = {k: str(a.arguments[k]).casefold() for k in target if a.arguments.get(k)}
    tb = {k: str(b.arguments[k]).casefold() for k in target if b.arguments.get(k)}
    if ta and not tb and ("domain" in b.arguments or b.name == "HassLightSet"):
        return True  # "..., bump the lights up": a device command with no target of its own continues the first
    return bool(ta) and ta == tb


def _sentence(piece: str) -> str:
    return piece if piece[-1:] in ".?!" else piece + "."
