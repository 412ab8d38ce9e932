"""`device.redaction.gloss`: the English word-by-word view of German and French requests, and the
sensitive-context classifier reading it (on the stand-in model, whose vocabulary is English)."""

from __future__ import annotations

from pathlib import Path

import pytest

from device.redaction.gloss import LANGUAGES, gloss, language_of, load_glossary
from device.redaction.sensitive import SensitiveClassifier
from tests.device.sensitive_fake import build_fake


@pytest.mark.parametrize(("text", "lang"), [
    ("Ich habe seit Jahren Schulden und weiß nicht weiter.", "de"),
    ("J'ai des dettes et je ne sais plus quoi faire.", "fr"),
    ("I have debts and my sister knows about it.", None),
    ("Die Hard is my favourite film, what is yours?", None),  # one German-looking word is not German
    ("ok", None),
    ("maman rentre de dialyse lundi, dis-moi quel tram prendre", "fr"),  # "de", and "moi" inside "dis-moi"
    ("Am Samstag zum Arzt, dann zwei Stunden warten", "de"),  # no pronoun, articles and numbers only
    ("du bist so schön, who sang it", None),  # "du" is German and French: it tells nothing
    ("how long until the plants die", None),
])
def test_the_language_is_read_from_common_words(text: str, lang: str | None) -> None:
    assert language_of(text) == lang


def test_words_phrases_elisions_and_compounds_are_glossed() -> None:
    assert gloss("Ich habe Schulden.") == "I have debts ."
    # a phrase before its words, an elided word whole, a placeholder left as it is
    fr = gloss("J'ai fait une demande d'asile avec <PERSON_1>.")
    assert fr is not None and fr.startswith("I ") and "asylum application" in fr and "<PERSON_1>" in fr
    # a compound the glossary lacks, by its longest known tail
    assert "zungenkrebs" not in load_glossary("de").entries
    de = gloss("Mein Vater hat Zungenkrebs.")
    assert de is not None and de.endswith("cancer .")
    assert gloss("I have debts.") is None and gloss("") is None


def test_the_glossaries_load_and_are_well_formed() -> None:
    for lang in LANGUAGES:
        glossary = load_glossary(lang)
        assert len(glossary.entries) > 500
        assert all(s == s.lower() and s.strip() == s and english for s, english in glossary.entries.items())
    with pytest.raises(ValueError, match="no glossary"):
        load_glossary("xx")


def test_the_classifier_reads_the_gloss_of_a_german_request(tmp_path: Path) -> None:
    fake = SensitiveClassifier(build_fake(tmp_path / "models"))  # knows "debts", not "Schulden"
    assert fake.classify("Ich habe Schulden beim Finanzamt und kann nicht zahlen.") == ("finances",)
    assert fake.classify("Ich habe ein Visum beantragt.") == ("immigration",)
    # English: no gloss, the word stays unknown ("Schulden" would be explained by the jargon view)
    assert fake.classify("I have a Visum") == ()
