"""Synthetic NER data and the evaluation harness: seeded, aligned, disjoint, and scored right."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("faker", reason="the NER data needs Faker: pip install 'tandem-edge[quantize]'")

from harness.eval import templates as eval_templates
from quantize.ner import train_templates
from quantize.ner.dataset import LABELS, encode, samples


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


def _training_texts() -> list[str]:
    """Every template and grammar piece training can draw from."""
    from quantize.ner import grammar

    texts = list(train_templates.WITH_PII + train_templates.WITHOUT_PII)
    for name, value in vars(grammar).items():
        if not (name.startswith("_") and name[1:].isupper()):
            continue  # the frame tables are the module's private constants: _PERSON_FRAMES, ...
        for group in value.values() if isinstance(value, dict) else [value]:
            texts += [t for t in group if isinstance(t, str)] if isinstance(group, tuple) else []
    return texts


def _runs(template: str, n: int) -> set[tuple[str, ...]]:
    """Runs of `n` tokens, lower-cased, each slot one token "{}" (so "from {city} to {city2} on" counts)."""
    tokens = re.findall(r"\{\}|\w+", re.sub(r"\{[A-Za-z]+\d?\}", " {} ", template.lower()))
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def test_no_evaluation_phrasing_leaks_into_training() -> None:
    # Not only the templates differ: no five tokens in a row (words and slots) of any evaluation
    # template occur in any training template or grammar frame, so the evaluation measures phrasing
    # the model never saw (a copied template, or one with a word changed at an end, is caught).
    training = _training_texts()
    assert len(training) > 300  # the grammar's frames are in
    seen = set().union(*(_runs(t, 5) for t in training))
    for template in eval_templates.PEOPLE + eval_templates.STRUCTURED + eval_templates.NO_PII:
        assert not _runs(template, 5) & seen, template
    assert ("from", "{}", "to", "{}", "on") in _runs("Flights from {city} to {city2} on {date}", 5)


def test_the_committed_gazetteer_is_what_the_generator_writes() -> None:
    from quantize.ner.gazetteer import OUT, render

    assert OUT.read_text(encoding="utf-8") == render(), "run `python -m quantize.ner.gazetteer` and commit the file"
    names = set(OUT.read_text(encoding="utf-8").splitlines()[1:])
    assert {"Anna", "Gotthilf", "Anunciación"} <= names and not {"Paris", "Julia", "Mercedes", "Van", "June"} & names


def test_sets_repeat_from_their_seed_in_any_process() -> None:
    # Faker's relative dates follow the clock and it_IT's city list follows string hashing; neither may
    # leak into the sets, or "seed 7" would mean another set (and another trained model) every run.
    import subprocess
    import sys

    code = ("from harness.eval.redaction import eval_set; from quantize.ner.dataset import samples; "
            "print([s.text for s in eval_set(400, 3) + samples(200, 5)])")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout for seed in ("1", "2")]
    assert runs[0] == runs[1] and len(runs[0]) > 10_000

