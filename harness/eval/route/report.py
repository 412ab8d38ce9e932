"""From cached answers to the figures: per router APGR, CPT(50%), CPT(80%), per source accuracies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from harness.eval.route.answers import Answer
from harness.eval.route.items import Item
from harness.eval.route.metrics import Curve, curve
from harness.eval.route.routers import Sample, routers
from harness.eval.route.scoring import correct


def samples(items: Sequence[Item], device: Mapping[str, Answer], cloud: Mapping[str, Answer]) -> list[Sample]:
    """The items both sides answered, with whether each side was right."""
    out = []
    for item in items:
        d, c = device.get(item.key), cloud.get(item.key)
        if d is not None and c is not None:
            out.append(Sample(item, d, correct(item, d.answer), correct(item, c.answer)))
    return out


def evaluate(found: Sequence[Sample], seed: int, train: Sequence[Sample] | None = None
             ) -> tuple[dict[str, Any], dict[str, Curve]]:
    """The JSON report (keys the team's checks read: `routers: {NAME: {apgr, cpt50, cpt80}}`,
    `device_accuracy`, `cloud_accuracy`, `n`) and each router's curve for the plot. `train`: items the
    learned routers are trained on instead of cross-validating on `found` (held-out items)."""
    if not found:
        raise ValueError("no item was answered by both the device and the cloud")
    device_right = [s.device_right for s in found]
    cloud_right = [s.cloud_right for s in found]
    curves = {name: curve(score(found), device_right, cloud_right) for name, score in routers(seed, train).items()}
    per_source: dict[str, dict[str, float]] = {}
    for source in sorted({s.item.source for s in found}):
        group = [s for s in found if s.item.source == source]
        per_source[source] = {"n": len(group), "device": round(sum(s.device_right for s in group) / len(group), 4),
                              "cloud": round(sum(s.cloud_right for s in group) / len(group), 4)}
    report = {
        "n": len(found),
        "device_accuracy": round(sum(device_right) / len(found), 4),
        "cloud_accuracy": round(sum(cloud_right) / len(found), 4),
        "routers": {name: {"apgr": round(c.apgr(), 4), "cpt50": round(c.cpt(0.5), 4), "cpt80": round(c.cpt(0.8), 4)}
                    for name, c in curves.items()},
        "sources": per_source,
    }
    return report, curves
