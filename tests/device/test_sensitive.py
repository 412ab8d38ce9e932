"""`device.redaction.sensitive` on a stand-in model: loading, windows, thresholds, order, the jsonl tag."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from device.errors import RedactionError, SensitiveModelMissing
from device.redaction import RuleRedactor, redact_jsonl
from device.redaction.model import Redaction
from device.redaction.sensitive import CATEGORIES, SensitiveClassifier, find_built, load_classifier
from device.redaction.vault import Vault
from tests.device.sensitive_fake import build_fake


@pytest.fixture
def fake(tmp_path: Path) -> SensitiveClassifier:
    return SensitiveClassifier(build_fake(tmp_path / "models"))


def test_a_missing_model_is_a_typed_error_that_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(SensitiveModelMissing, match="tandem model train-sensitive") as err:
        load_classifier(tmp_path / "empty")
    assert isinstance(err.value, RedactionError)
    assert find_built(tmp_path / "empty") is None


def test_a_broken_model_dir_is_a_typed_error(tmp_path: Path) -> None:
    out = build_fake(tmp_path / "models")
    (out / "model.onnx").write_bytes(b"not a graph")
    with pytest.raises(SensitiveModelMissing, match="--force"):
        SensitiveClassifier(out)


def test_classify_returns_categories_over_their_thresholds_in_fixed_order(fake: SensitiveClassifier) -> None:
    assert fake.classify("what is the union of a set") == ("trade_union",)
    # the text names them in the other order; the result keeps CATEGORIES' order
    assert fake.classify("my debts and my hiv") == ("health", "finances")
    assert fake.classify("what is the weather") == ()
    assert fake.classify("") == ()
    scores = fake.scores("hiv")
    assert list(scores) == list(CATEGORIES)
    assert scores["health"] > 0.99 and scores["religion"] < 0.01


def test_a_threshold_above_the_score_drops_the_category(tmp_path: Path) -> None:
    strict = SensitiveClassifier(build_fake(tmp_path / "m", thresholds={**dict.fromkeys(CATEGORIES, 0.5),
                                                                         "health": 0.999}))
    assert strict.classify("hiv and a visa") == ("immigration",)


def test_an_ensembles_members_are_averaged(tmp_path: Path) -> None:
    # the second member is unsure about "hiv" (logit 0: 0.5) where the first is sure (logit 6: 0.9975)
    pair = SensitiveClassifier(build_fake(tmp_path / "m", second_member={"hiv": 0.0},
                                          thresholds={**dict.fromkeys(CATEGORIES, 0.5), "health": 0.8}))
    assert len(pair.sessions) == 2
    assert pair.scores("hiv")["health"] == pytest.approx((0.9975 + 0.5) / 2, abs=1e-3)
    assert pair.classify("hiv and a visa") == ("immigration",)  # 0.75 is under health's 0.8
    assert pair.scores("visa")["immigration"] > 0.99  # where the members agree, the average is theirs


def test_a_disclosure_at_the_end_of_a_long_text_is_found(fake: SensitiveClassifier) -> None:
    long = " ".join(["the"] * 100) + " my visa"  # far beyond the 16-token window
    assert fake.classify(long) == ("immigration",)


def test_the_newest_build_is_found(tmp_path: Path) -> None:
    import os

    old = build_fake(tmp_path / "m", key="old000000000")
    new = build_fake(tmp_path / "m", key="new000000000")
    os.utime(old, (1, 1))
    assert find_built(tmp_path / "m") == new
    assert find_built(tmp_path / "m", key="old000000000") == old


def test_redact_jsonl_adds_the_key_to_results_and_leaves_errors_alone(fake: SensitiveClassifier) -> None:
    lines = [json.dumps({"text": "my hiv"}), "{not json", json.dumps({"text": "hello"})]
    rows = [json.loads(out) for out in redact_jsonl(lines, RuleRedactor(ner=None), fake.classify)]
    untagged = [json.loads(out) for out in redact_jsonl(lines, RuleRedactor(ner=None))]
    assert rows == [{"text": "my hiv", "entities": [], "sensitive": ["health"]},
                    untagged[1],  # the error line as it was, with no key added
                    {"text": "hello", "entities": [], "sensitive": []}]
    assert untagged[1]["line"] == 2 and "error" in untagged[1]
    off = [json.loads(out) for out in redact_jsonl(lines[:1], RuleRedactor(ner=None), lambda redacted, original: ())]
    assert off == [{"text": "my hiv", "entities": [], "sensitive": []}]


def test_classify_reads_every_view_of_a_request(fake: SensitiveClassifier) -> None:
    # the redaction swallowed the disclosing word; the user's own words still hold it
    assert fake.classify("I have <PERSON_1>") == ()
    assert fake.classify("I have <PERSON_1>", "I have hiv") == ("health",)
    assert fake.scores("my visa", "my hiv")["health"] == fake.scores("my hiv")["health"]
    assert fake.classify("my visa", "my visa") == fake.classify("my visa")


def test_redact_jsonl_classifies_each_input_beside_its_redaction(fake: SensitiveClassifier) -> None:
    class SwallowsHiv(RuleRedactor):  # a redactor that took the disclosing word for a name
        def redact(self, text: str, vault: Vault | None = None) -> Redaction:
            return Redaction(text.replace("hiv", "<PERSON_1>"), ())

    lines = [json.dumps({"text": "I have hiv"}), "{not json", json.dumps({"text": "hello"})]
    rows = [json.loads(out) for out in redact_jsonl(lines, SwallowsHiv(ner=None), fake.classify)]
    assert [r.get("sensitive") for r in rows] == [["health"], None, []]
    assert rows[0]["text"] == "I have <PERSON_1>"  # the output keeps only the redacted text
