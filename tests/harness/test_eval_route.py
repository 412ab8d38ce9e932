"""RouteLLM's measures and the answer keys of `tandem eval route`."""

from __future__ import annotations

import pytest

from harness.eval.route.items import Item
from harness.eval.route.metrics import curve
from harness.eval.route.scoring import correct, final_number, mc_letter


def test_a_constant_router_is_random_and_an_oracle_beats_it() -> None:
    device = [False, False, True, True, False, False, True, False]
    cloud = [True, True, True, False, True, False, True, True]
    flat = curve([0.0] * 8, device, cloud)
    assert flat.apgr() == pytest.approx(0.5) and flat.cpt(0.5) == pytest.approx(0.5)
    oracle = curve([float(c and not d) for d, c in zip(device, cloud, strict=True)], device, cloud)
    assert oracle.apgr() > 0.75 and oracle.cpt(0.8) < 0.8
    assert oracle.accuracy[0] == pytest.approx(3 / 8) and oracle.accuracy[-1] == pytest.approx(6 / 8)
    worst = curve([float(d and not c) for d, c in zip(device, cloud, strict=True)], device, cloud)
    assert worst.apgr() < 0.5


def test_answer_keys() -> None:
    assert mc_letter("The answer is B.") == "B" and mc_letter("(c) photosynthesis") == "C"
    assert mc_letter("carbon dioxide", ("oxygen", "carbon dioxide", "helium", "neon")) == "B"
    assert final_number("3 + 4 = 7 apples\nAnswer: 1,250") == "1250"
    assert correct(Item("q", "number", "18"), "so 9 * 2 = 18")
    assert correct(Item("q", "short", ["December 1972"]), "It was in December 1972.")
    assert not correct(Item("q", "short", ["Bobby Scott"]), "Bob Russell")
    cmd = Item("turn it off", "command", {"intent": "HassTurnOff", "slots": {"name": "Garage Light"}})
    assert correct(cmd, {"intent": "HassTurnOff", "slots": {"name": "garage light"}})
    assert not correct(cmd, {"intent": "HassTurnOn", "slots": {"name": "Garage Light"}}) and not correct(cmd, None)


def _samples(n: int, offset: int = 0) -> list:  # type: ignore[type-arg]
    """Labelled items where the draft says it all: an unsure draft (a very unlikely token) is wrong on the
    device and right in the cloud; a sure one is right on both."""
    from harness.eval.route.answers import Answer
    from harness.eval.route.routers import Sample

    out = []
    for i in range(offset, offset + n):
        unsure = i % 2 == 0
        item = Item(f"What is fact number {i}?", "short", ["x"])
        logprobs = (-0.05,) * 8 + ((-6.0, -5.0) if unsure else (-0.05, -0.05))
        out.append(Sample(item, Answer("guess", logprobs, (0.2,) * 10), device_right=not unsure, cloud_right=True))
    return out


def test_learned_routers_trained_on_other_items_score_unseen_ones() -> None:
    from harness.eval.route.report import evaluate

    seen, unseen = _samples(40), _samples(20, offset=100)
    report, _ = evaluate(unseen, seed=1, train=seen)
    assert report["n"] == 20 and report["routers"]["deferral"]["apgr"] >= 0.74  # 0.75 is an oracle here
    assert report["routers"]["deferral"]["cpt80"] <= 0.4 + 1e-9 and report["routers"]["random"]["apgr"] < 0.74
    alone, _ = evaluate(unseen, seed=1)  # cross-validated on the scored items themselves
    assert set(alone["routers"]) == set(report["routers"])
