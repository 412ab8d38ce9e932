"""`tandem eval tools`: how well the device understands commands, on held-out sets nobody generated,
with Home Assistant's own matcher measured in the same run as the reference.

The sets (`harness/eval/data/`, one JSON object a line: ``{"text", "intent": <name> | null, "slots",
["context": {"area"}], ["source"]}``) all speak of one home, `tools_home.yaml`:

- ``ha_style``: Home Assistant's own English intent tests (sentences and labels, CC BY 4.0, see
  `data/TOOLS_ATTRIBUTION.md`), only the intents tandem has as tools;
- ``paraphrase``: everyday paraphrases of the same commands, written by hand ("kill the garage light");
- ``non_commands``: knowledge questions, writing tasks and small talk, many about the same devices;
  every label is null.
- ``paraphrase2`` and ``non_commands2``: the same kinds, written later by someone who had read neither
  the parser, its training data nor the first sets (only the home): the first sets' misses were read
  while the parser was tuned, so these are the held-out figures now.

A line's ``context.area`` is the device's own area (Home Assistant's satellite area): the parser for
that line is built with it as `HomeVocabulary.here_area`, and Home Assistant's matcher gets it as the
intent context.

Comparison rules (`harness.eval.tools_compare`):

- **exact**: the intent is the labelled one and the slots are equal as a whole, after normalising:
  numbers as numbers (50 == 50.0), strings case-insensitively with surrounding spaces dropped;
  ``name``/``area``/``floor`` through the home (an alias or id is its name); ``name: all`` is no name;
  a ``domain`` the intent implies (HassLightSet -> light) or a ``domain``/``device_class`` the named
  entity has may be given or left out, and so may an ``area`` that is the device's own (the line's
  context). Any other missing or extra slot is wrong. A non-command is
  exact when the parser returns nothing.
- **intent accuracy**: the intent alone is right (for a non-command: no intent).
- **not recognised**: a command for which the parser returned nothing (share of commands). A
  command parsed as another intent or with other slots is *wrong*, not "not recognised": a wrong
  call acts, a missing one asks or escalates.
- **false triggers**: a non-command for which the parser returned any call (share of non-commands;
  null on a set without non-commands).
- **ms p50 / p90**: wall time of `parse` alone, per sentence, in this process, each parser warmed
  by one untimed parse first (a model loaded on first use is not counted; loading is the bench's
  business).

Per set, per gold intent (``none`` for non-commands), the same figures; the device's parser under the
set's keys, the reference under ``reference``, a few wrong parses of each under ``misses``.
"""

from __future__ import annotations

import json
import logging
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from device.collab.steps import ToolCall
from device.home.inventory import Inventory, load_inventory
from device.tools.parsers.base import CommandParser, HomeVocabulary
from harness.errors import EvalError
from harness.eval.tools_compare import HomeNames, same_call

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
HOME = DATA_DIR / "tools_home.yaml"
SETS: tuple[str, ...] = ("ha_style", "paraphrase", "non_commands", "paraphrase2", "non_commands2")
TARGETS = {"ha_style": 0.97, "paraphrase": 0.90, "paraphrase2": 0.90, "false_triggers": 0.01, "ms_p50": 25.0}
MISSES_SHOWN = 12
_WARM_UP = "hello there"

#: Builds a parser for a home (with the device's own area in `here_area`).
ParserFactory = Callable[[HomeVocabulary], CommandParser]


@dataclass(frozen=True)
class Case:
    """One labelled sentence; `here_area` is the device's own area (an area name) or None."""

    text: str
    intent: str | None
    slots: Mapping[str, Any]
    here_area: str | None = None
    source: str | None = None


def load_set(name: str, data_dir: Path = DATA_DIR) -> list[Case]:
    """The held-out set `name` (one of `SETS`)."""
    if name not in SETS:
        raise EvalError(f"no held-out command set {name!r}: pick from {', '.join(SETS)}")
    path = data_dir / f"tools_{name}.jsonl"
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            cases.append(Case(row["text"], row["intent"], dict(row.get("slots") or {}),
                              (row.get("context") or {}).get("area"), row.get("source")))
        except (ValueError, KeyError, TypeError) as exc:
            raise EvalError(f"{path}:{number}: not a labelled sentence ({exc}); each line needs "
                            "{\"text\", \"intent\", \"slots\"}") from exc
    return cases


@dataclass(frozen=True)
class Outcome:
    case: Case
    call: ToolCall | None
    ms: float
    exact: bool

    @property
    def kind(self) -> str:
        """exact, wrong_intent, wrong_slots, not_recognised (a command missed) or false_trigger."""
        if self.exact:
            return "exact"
        if self.call is None:
            return "not_recognised"
        if self.case.intent is None:
            return "false_trigger"
        return "wrong_intent" if self.call.name != self.case.intent else "wrong_slots"


@dataclass
class Runner:
    """Parses cases with parsers built per device area (the home's vocabulary, `here_area` set)."""

    inventory: Inventory
    factory: ParserFactory
    _parsers: dict[str | None, CommandParser] = field(default_factory=dict)

    def parser(self, here_area: str | None) -> CommandParser:
        if here_area not in self._parsers:
            area = self.inventory.find_area(here_area) if here_area else None
            if here_area and area is None:
                raise EvalError(f"a case's context area {here_area!r} is not in the home {self.inventory.source}")
            vocabulary = HomeVocabulary(self.inventory.floors, self.inventory.areas, self.inventory.entities,
                                        area.id if area else None)
            parser = self.factory(vocabulary)
            parser.parse(_WARM_UP)  # a parser that loads its model on first use is timed warm
            self._parsers[here_area] = parser
        return self._parsers[here_area]

    def run(self, cases: Iterable[Case], home: HomeNames) -> list[Outcome]:
        outcomes = []
        for case in cases:
            parser = self.parser(case.here_area)
            start = time.perf_counter()
            call = parser.parse(case.text)
            ms = (time.perf_counter() - start) * 1000
            exact = (call is None if case.intent is None else
                     call is not None and same_call(case.intent, case.slots, call.name, call.arguments, home,
                                                   case.here_area))
            outcomes.append(Outcome(case, call, ms, exact))
        return outcomes


def figures(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """n, exact, intent_accuracy, false_triggers, not_recognised, ms_p50, ms_p90 over `outcomes`."""
    n = len(outcomes)
    commands = [o for o in outcomes if o.case.intent is not None]
    others = [o for o in outcomes if o.case.intent is None]
    ms = sorted(o.ms for o in outcomes)
    return {
        "n": n,
        "exact": _share(sum(o.exact for o in outcomes), n),
        "intent_accuracy": _share(sum((o.call.name if o.call else None) == o.case.intent for o in outcomes), n),
        "false_triggers": _share(sum(o.call is not None for o in others), len(others)),
        "not_recognised": _share(sum(o.call is None for o in commands), len(commands)),
        "ms_p50": round(statistics.median(ms), 3) if ms else None,
        "ms_p90": round(ms[min(len(ms) - 1, int(0.9 * len(ms)))], 3) if ms else None,
    }


def score(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """`figures` for the set, per gold intent, the outcome counts and the first misses."""
    per_intent: dict[str, list[Outcome]] = {}
    for o in outcomes:
        per_intent.setdefault(o.case.intent or "none", []).append(o)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.kind] = counts.get(o.kind, 0) + 1
    misses = [{"text": o.case.text, "kind": o.kind, "want": {"intent": o.case.intent, "slots": dict(o.case.slots)},
               "got": None if o.call is None else {"intent": o.call.name, "slots": dict(o.call.arguments)}}
              for o in outcomes if not o.exact][:MISSES_SHOWN]
    return {**figures(outcomes), "per_intent": {k: figures(v) for k, v in sorted(per_intent.items())},
            "outcomes": counts, "misses": misses}


def evaluate(sets: Sequence[str], factory: ParserFactory, reference: ParserFactory | None,
             inventory_path: Path = HOME, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Every set in `sets` through the device's parser (`factory`) and the reference (Home Assistant's
    matcher; None: skipped). The JSON of `tandem eval tools --json` under "sets"."""
    inventory = load_inventory(inventory_path)
    home = HomeNames.from_inventory(inventory)
    device = Runner(inventory, factory)
    ref = Runner(inventory, reference) if reference is not None else None
    out: dict[str, Any] = {}
    for name in sets:
        cases = load_set(name)
        if progress:
            progress(f"{name}: {len(cases)} sentences, device parser")
        result = score(device.run(cases, home))
        if ref is not None:
            if progress:
                progress(f"{name}: {len(cases)} sentences, Home Assistant's matcher")
            result["reference"] = score(ref.run(cases, home))
        else:
            result["reference"] = None
        out[name] = result
    return out


def _share(k: int, n: int) -> float | None:
    return round(k / n, 4) if n else None
