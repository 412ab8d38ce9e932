"""One threshold per category, fitted on generated text the model never trained on (seed + 1).

Each category's threshold is the one (on a 0.05 grid between 0.3 and 0.8) that maximises F1 on
the calibration set, ties going to the value nearest 0.5; the calibration set's recall and false
flags at those thresholds are recorded in the manifest beside the held-out figures that
`tandem eval redact` measures.
"""

from __future__ import annotations

from collections.abc import Sequence

from device.redaction.sensitive import CATEGORIES
from quantize.sensitive.dataset import Example

GRID: tuple[float, ...] = tuple(round(0.3 + 0.05 * i, 2) for i in range(11))


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
            f1 = 2 * tp / max(1, 2 * tp + fp + fn)
            key = (round(f1, 4), -abs(t - 0.5), t)
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
