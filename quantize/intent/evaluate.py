"""The generated held-out split: other seed, other names (`homes.HELDOUT`), run through the runtime parser.

Figures: intent accuracy (None for a non-command counts as right only on a non-command), exact
(intent and every slot value equal to Home Assistant's label), false triggers (a call on a
non-command), each overall and per source (Home Assistant's templates, paraphrases, negatives), and
the parser's milliseconds per request (p50, p95). The hand-written held-out sets are measured by
`tandem eval tools`, not here.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from quantize.intent.homes import HELDOUT, SynthHome
from quantize.intent.labels import Labelled


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_") or "x"


def vocabulary_of(homes: Iterable[SynthHome]) -> Any:
    """One `HomeVocabulary` with every home's floors, areas and entities (names are the homes' own)."""
    from device.home.model import Area, Entity, Floor
    from device.tools.parsers.base import HomeVocabulary

    floors: dict[str, Floor] = {}
    areas: dict[str, Area] = {}
    entities: dict[str, Entity] = {}
    for h in homes:
        for f in h.floors:
            floors.setdefault(_slug(f), Floor(_slug(f), f))
        for a in h.areas:
            areas.setdefault(_slug(a), Area(_slug(a), a, floor=_slug(h.floors[0])))
        for e in h.entities:
            attributes = {"device_class": e.device_class} if e.device_class else {}
            entity_id = f"{e.domain}.{_slug(e.name)}"
            entities.setdefault(entity_id, Entity(entity_id, e.name, area=_slug(e.area) if e.area else None,
                                                  attributes=attributes))
    return HomeVocabulary(tuple(floors.values()), tuple(areas.values()), tuple(entities.values()))


def _same(got: dict[str, Any], want: dict[str, Any]) -> bool:
    def plain(v: Any) -> Any:
        return int(v) if isinstance(v, float) and v.is_integer() else v

    return {k: plain(v) for k, v in got.items()} == {k: plain(v) for k, v in want.items()}


def score(parser_for: Any, data: list[Labelled]) -> dict[str, Any]:
    """Figures over `data`; `parser_for(sample)` is the parser to use (the device's own area set)."""
    by: dict[str, dict[str, int]] = {}
    times: list[float] = []
    misses: list[dict[str, Any]] = []
    for sample in data:
        parser = parser_for(sample)
        t = time.perf_counter()
        call = parser.parse(sample.text)
        times.append((time.perf_counter() - t) * 1000)
        got_intent = None if call is None else call.name
        right_intent = got_intent == sample.intent
        exact = right_intent and (call is None or _same(dict(call.arguments), sample.slots()))
        for key in (sample.source, "all"):
            row = by.setdefault(key, {"n": 0, "intent": 0, "exact": 0, "false_triggers": 0})
            row["n"] += 1
            row["intent"] += right_intent
            row["exact"] += exact
            row["false_triggers"] += sample.intent is None and call is not None
        if not exact and len(misses) < 40:
            misses.append({"text": sample.text, "want": [sample.intent, sample.slots()],
                           "got": None if call is None else [call.name, dict(call.arguments)]})
    figures: dict[str, Any] = {key: {"n": row["n"], "intent": round(row["intent"] / row["n"], 4),
                                     "exact": round(row["exact"] / row["n"], 4),
                                     "false_triggers": row["false_triggers"]} for key, row in by.items()}
    times.sort()
    figures["ms_p50"] = round(statistics.median(times), 2) if times else 0.0
    figures["ms_p95"] = round(times[int(len(times) * 0.95)], 2) if times else 0.0
    figures["misses"] = misses
    return figures


def heldout_figures(model_dir: Path, n: int, seed: int) -> dict[str, Any]:
    """Generate the held-out split (`seed`, `HELDOUT` names) and score the parser in `model_dir` on it."""
    from device.tools.parsers.learned import LearnedParser
    from quantize.intent.dataset import draw

    homes, data = draw(n, seed, HELDOUT)
    vocabulary = vocabulary_of(homes)
    plain = LearnedParser(vocabulary, model_dir=model_dir)
    by_here: dict[str, LearnedParser] = {}

    def parser_for(sample: Labelled) -> LearnedParser:
        if sample.here is None:
            return plain
        if sample.here not in by_here:
            by_here[sample.here] = LearnedParser(replace(vocabulary, here_area=_slug(sample.here)), model_dir=model_dir)
        return by_here[sample.here]

    return {"seed": seed, "names": "HELDOUT", **score(parser_for, data)}
