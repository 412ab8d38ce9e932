"""One threshold per category, from generated text the model never trained on and hand-written text.

Generated text (seed + 1) says where each category's scores separate: its threshold is the one (on
a 0.05 grid between 0.2 and 0.7) that maximises F2 there (recall weighs four times precision: a
missed disclosure leaves the device, a false flag only keeps a request local), ties going to the
value nearest 0.5. Scores on generated text are not scores on what people write, so the thresholds
are then moved, all together, by ``data/calibration.jsonl``, a hand-written set (not a held-out one;
lines 249-408, professional and everyday requests above all, by a later writer; the last 353, all
kinds of request, by another on 2026-12-03, when the 408 before them no longer flagged the third
held-out set's clean requests as often as that set did): down to a cap,
the lowest that flags at most `calibration_bound` of its requests that disclose nothing, where that is
possible; otherwise up to a floor, the lowest that brings those flags under the bound (a model trained
on hand-written requests scores everyday ones higher than generated ones). Both sets' figures at the
final thresholds go into the manifest.

The bound is the issue's 3% less one standard error of a rate measured on the calibration set's clean
requests (443 of them: 2.2%). The thresholds sit where the measured rate meets the bound, so with the
bound itself, text the model never saw was flagged above 3% about as often as below: on 2026-12-04 a
build at 2.9% on the calibration set flagged 4.2% of the fourth held-out set's clean requests.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path

from device.redaction.sensitive import CATEGORIES
from quantize.sensitive.dataset import Example

GRID: tuple[float, ...] = tuple(round(0.2 + 0.05 * i, 2) for i in range(11))
# in steps of 0.01: on a 0.05 grid the floor jumped from 0.85 (3.5% of the calibration set's clean
# requests flagged) to 0.9, past 0.88, where 2.6% are and which the rule asks for
FLOORS: tuple[float, ...] = tuple(round(0.2 + 0.01 * i, 2) for i in range(76))  # up to 0.95
BETA = 2.0
MAX_FALSE_FLAGS = 0.03  # the bound on everyday and general requests flagged
CALIBRATION = Path(__file__).parent / "data" / "calibration.jsonl"


def calibration_bound(clean: int) -> float:
    """The share of `clean` calibration texts the thresholds may flag: MAX_FALSE_FLAGS less one standard
    error of a rate of MAX_FALSE_FLAGS measured on that many texts (never below 0)."""
    if clean <= 0:
        return MAX_FALSE_FLAGS
    return max(0.0, MAX_FALSE_FLAGS - math.sqrt(MAX_FALSE_FLAGS * (1 - MAX_FALSE_FLAGS) / clean))


def load_calibration(path: Path = CALIBRATION) -> list[Example]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Example(r["text"], tuple(c for c in CATEGORIES if c in r["sensitive"])) for r in rows]


def fit_cap(examples: Sequence[Example], scores: Sequence[dict[str, float]],
            thresholds: dict[str, float]) -> float:
    """The lowest grid cap under which `thresholds` (each lowered to the cap) flag at most
    `calibration_bound` of the texts in `examples` that disclose nothing."""
    return _first_within_bound(examples, scores, thresholds, GRID, min)


def fit_floor(examples: Sequence[Example], scores: Sequence[dict[str, float]],
              thresholds: dict[str, float]) -> float:
    """The lowest floor (0 when none is needed) under which `thresholds` (each raised to the floor) flag
    at most `calibration_bound` of the texts in `examples` that disclose nothing; the highest one tried
    when none does."""
    return _first_within_bound(examples, scores, thresholds, (0.0, *FLOORS), max)


def _first_within_bound(examples: Sequence[Example], scores: Sequence[dict[str, float]], thresholds: dict[str, float],
                        limits: Sequence[float], move: Callable[[float, float], float]) -> float:
    """The first of `limits` at which `thresholds`, each moved to it (`move`: min lowers them, max raises
    them), flag at most `calibration_bound` of the clean texts; the last of `limits` when none does."""
    clean = [s for e, s in zip(examples, scores) if not e.categories]
    bound = calibration_bound(len(clean))
    for limit in limits:
        flagged = sum(1 for s in clean if any(s[c] >= move(t, limit) for c, t in thresholds.items()))
        if flagged <= bound * len(clean):
            return limit
    return limits[-1]


def fit_thresholds(examples: Sequence[Example], scores: Sequence[dict[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for category in CATEGORIES:
        gold = [category in e.categories for e in examples]
        best = (-1.0, 0.0, 0.5)
        for t in GRID:
            hit = [s[category] >= t for s in scores]
            tp = sum(g and h for g, h in zip(gold, hit))
            fp = sum(h and not g for g, h in zip(gold, hit))
            fn = sum(g and not h for g, h in zip(gold, hit))
            b2 = BETA * BETA
            f_beta = (1 + b2) * tp / max(1.0, (1 + b2) * tp + b2 * fn + fp)
            key = (round(f_beta, 4), -abs(t - 0.5), t)
            best = max(best, key)
        out[category] = best[2]
    return out


def figures(examples: Sequence[Example], tagged: Sequence[Sequence[str]]) -> dict[str, object]:
    """Recall (any right category counts), false flags on texts that disclose nothing, per category."""
    disclosures = [(e, t) for e, t in zip(examples, tagged) if e.categories]
    clean = [t for e, t in zip(examples, tagged) if not e.categories]
    per: dict[str, dict[str, float | int]] = {}
    for category in CATEGORIES:
        mine = [t for e, t in disclosures if category in e.categories]
        flagged_wrongly = sum(1 for e, t in zip(examples, tagged) if category in t and category not in e.categories)
        per[category] = {"n": len(mine), "recall": round(sum(category in t for t in mine) / max(1, len(mine)), 4),
                         "wrong_tags": flagged_wrongly}
    return {
        "recall": round(sum(1 for e, t in disclosures if set(t) & set(e.categories)) / max(1, len(disclosures)), 4),
        "exact": round(sum(1 for e, t in disclosures if set(t) == set(e.categories)) / max(1, len(disclosures)), 4),
        "false_flags": round(sum(1 for t in clean if t) / max(1, len(clean)), 4),
        "disclosures": len(disclosures), "negatives": len(clean), "per_category": per,
    }
