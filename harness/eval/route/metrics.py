"""RouteLLM's measures of a router (Ong et al. 2024, "RouteLLM: Learning to Route LLMs with Preference Data").

A router ranks the items by how much they need the strong model; sending the top `k` of `n` to it
(the cloud) and the rest to the weak one (the device) gives an accuracy at a cloud share of `k/n`.

* PGR(share) = (accuracy(share) - device accuracy) / (cloud accuracy - device accuracy): the part of
  the gap between the two models the router recovers at that share of cloud calls.
* APGR: the area under PGR over cloud shares from 0 to 100% (trapezoids over every k = 0..n, so no
  threshold grid is chosen for the router).
* CPT(x%): the smallest cloud share at which PGR reaches x% (RouteLLM reports CPT(50%) and CPT(80%)).

A random router has an APGR of 0.5 and a CPT(x%) of x% in expectation: the reference line. Items
whose scores tie cannot be told apart by a threshold: within a tie the accuracy moves linearly (what a
random order inside the tie gives in expectation), so no router gets credit for a lucky item order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Curve:
    shares: tuple[float, ...]
    accuracy: tuple[float, ...]
    device_accuracy: float
    cloud_accuracy: float

    def pgr(self) -> tuple[float, ...]:
        gap = self.cloud_accuracy - self.device_accuracy
        if gap <= 0:
            return tuple(1.0 for _ in self.accuracy)  # the cloud is no better: nothing to recover
        return tuple((a - self.device_accuracy) / gap for a in self.accuracy)

    def apgr(self) -> float:
        pgr, xs = self.pgr(), self.shares
        return sum((xs[i + 1] - xs[i]) * (pgr[i] + pgr[i + 1]) / 2 for i in range(len(xs) - 1))

    def cpt(self, target: float) -> float:
        for share, value in zip(self.shares, self.pgr(), strict=True):
            if value >= target - 1e-12:
                return share
        return 1.0


def curve(scores: Sequence[float], device_right: Sequence[bool], cloud_right: Sequence[bool]) -> Curve:
    """The accuracy at every share of cloud calls when the items go to the cloud highest score first."""
    n = len(scores)
    if not (n == len(device_right) == len(cloud_right)) or n == 0:
        raise ValueError("scores, device_right and cloud_right must be non-empty and of one length")
    order = sorted(range(n), key=lambda i: -scores[i])
    right = float(sum(device_right))
    accuracy = [right / n]
    start = 0
    while start < n:
        end = start
        while end + 1 < n and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        group = order[start:end + 1]
        delta = sum(int(cloud_right[i]) - int(device_right[i]) for i in group)
        for j in range(1, len(group) + 1):
            accuracy.append((right + delta * j / len(group)) / n)
        right += delta
        start = end + 1
    return Curve(tuple(k / n for k in range(n + 1)), tuple(accuracy), sum(device_right) / n, sum(cloud_right) / n)
