"""A labelled training sentence and the model's label spaces.

The sequence head predicts a *class*: the intent with the slots its template fixes without words in
the sentence ("turn on the den lights" is `HassTurnOn` with a fixed `domain: light`), written
``HassTurnOn|domain=light``, or `NONE` for "not a command". The token head tags BIO spans of the
slots the sentence says ("den" -> `area`); their values are read back from the words at run time
(`device.tools.parsers.slot_values`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

NONE = "none"


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    slot: str
    value: Any
    """None: tagged for the slot tagger, but no slot of the call ("the chandelier in the den": the area
    names the Den Chandelier, the call has only the name)."""


@dataclass(frozen=True)
class Labelled:
    text: str
    intent: str | None
    """Home Assistant's intent name; None: not a command."""
    fixed: tuple[tuple[str, Any], ...] = ()
    """Slots the template fixes without words in the sentence, sorted by name."""
    spans: tuple[Span, ...] = ()
    here: str | None = None
    """The device's own area, when Home Assistant filled `area` from it (no area words in the sentence)."""
    source: str = ""
    """Which generator made it: "ha", "paraphrase" or "negative"."""
    home: int = -1
    """The index of the synthetic home whose names fill it (its gazetteer); -1: none."""

    @property
    def cls(self) -> str:
        return class_name(self.intent, self.fixed)

    def slots(self) -> dict[str, Any]:
        """Every slot as Home Assistant writes it, the device's own area included when it used it."""
        out = {**dict(self.fixed), **{s.slot: s.value for s in self.spans if s.value is not None}}
        if self.here is not None:
            out["area"] = self.here
        return out


def class_name(intent: str | None, fixed: Iterable[tuple[str, Any]] = ()) -> str:
    if intent is None:
        return NONE
    return "|".join([intent, *(f"{k}={v}" for k, v in sorted(fixed))])


def parse_class(cls: str) -> tuple[str | None, dict[str, Any]]:
    """``HassTurnOn|domain=light`` -> ("HassTurnOn", {"domain": "light"}); `NONE` -> (None, {})."""
    if cls == NONE:
        return None, {}
    intent, *pairs = cls.split("|")
    fixed: dict[str, Any] = {}
    for pair in pairs:
        key, _, raw = pair.partition("=")
        fixed[key] = int(raw) if raw.lstrip("-").isdigit() else raw
    return intent, fixed


def bio_tags(slots: Iterable[str]) -> tuple[str, ...]:
    """"O" then B-/I- per slot, in sorted slot order."""
    return ("O", *(f"{p}-{s}" for s in sorted(set(slots)) for p in ("B", "I")))
