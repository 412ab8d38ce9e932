"""A router's threshold for a target: a share of cloud calls, or a quality on the labelled items.

A router escalates a step when its score is at or above its threshold. Over labelled items (each with
the router's score and whether the device and the cloud answer it right) the threshold that sends a
share `x` to the cloud is the score of the item ranked `ceil(x * n)`; the threshold for a quality `y`
is the one of the smallest share whose accuracy (device answers below it, cloud answers at or above
it) reaches `y`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


class CalibrationError(ValueError):
    """The target cannot be met on these items: the message gives what can."""


@dataclass(frozen=True)
class Calibration:
    threshold: float
    cloud_share: float
    """The share of the items at or above the threshold."""
    accuracy: float
    """Accuracy on the items when the ones at or above the threshold are answered by the cloud."""
    n: int


def _at(threshold: float, scores: Sequence[float], device: Sequence[bool], cloud: Sequence[bool]) -> Calibration:
    up = [s >= threshold for s in scores]
    right = sum(c if u else d for u, d, c in zip(up, device, cloud, strict=True))
    return Calibration(threshold, sum(up) / len(scores), right / len(scores), len(scores))


def for_share(share: float, scores: Sequence[float], device: Sequence[bool], cloud: Sequence[bool]) -> Calibration:
    if not scores:
        raise CalibrationError("no labelled items to calibrate on")
    if not 0.0 <= share <= 1.0:
        raise CalibrationError(f"a cloud share is between 0 and 1, not {share}")
    ordered = sorted(scores, reverse=True)
    k = math.ceil(share * len(ordered))
    threshold = ordered[0] + 1.0 if k == 0 else ordered[k - 1]  # above every score: nothing leaves
    return _at(threshold, scores, device, cloud)


def for_quality(quality: float, scores: Sequence[float], device: Sequence[bool], cloud: Sequence[bool]) -> Calibration:
    if not scores:
        raise CalibrationError("no labelled items to calibrate on")
    candidates = [max(scores) + 1.0, *sorted(set(scores), reverse=True)]
    best = None
    for threshold in candidates:  # fewest cloud calls first
        point = _at(threshold, scores, device, cloud)
        if point.accuracy >= quality - 1e-12:
            return point
        if best is None or point.accuracy > best.accuracy:
            best = point
    assert best is not None
    raise CalibrationError(f"no threshold reaches {100 * quality:.1f}% on these {len(scores)} items: the best is "
                           f"{100 * best.accuracy:.1f}% at a cloud share of {100 * best.cloud_share:.1f}%")
