"""Routers as the evaluation sees them: a score per item, higher = send to the cloud first.

Draft readers (they need the device's answer first, as the agent's cascade does):
    entropy_mean   today's cascade: mean entropy (nats) of the first 48 drafted tokens
    logprob_q10    the 10th percentile of the drafted tokens' log-probabilities, negated (Gupta et al.
                   2024: quantiles of per-token log-probs defer better than their mean)
    deferral       the device's `deferral` router: a post-hoc deferral rule learned on the draft's
                   features (log-prob quantiles, mean entropy, length, the request's form read from its
                   text, the capability rules; a parser's confidence for a command), cross-validated
Request readers (no draft: they decide before the device generates anything):
    capability     the capability rules (code, arithmetic, translation, long writing -> cloud)
    pregen         a classifier of the request's words (the device's `pregen` router), cross-validated
Both:
    hybrid         the deferral rule given the request's words too
Reference:
    random         a seeded random score

For a device command the draft is the parser's call: a confident parse scores low, no parse high.
Learned routers are trained on the label "the cloud is right and the device is not", k-fold over the
items (each item is scored by a model that never saw it).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from harness.eval.route.answers import Answer
from harness.eval.route.items import Item

PROBE = 48


@dataclass(frozen=True)
class Sample:
    item: Item
    device: Answer
    device_right: bool
    cloud_right: bool


def _command_score(s: Sample) -> float | None:
    if s.item.kind != "command":
        return None
    return 1.0 if s.device.answer is None else 1.0 - float(s.device.confidence or 0.0)


def entropy_mean(s: Sample) -> float:
    cmd = _command_score(s)
    return cmd * 10 if cmd is not None else float(np.mean(s.device.entropies[:PROBE])) if s.device.entropies else 0.0


def logprob_q10(s: Sample) -> float:
    cmd = _command_score(s)
    from device.collab.routers.logprob import quantile

    return cmd * 30 if cmd is not None else -quantile(s.device.logprobs[:PROBE], 0.10)


def capability(s: Sample) -> float:
    from device.collab.routers.capability import capability_gap

    cmd = _command_score(s)
    if cmd is not None:
        return cmd
    return 1.0 if capability_gap(s.item.text) else 0.0


def deferral_features(s: Sample) -> list[float]:
    """Exactly what the device's `deferral` router reads (`device.collab.routers.deferral.draft_features`:
    the draft's log-prob quantiles, entropy, length, the request's form, the capability rules); what
    `tandem route train` fits its model on."""
    from device.collab.routers.deferral import draft_features as features

    return features(s.item.prompt(), s.device.logprobs, s.device.entropies, PROBE)


def draft_features(s: Sample) -> list[float]:
    """The deferral router's features and, for a device command, the parser's verdict (in the product the
    tool router decides those before any draft)."""
    cmd = _command_score(s)
    return [*deferral_features(s), 1.0 if cmd is not None else 0.0, cmd if cmd is not None else 0.0]


def request_features(s: Sample) -> list[float]:
    """What the device's `pregen` router reads (`device.collab.routers.pregen.request_features`): hashed
    words and word pairs of the request as the user sends it, and its length. No kind label: a router
    in the product sees only the text."""
    from device.collab.routers.pregen import request_features as features

    return features(s.item.prompt())


def hybrid_features(s: Sample) -> list[float]:
    """The request's words and the draft's readings together: a deferral rule that also knows what is asked."""
    return request_features(s) + draft_features(s)


def _fit_and_score(x_train: np.ndarray, y_train: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The product's logistic model (`device.collab.routers.logistic.fit`) trained on one set, scoring another."""
    from device.collab.routers.logistic import fit

    model = fit(x_train.tolist(), [bool(v) for v in y_train])
    return np.asarray([model.score(row) for row in x])


def _labels(samples: Sequence[Sample]) -> np.ndarray:
    return np.asarray([float(s.cloud_right and not s.device_right) for s in samples])


def cross_validated(features: Callable[[Sample], list[float]], folds: int = 5, seed: int = 0,
                    train: Sequence[Sample] | None = None) -> Callable[[Sequence[Sample]], list[float]]:
    """A learned router: each item is scored by a model trained on the other folds, or, given `train`
    (items answered apart from the ones scored), by one model trained on all of those."""

    def score(samples: Sequence[Sample]) -> list[float]:
        x = np.asarray([features(s) for s in samples], dtype=float)
        if train is not None:
            y_train = _labels(train)
            if len(set(y_train)) < 2:
                return [float(y_train.mean()) if len(y_train) else 0.0] * len(samples)
            return _fit_and_score(np.asarray([features(s) for s in train], dtype=float), y_train, x).tolist()
        y = _labels(samples)
        order = list(range(len(samples)))
        random.Random(seed).shuffle(order)
        out = np.zeros(len(samples))
        for f in range(folds):
            test = order[f::folds]
            held = set(test)
            fit_on = [i for i in order if i not in held]
            if not test:
                continue
            if len(set(y[fit_on])) < 2:
                out[test] = float(y[fit_on].mean()) if fit_on else 0.0
                continue
            out[test] = _fit_and_score(x[fit_on], y[fit_on], x[test])
        return out.tolist()

    return score


def per_item(router: Callable[[Sample], float]) -> Callable[[Sequence[Sample]], list[float]]:
    return lambda samples: [router(s) for s in samples]


def random_router(seed: int) -> Callable[[Sequence[Sample]], list[float]]:
    return lambda samples: [random.Random(f"{seed}:{s.item.key}").random() for s in samples]


def routers(seed: int, train: Sequence[Sample] | None = None) -> dict[str, Callable[[Sequence[Sample]], list[float]]]:
    """Every router; the learned ones cross-validated on the scored items, or trained on `train`."""
    return {
        "random": random_router(seed),
        "entropy_mean": per_item(entropy_mean),
        "logprob_q10": per_item(logprob_q10),
        "capability": per_item(capability),
        "deferral": cross_validated(draft_features, seed=seed, train=train),
        "pregen": cross_validated(request_features, seed=seed, train=train),
        "hybrid": cross_validated(hybrid_features, seed=seed, train=train),
    }
