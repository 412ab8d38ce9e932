"""`device.redaction.jargon`: specialist terms explained in plain English, as one more classifier view."""

from __future__ import annotations

from pathlib import Path

from device.redaction.jargon import compile_jargon, explain, is_acronym, load_jargon
from device.redaction.sensitive import SensitiveClassifier
from tests.device.sensitive_fake import build_fake

_SMALL = (
    "# a comment line\n"
    "SNAP\tfood stamps, a welfare benefit for people on low income\n"
    "MARAC\tmulti-agency meeting about victims of domestic abuse at high risk\n"
    "Chapter 13\ta bankruptcy repayment plan for people in debt\n"
    "Chapter 13 bankruptcy\ta bankruptcy repayment plan for people in debt\n"
    "Duldung\ttolerated stay of a migrant whose deportation is suspended\n"
    "ankle monitor\telectronic tag worn on probation or parole\n"
    "Fußfessel\telectronic ankle monitor for offenders\n"
    "shortlived\tx\n"  # an explanation of one word is no explanation: skipped
)


def test_terms_are_explained_in_place_and_the_text_is_kept() -> None:
    jargon = compile_jargon(_SMALL)
    assert explain("What do I say at the MARAC meeting?", jargon) == (
        "What do I say at the MARAC (multi-agency meeting about victims of domestic abuse at high risk) meeting?")
    # several terms; a lowercase term in any case; a German term inside German text
    out = explain("Ankle Monitor on, SNAP cut.", jargon)
    assert out == ("Ankle Monitor (electronic tag worn on probation or parole) on, "
                   "SNAP (food stamps, a welfare benefit for people on low income) cut.")
    assert explain("wegen der Duldung von meinem Schwager", jargon) == (
        "wegen der Duldung (tolerated stay of a migrant whose deportation is suspended) von meinem Schwager")


def test_a_term_with_a_letter_casefolding_changes_matches_as_written_and_spelled_out() -> None:
    jargon = compile_jargon(_SMALL)
    for spelling in ("Fußfessel", "Fussfessel", "FUSSFESSEL"):
        assert explain(f"Ich trage eine {spelling}.", jargon) == (
            f"Ich trage eine {spelling} (electronic ankle monitor for offenders).")


def test_acronyms_match_only_as_written_and_words_only_whole() -> None:
    jargon = compile_jargon(_SMALL)
    assert explain("snap a photo of the receipt", jargon) is None
    assert explain("SNAPSHOT of the disk", jargon) is None
    assert explain("the duldungs list", jargon) is None  # not a whole word
    assert explain("nothing to see", jargon) is None and explain("", jargon) is None
    assert is_acronym("H-1B") and is_acronym("SNAP") and not is_acronym("ver.di") and not is_acronym("Duldung")


def test_the_longest_term_wins_and_spaces_may_vary() -> None:
    jargon = compile_jargon(_SMALL)
    out = explain("filed for Chapter  13 bankruptcy last year", jargon)
    assert out == "filed for Chapter  13 bankruptcy (a bankruptcy repayment plan for people in debt) last year"
    assert "shortlived" not in jargon.folded


def test_the_shipped_glossary_loads_and_is_well_formed() -> None:
    jargon = load_jargon()
    assert len(jargon.exact) + len(jargon.folded) > 800
    for table in (jargon.exact, jargon.folded):
        for term, explanation in table.items():
            assert term.strip() == term and "\t" not in explanation, term
            assert 2 <= len(explanation.split()) <= 16, (term, explanation)
            assert "(" not in explanation and ")" not in explanation, term
    # everyday words in lowercase are not in it: they would be explained in every request
    for word in ("snap", "tag", "pride", "meeting", "doctor", "bank"):
        assert word not in jargon.folded, word


def test_the_classifier_reads_the_explained_view(tmp_path: Path) -> None:
    # the stand-in model knows "debts" and "hiv" but none of the terms: only the explanations the
    # shipped glossary inserts can make it fire
    fake = SensitiveClassifier(build_fake(tmp_path / "models"))
    assert fake.classify("Should I take an IVA or a DRO this year?") == ("finances",)
    assert fake.classify("I started PrEP in May") == ("health",)
    assert fake.classify("should i take an iva this year") == ()  # an acronym only as written
    # a German request: its gloss is explained too
    assert fake.classify("Ich habe ein IVA beantragt.") == ("finances",)
