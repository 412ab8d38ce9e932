"""The hand-written held-out sets (`harness.eval.heldout`): well-formed, big enough, and scored."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.eval.heldout import SETS, load, score_heldout, tandem_heldout

_MINIMUM = {"structured": 150, "obfuscated": 60, "people": 150, "pii_free": 150}


@pytest.mark.parametrize("name", SETS)
def test_sets_are_labelled_with_offsets_into_their_text(name: str) -> None:
    cases = load(name)
    assert len(cases) >= _MINIMUM[name]
    assert len({c.locale for c in cases}) >= (10 if name != "obfuscated" else 8)
    for case in cases:
        for kind, start, end in case.spans:
            value = case.text[start:end]
            assert kind.isupper() and value and value == value.strip(), (name, case.text)
        assert (name == "pii_free") == (not case.spans)
        assert (case.kind is not None) == (name == "obfuscated")


def test_scoring_can_fail_and_pass() -> None:
    gold = {c.text: [(s, e) for _, s, e in c.spans] for name in SETS for c in load(name)}
    perfect = score_heldout("gold", lambda text, _region: gold[text], lambda text, spans: False).as_dict()
    assert perfect["structured"] == perfect["obfuscated"] == perfect["PERSON"] == perfect["untouched"] == 1.0
    assert perfect["leaked_requests"] == 0 and perfect["defence_held_pii_free"] == 0.0
    nothing = score_heldout("none", lambda text, _region: []).as_dict()
    assert nothing["structured"] == nothing["obfuscated"] == 0.0 and nothing["untouched"] == 1.0
    assert nothing["leaked_requests"] == nothing["missed_requests"] > 0 and nothing["defence_held_pii_free"] is None


def test_rules_alone_catch_the_obfuscated_and_structured_sets(tmp_path: Path) -> None:
    """Without a NER model (an empty models dir): the rule figures the issue asks for still hold."""
    run, holds = tandem_heldout(tmp_path)
    result = score_heldout("tandem", run, holds).as_dict()
    assert result["structured"] >= 0.995 and result["obfuscated"] >= 0.95
    assert result["defence_held_pii_free"] <= 0.02


def test_settings_check_the_region() -> None:
    from pydantic import ValidationError

    from tandem.settings import RedactionSettings

    assert RedactionSettings(region="ch").region == "CH"
    with pytest.raises(ValidationError, match="two-letter country code"):
        RedactionSettings(region="Switzerland")
