"""The small logistic models behind the learned routers (`pregen`, `deferral`): fit, score, save, load.

A model is a weight per feature over standardised features (`mean`, `scale`), a bias and the
threshold its router cuts at; it is a JSON file in the model cache (`<models_dir>/<dir>/model.json`),
rebuilt by `tandem route train`, never committed. Scoring is plain Python (no numpy at run time).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from device.errors import CollabConfigError


@dataclass(frozen=True)
class LogisticModel:
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float = 0.5
    trained_on: dict[str, Any] | None = None

    def score(self, x: Sequence[float]) -> float:
        """The probability that the cloud answers right where the device does not."""
        if len(x) != len(self.weights):
            raise ValueError(f"the model takes {len(self.weights)} features, got {len(x)}")
        z = self.bias + sum(w * (v - m) / s for w, v, m, s in zip(self.weights, x, self.mean, self.scale, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def to_json(self) -> dict[str, Any]:
        return {"weights": list(self.weights), "bias": self.bias, "mean": list(self.mean), "scale": list(self.scale),
                "threshold": self.threshold, "trained_on": self.trained_on or {}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LogisticModel:
        weights, mean, scale = (tuple(float(v) for v in data[k]) for k in ("weights", "mean", "scale"))
        if not weights or not (len(weights) == len(mean) == len(scale)):
            raise ValueError("weights, means and scales must be non-empty and of one length")
        return cls(weights, float(data["bias"]), mean, scale, float(data.get("threshold", 0.5)), data.get("trained_on"))


def fit(x: Sequence[Sequence[float]], labels: Sequence[bool], l2: float = 1e-2, steps: int = 400,
        lr: float = 0.5) -> LogisticModel:
    """A logistic model of `labels` (the cloud right and the device not) on the feature rows `x`."""
    import numpy as np

    xa = np.asarray(x, dtype=float)
    y = np.asarray([float(v) for v in labels])
    mu, sd = xa.mean(axis=0), xa.std(axis=0) + 1e-6
    xs = (xa - mu) / sd
    w, b = np.zeros(xs.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xs @ w + b)))
        w -= lr * (xs.T @ (p - y) / len(y) + l2 * w)
        b -= lr * float(np.mean(p - y))
    return LogisticModel(tuple(map(float, w)), float(b), tuple(map(float, mu)), tuple(map(float, sd)))


def model_path(models_dir: Path, name: str) -> Path:
    return models_dir / f"route-{name}" / "model.json"


def load_model(models_dir: Path, name: str) -> LogisticModel:
    path = model_path(models_dir, name)
    try:
        return LogisticModel.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise CollabConfigError(f"the {name} router has no model at {path}: run `tandem eval route` (the labels) "
                                f"then `tandem route train`, or take {name} out of [collab] routers") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise CollabConfigError(f"the {name} router's model at {path} is unreadable ({exc}): rebuild it with "
                                "`tandem route train`") from exc


def save_model(model: LogisticModel, models_dir: Path, name: str) -> Path:
    path = model_path(models_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(model.to_json()), encoding="utf-8")
    tmp.replace(path)
    return path
