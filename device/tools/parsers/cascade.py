"""The `cascade` command parser: the stages in order, the first sure answer wins.

Default stages, cheapest and surest first:

    hassil   Home Assistant's templates, exact (confidence 1.0; never wrong when it matches)
    learned  the joint intent + slot model on the MiniLM encoder (paraphrases; its own confidence)
    rules    anchored patterns for what Home Assistant lacks (reminders, alarms, notes, messages)

A stage's call at or above `min_confidence` is the answer. Below it, the best candidate is kept for
`best()` (the agent may ask the cloud planner to plan the call instead), and `parse()` says None:
an unsure parse must not act, and a text no stage claims is not a command. A stage that cannot be
built on this device (its model is not built) is left out with one warning that says how to build it;
the others still run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from device.collab.steps import ToolCall
from device.errors import CollabConfigError
from device.tools.parsers.base import CommandParser, HomeVocabulary

log = logging.getLogger(__name__)

DEFAULT_STAGES: tuple[str, ...] = ("hassil", "learned", "rules")
DEFAULT_MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Candidate:
    """The best call the stages found, and which stage found it (None: no stage claimed the text)."""

    call: ToolCall | None
    stage: str | None


@dataclass
class CascadeParser:
    stages: Sequence[CommandParser]
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    name: str = "cascade"
    known: frozenset[str] | None = None
    """The tools this device has (None: any): a stage's call of another intent (Home Assistant's
    `HassRespond`, an intent without a tool here) is no call."""

    def best(self, text: str) -> Candidate:
        """The first call at or above `min_confidence`, else the most confident one below it."""
        best = Candidate(None, None)
        for stage in self.stages:
            call = stage.parse(text)
            if call is None or (self.known is not None and call.name not in self.known):
                continue
            if call.confidence >= self.min_confidence:
                return Candidate(call, stage.name)
            if best.call is None or call.confidence > best.call.confidence:
                best = Candidate(call, stage.name)
        return best

    def parse(self, text: str) -> ToolCall | None:
        found = self.best(text).call
        return found if found is not None and found.confidence >= self.min_confidence else None


def make_cascade(vocabulary: HomeVocabulary, stages: Sequence[str] = DEFAULT_STAGES,
                 min_confidence: float = DEFAULT_MIN_CONFIDENCE,
                 factories: dict[str, Callable[[HomeVocabulary], CommandParser]] | None = None,
                 known: frozenset[str] | None = None) -> CascadeParser:
    """The cascade over the parsers named in `stages` (`factories`: the registry, by default `PARSERS`)."""
    if factories is None:
        from device.tools.parsers import PARSERS

        factories = PARSERS
    built: list[CommandParser] = []
    for name in stages:
        if name == "cascade" or name not in factories:
            raise CollabConfigError(f"unknown cascade stage {name!r}: use parsers from "
                                    f"{', '.join(sorted(n for n in factories if n != 'cascade'))}")
        try:
            built.append(factories[name](vocabulary))
        except CollabConfigError as exc:
            log.warning("command parser stage %s left out: %s", name, exc)
    if not built:
        raise CollabConfigError(f"no stage of the command parser cascade ({', '.join(stages)}) can run here")
    return CascadeParser(tuple(built), min_confidence, known=known)
