"""Routers as the evaluation sees them: a score per item, higher = send to the cloud first.

Draft readers (they need the device's answer first, as the agent's cascade does):
    entropy_mean   today's cascade: mean entropy (nats) of the first 48 drafted tokens
    logprob_q10    the 10th percentile of the drafted tokens' log-probabilities, negated (Gupta et al.
                   2024: quantiles of per-token log-probs defer better than their mean)
    deferral       a post-hoc deferral rule learned on the draft's features (log-prob quantiles, mean
                   entropy, length, kind, the capability rules, a parser's confidence), cross-validated
Request readers (no draft: they decide before the device generates anything):
    capability     the capability rules (code, arithmetic, translation, long writing -> cloud)
    pregen         a classifier of the request's words and kind, cross-validated
Reference:
    random         a seeded random score

For a device command the draft is the parser's call: a confident parse scores low, no parse high.
Learned routers are trained on the label "the cloud is right and the device is not", k-fold over the
items (each item is scored by a model that never saw it).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from harness.eval.route.answers import Answer
from harness.eval.route.items import KINDS, Item

PROBE = 48
_WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class Sample:
    item: Item
    device: Answer
    device_right: bool
    cloud_right: bool


def _quantile(values: Sequence[float], q: float, default: float) -> float:
    return float(np.quantile(values, q)) if values else default


def _command_score(s: Sample) -> float | None:
    if s.item.kind != "command":
        return None
    return 1.0 if s.device.answer is None else 1.0 - float(s.device.confidence or 0.0)


def entropy_mean(s: Sample) -> float:
    cmd = _command_score(s)
    return cmd * 10 if cmd is not None else float(np.mean(s.device.entropies[:PROBE])) if s.device.entropies else 0.0


def logprob_q10(s: Sample) -> float:
    cmd = _command_score(s)
    return cmd * 30 if cmd is not None else -_quantile(s.device.logprobs[:PROBE], 0.10, 0.0)


def capability(s: Sample) -> float:
    from device.collab.routers.capability import capability_gap

    cmd = _command_score(s)
    if cmd is not None:
        return cmd
    return 1.0 if capability_gap(s.item.text) else 0.0


def draft_features(s: Sample) -> list[float]:
    lp, ent = s.device.logprobs[:PROBE], s.device.entropies[:PROBE]
    cmd = _command_score(s)
    return [*(1.0 if s.item.kind == k else 0.0 for k in KINDS),
            -_quantile(lp, 0.1, 0.0), -_quantile(lp, 0.25, 0.0), -_quantile(lp, 0.5, 0.0),
            float(np.mean(ent)) if ent else 0.0, math.log1p(len(s.device.logprobs)), capability(s) if cmd is None
            else 0.0, cmd if cmd is not None else 0.0]


def request_features(s: Sample, dims: int = 512) -> list[float]:
    """Hashed words and word pairs of the request, and its kind: what a router sees before any draft."""
    vec = [0.0] * dims
    words = _WORD.findall(s.item.text.lower())
    for tok in words + [f"{a} {b}" for a, b in itertools.pairwise(words)]:
        vec[int(hashlib.md5(tok.encode()).hexdigest()[:8], 16) % dims] += 1.0
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec] + [1.0 if s.item.kind == k else 0.0 for k in KINDS] + [capability(s)]


def _fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 400, lr: float = 0.5) -> np.ndarray:
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-6
    xs = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    w = np.zeros(xs.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-xs @ w))
        w -= lr * (xs.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0.0])
    return np.r_[w, mu, sd]


def _predict(model: np.ndarray, x: np.ndarray) -> np.ndarray:
    d = x.shape[1]
    w, mu, sd = model[: d + 1], model[d + 1: 2 * d + 1], model[2 * d + 1:]
    xs = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    return 1 / (1 + np.exp(-xs @ w))


def cross_validated(features: Callable[[Sample], list[float]], folds: int = 5, seed: int = 0
                    ) -> Callable[[Sequence[Sample]], list[float]]:
    """A learned router: each item is scored by a model trained on the other folds."""

    def score(samples: Sequence[Sample]) -> list[float]:
        x = np.asarray([features(s) for s in samples], dtype=float)
        y = np.asarray([float(s.cloud_right and not s.device_right) for s in samples])
        order = list(range(len(samples)))
        random.Random(seed).shuffle(order)
        out = np.zeros(len(samples))
        for f in range(folds):
            test = order[f::folds]
            train = [i for i in order if i not in set(test)]
            if not test:
                continue
            if len(set(y[train])) < 2:
                out[test] = float(y[train].mean()) if train else 0.0
                continue
            out[test] = _predict(_fit_logistic(x[train], y[train]), x[test])
        return out.tolist()

    return score


def per_item(router: Callable[[Sample], float]) -> Callable[[Sequence[Sample]], list[float]]:
    return lambda samples: [router(s) for s in samples]


def random_router(seed: int) -> Callable[[Sequence[Sample]], list[float]]:
    return lambda samples: [random.Random(f"{seed}:{s.item.key}").random() for s in samples]


def routers(seed: int) -> dict[str, Callable[[Sequence[Sample]], list[float]]]:
    return {
        "random": random_router(seed),
        "entropy_mean": per_item(entropy_mean),
        "logprob_q10": per_item(logprob_q10),
        "capability": per_item(capability),
        "deferral": cross_validated(draft_features, seed=seed),
        "pregen": cross_validated(request_features, seed=seed),
    }
