"""Thresholds: F2 on generated text, then moved (a cap down or a floor up) so hand-written requests that disclose nothing stay unflagged."""

from __future__ import annotations

from device.redaction.sensitive import CATEGORIES
from quantize.sensitive.calibrate import (
    MAX_FALSE_FLAGS,
    calibration_bound,
    figures,
    fit_cap,
    fit_floor,
    fit_thresholds,
    load_calibration,
)
from quantize.sensitive.dataset import Example


def _scores(**high: float) -> dict[str, float]:
    return {c: high.get(c, 0.01) for c in CATEGORIES}


def test_f2_prefers_the_threshold_that_keeps_the_disclosures() -> None:
    examples = [Example("a", ("health",)), Example("b", ("health",)), Example("c", ())]
    scores = [_scores(health=0.9), _scores(health=0.32), _scores(health=0.1)]
    assert fit_thresholds(examples, scores)["health"] == 0.3  # 0.32 is kept; nothing clean is over it


def test_the_cap_is_the_lowest_that_keeps_clean_texts_under_the_bound() -> None:
    examples = [Example("x", ())] * 50 + [Example("y", ("health",))]
    scores = [_scores(health=0.5)] * 2 + [_scores(health=0.3)] * 48 + [_scores(health=0.9)]
    thresholds = dict.fromkeys(CATEGORIES, 0.7)
    cap = fit_cap(examples, scores, thresholds)
    # under 0.5 every clean text is flagged; at 0.5, 2 of 50 (4%) > MAX_FALSE_FLAGS; above it none
    assert cap == 0.55 and MAX_FALSE_FLAGS < 0.04


def test_the_floor_raises_thresholds_only_as_far_as_clean_texts_need() -> None:
    examples = [Example("x", ())] * 50 + [Example("y", ("health",))]
    scores = [_scores(health=0.62)] * 2 + [_scores(health=0.3)] * 48 + [_scores(health=0.9)]
    low = dict.fromkeys(CATEGORIES, 0.25)
    # at 0.25 all 50 clean texts are flagged, up to 0.62 two of them (4%), from 0.63 (the next 0.01) none
    assert fit_floor(examples, scores, low) == 0.63
    assert fit_floor(examples, scores, dict.fromkeys(CATEGORIES, 0.7)) == 0.0  # nothing to raise


def test_the_bound_keeps_a_standard_error_of_margin_below_the_issues_three_percent() -> None:
    assert round(calibration_bound(443), 4) == 0.0219 and calibration_bound(100_000) > 0.029
    assert calibration_bound(0) == MAX_FALSE_FLAGS and calibration_bound(20) == 0.0
    examples = [Example("x", ())] * 443 + [Example("y", ("health",))]
    # 10 clean texts at 0.6 (2.3% of 443: under 3%, over the bound), 9 at 0.65 (2.0%), the rest low
    scores = ([_scores(health=0.6)] + [_scores(health=0.65)] * 9 + [_scores(health=0.1)] * 433
              + [_scores(health=0.9)])
    assert fit_floor(examples, scores, dict.fromkeys(CATEGORIES, 0.25)) == 0.61


def test_figures_count_any_right_category_as_found() -> None:
    examples = [Example("a", ("health", "genetic")), Example("b", ("religion",)), Example("c", ())]
    result = figures(examples, [["genetic"], [], ["finances"]])
    assert result["recall"] == 0.5 and result["exact"] == 0.0 and result["false_flags"] == 1.0


def test_the_hand_written_calibration_set_loads_with_the_device_categories() -> None:
    rows = load_calibration()
    assert len(rows) >= 200 and any(not r.categories for r in rows)
    assert all(set(r.categories) <= set(CATEGORIES) for r in rows)
