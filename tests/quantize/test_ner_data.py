"""Synthetic NER data and the evaluation harness: seeded, aligned, disjoint, and scored right."""

from __future__ import annotations

import pytest

pytest.importorskip("faker", reason="the NER data needs Faker: pip install 'tandem[quantize]'")

from quantize.ner import eval_templates, train_templates
from quantize.ner.dataset import LABELS, encode, samples
from quantize.ner.evaluate import eval_set, score


def test_samples_are_reproducible_from_the_seed() -> None:
    assert samples(30, seed=5) == samples(30, seed=5)
    assert samples(30, seed=5) != samples(30, seed=6)


def test_gold_spans_cover_what_was_inserted() -> None:
    for sample in samples(200, seed=1):
        for kind, start, end in sample.spans:
            value = sample.text[start:end]
            assert value == value.strip() and value, (kind, value)
            if kind == "PERSON":
                assert not any(c.isdigit() for c in value)


def test_token_labels_are_bio_over_the_gold_spans() -> None:
    from device.redaction.ner import find_ner_model  # noqa: F401  (device side imports stay light)
    from quantize.ner.build import source_dir
    from quantize.ner.dataset import load_tokenizer

    tokenizer = load_tokenizer(source_dir() / "tokenizer.json")
    for sample in samples(100, seed=2):
        enc = encode(sample, tokenizer)
        assert len(enc.input_ids) == len(enc.case_ids) == len(enc.labels)
        names = [LABELS[i] for i in enc.labels if i >= 0]
        for prev, cur in zip(["O", *names], names):
            if cur.startswith("I-"):
                assert prev[2:] == cur[2:], (prev, cur)  # an I- never starts an entity
        people = sum(1 for k, _, _ in sample.spans if k == "PERSON")
        assert names.count("B-PERSON") <= people


def test_evaluation_templates_are_not_training_templates() -> None:
    train = set(train_templates.WITH_PII + train_templates.WITHOUT_PII)
    held_out = set(eval_templates.PEOPLE + eval_templates.STRUCTURED + eval_templates.NO_PII)
    assert not train & held_out


def test_score_counts_hits_misses_and_untouched() -> None:
    data = eval_set(40, seed=3)
    perfect = score("gold", data, lambda text: [(s, e) for sample in data if sample.text == text
                                                for _, s, e in sample.spans][:50]).as_dict()
    assert perfect["structured"] == 1.0 and perfect["untouched"] == 1.0 and perfect["precision"] == 1.0
    nothing = score("none", data, lambda text: []).as_dict()
    assert nothing["structured"] == 0.0 and nothing["untouched"] == 1.0 and nothing["point_kept"] == 1.0
    everything = score("all", data, lambda text: [(0, len(text))]).as_dict()
    assert everything["untouched"] == 0.0 and everything["point_kept"] == 0.0
