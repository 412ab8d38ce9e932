"""The redaction evaluation's scoring (`harness.eval.redaction`): hits, misses and untouched requests."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("faker", reason="the evaluation set needs Faker: pip install 'tandem-edge[eval]'")

from harness.eval.redaction import SPEED_TEXT, eval_set, ner_ms_per_200_chars, score


def test_score_counts_hits_misses_and_untouched() -> None:
    data = eval_set(40, seed=3)
    perfect = score("gold", data, lambda text: [(s, e) for sample in data if sample.text == text
                                                for _, s, e in sample.spans][:50]).as_dict()
    assert perfect["structured"] == 1.0 and perfect["untouched"] == 1.0 and perfect["precision"] == 1.0
    nothing = score("none", data, lambda text: []).as_dict()
    assert nothing["structured"] == 0.0 and nothing["untouched"] == 1.0 and nothing["point_kept"] == 1.0
    everything = score("all", data, lambda text: [(0, len(text))]).as_dict()
    assert everything["untouched"] == 0.0 and everything["point_kept"] == 0.0


def test_ner_speed_is_measured_on_200_characters_and_absent_without_a_model(tmp_path: Path) -> None:
    assert len(SPEED_TEXT) == 200
    assert ner_ms_per_200_chars(tmp_path) is None  # the eval's JSON then says null, its table "-"
