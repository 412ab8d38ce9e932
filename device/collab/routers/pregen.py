"""The `pregen` router: decides from the request alone, before the device drafts a word.

A logistic model over hashed words and word pairs of the step's text (no draft, no model call:
microseconds), trained by `tandem route train` on labels the team produces by running the device and
the cloud models on the same items (`tandem eval route`: "the cloud is right and the device is not").
It learns what the device model is bad at (multi-step arithmetic, facts it does not hold) and what it
does well; `score >= threshold` sends the step to the cloud, else it stays for the device (the draft
readers after it may still escalate). `tandem route calibrate --router pregen` writes the threshold
for a target share of cloud calls or a target quality.

The model file (JSON: `dims`, `weights`, `bias`, `mean`, `scale`, `threshold`, and what it was trained
on) lives in the model cache (`<models_dir>/route-pregen/model.json`); it is rebuilt, never committed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from device.collab.steps import Draft, RouteDecision, Step
from device.errors import CollabConfigError

DIMS = 512
_WORD = re.compile(r"[a-z0-9']+|[<>%$?]")
MODEL_DIR = "route-pregen"


def request_features(text: str, dims: int = DIMS) -> list[float]:
    """Hashed words and word pairs of `text` (L2-normalised), then log length: what a router sees before
    any draft. The same function scores at run time and in `tandem eval route`."""
    vec = [0.0] * dims
    words = _WORD.findall(text.lower())
    for tok in words + [f"{a} {b}" for a, b in itertools.pairwise(words)]:
        vec[int(hashlib.md5(tok.encode()).hexdigest()[:8], 16) % dims] += 1.0
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec] + [math.log1p(len(words))]


@dataclass(frozen=True)
class PregenModel:
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float = 0.5
    dims: int = DIMS
    trained_on: dict[str, Any] | None = None

    def score(self, text: str) -> float:
        """The probability that the cloud answers `text` right where the device does not."""
        x = request_features(text, self.dims)
        z = self.bias + sum(w * (v - m) / s for w, v, m, s in zip(self.weights, x, self.mean, self.scale, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def to_json(self) -> dict[str, Any]:
        return {"dims": self.dims, "weights": list(self.weights), "bias": self.bias, "mean": list(self.mean),
                "scale": list(self.scale), "threshold": self.threshold, "trained_on": self.trained_on or {}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PregenModel:
        dims = int(data["dims"])
        weights, mean, scale = (tuple(float(v) for v in data[k]) for k in ("weights", "mean", "scale"))
        if not (len(weights) == len(mean) == len(scale) == dims + 1):
            raise ValueError(f"a pregen model of {dims} dims needs {dims + 1} weights, means and scales")
        return cls(weights, float(data["bias"]), mean, scale, float(data.get("threshold", 0.5)), dims,
                   data.get("trained_on"))


def fit(texts: Sequence[str], labels: Sequence[bool], l2: float = 1e-2, steps: int = 400, lr: float = 0.5,
        dims: int = DIMS) -> PregenModel:
    """A logistic model of `labels` (the cloud is right and the device is not) on the texts' features."""
    import numpy as np

    x = np.asarray([request_features(t, dims) for t in texts], dtype=float)
    y = np.asarray([float(v) for v in labels])
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-6
    xs = (x - mu) / sd
    w, b = np.zeros(xs.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xs @ w + b)))
        w -= lr * (xs.T @ (p - y) / len(y) + l2 * w)
        b -= lr * float(np.mean(p - y))
    return PregenModel(tuple(map(float, w)), float(b), tuple(map(float, mu)), tuple(map(float, sd)), dims=dims)


def model_path(models_dir: Path) -> Path:
    return models_dir / MODEL_DIR / "model.json"


def load_model(models_dir: Path) -> PregenModel:
    path = model_path(models_dir)
    try:
        return PregenModel.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise CollabConfigError(f"the pregen router has no model at {path}: run `tandem eval route` (the labels) "
                                "then `tandem route train`, or take pregen out of [collab] routers") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise CollabConfigError(f"the pregen router's model at {path} is unreadable ({exc}): rebuild it with "
                                "`tandem route train`") from exc


def save_model(model: PregenModel, models_dir: Path) -> Path:
    path = model_path(models_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(model.to_json()), encoding="utf-8")
    tmp.replace(path)
    return path


@dataclass(frozen=True)
class PregenRouter:
    """Sends a step to the cloud before any draft when the model's score reaches the threshold; otherwise
    it abstains, so the draft readers after it can still escalate what the device then guesses at."""

    model: PregenModel
    threshold: float | None = None
    """Overrides the model file's threshold (`[escalation] pregen_threshold`)."""
    name: str = "pregen"
    needs_draft: bool = False
    probe_tokens: int | None = None

    def decide(self, step: Step, draft: Draft | None) -> RouteDecision | None:
        if draft is not None:
            return None
        score = self.model.score(step.text)
        cut = self.model.threshold if self.threshold is None else self.threshold
        return RouteDecision("cloud", "predicted beyond the device", score) if score >= cut else None

    def uncertainty(self, draft: Draft) -> float | None:
        return None
