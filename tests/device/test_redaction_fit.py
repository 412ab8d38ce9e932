"""Rules around the learned model (no model needed): fitting its spans, titles, lone first names, overlaps."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from device.redaction import RuleRedactor
from device.redaction.detectors import Span
from device.redaction.grow import grow
from device.redaction.person import find_persons


def _fit(text: str, kind: str, piece: str) -> str | None:
    start = text.index(piece)
    span = grow(text, Span(kind, start, start + len(piece)))
    return None if span is None else text[span.start:span.end]


@pytest.mark.parametrize(("text", "kind", "piece", "whole"), [
    ("Write to Julius Scholz, Ruth-Platz 7", "PERSON", "Julius Scholz,", "Julius Scholz"),  # no jump over ","
    ("Schrijf een bedankje voor O. Finzi voor", "PERSON", "Finzi", "O. Finzi"),
    ("Peux-tu écrire à mevr. van der Mast pour", "PERSON", "Mast", "van der Mast"),
    ("Peux-tu écrire à mevr. van der Mast pour", "PERSON", "van", "van der Mast"),
    ("Puoi scrivere a Dott.ssa Faggiani che", "PERSON", "Dott", None),  # a title alone is nobody
    ("Cuál es la mejor playa cerca de Onna?", "PERSON", "Onna", "Onna"),  # "de" here is no particle
    ("Is callejón ascensión batalla 287, 16648 zamora in", "STREET_ADDRESS", "ascensión batalla 287, 16648 zamora",
     "callejón ascensión batalla 287, 16648 zamora"),
    ("Route from Studio 83t, Brown Rue to", "STREET_ADDRESS", "83t, Brown Rue", "Studio 83t, Brown Rue"),
    ("Mi dirección es Kuschstr. 53-93, 69952 Geithain, avisa al banco.", "STREET_ADDRESS",
     ". 53-93, 69952 Geithain, avisa al banco", "Kuschstr. 53-93, 69952 Geithain"),
    ("from 90142 Morris Fork Suite 888, New Nina, IN 45501 to", "STREET_ADDRESS", "90142 Morris Fork Suite 888, New Nina",
     "90142 Morris Fork Suite 888, New Nina, IN 45501"),
    ("Send it via 221B Baker Street please", "STREET_ADDRESS", "221B Baker Street", "221B Baker Street"),
    ("Stuur het naar Chloéboulevard 6 morgen", "STREET_ADDRESS", "Chloéboulevard 6", "Chloéboulevard 6"),
    ("Compare the Garmin Forerunner 265 and the Kia Niro", "STREET_ADDRESS", "Garmin Forerunner 265", None),
    ("My budget is CHF 777 for it", "STREET_ADDRESS", "CHF 777", None),  # no street, no house number
    # slips the model makes on hand-written text
    ("What's the difference between TCP port 443 and 8443?", "STREET_ADDRESS", "8443", None),
    ("La commande 58214 devait arriver le 3 mai", "STREET_ADDRESS", "58214 devait", None),
    ("Wann fährt der Zug am Sonntag um 9 Uhr?", "STREET_ADDRESS", "9 Uhr", None),
    ("Kannst du meine Handynummer in die Signatur einbauen?", "PERSON", "Handynummer", None),
    ("Write a limerick about a cat called Marmalade who hates Mondays.", "PERSON", "Marmalade", None),
    ("Wir sind am Kurfürstendamm spazieren gegangen", "PERSON", "Kurfürstendamm spazieren", None),
    ("Book a table under the name Farinelli, Antonella for 1 am.", "STREET_ADDRESS", "Farinelli, Antonella",
     "Farinelli, Antonella"),  # a name the model typed as a place is still hidden
    ("Write a letter to M. Morvan, chemin dias, about it.", "PERSON", "M. Morvan, chemin dias",
     "M. Morvan, chemin dias"),  # a lower-case tail after a comma may be the address: it stays
    ("Puoi scrivere a mitschke, cosima che arrivo?", "PERSON", "mitschke, cosima", "mitschke, cosima"),
    ("Meir 50, 2000 Antwerpen", "STREET_ADDRESS", "Meir 50, 2000 Antwerpen", "Meir 50, 2000 Antwerpen"),
])
def test_model_spans_are_fitted_to_whole_entities(text: str, kind: str, piece: str, whole: str | None) -> None:
    assert _fit(text, kind, piece) == whole


@pytest.mark.parametrize(("text", "names"), [
    ("Puoi scrivere a Dott.ssa Faggiani che arrivo?", ["Faggiani"]),
    ("Book it under the name mevrouw Molen.", ["Molen"]),
    ("Book it under the name mevrouw molen.", ["molen"]),
    ("Schrijf voor Doña Ortuño en Sig.ra Rossi.", ["Ortuño", "Rossi"]),
    ("M. Fischer is my new colleague.", ["Fischer"]),  # "M." read as Monsieur: a title stays
    ("The vet said Richard's dog needs a shot.", ["Richard"]),
    ("Kannst du Katharina eine Einladung schreiben?", ["Katharina"]),
    ("Richard is here.", []),  # a first name alone, with nothing saying it is someone
    ("Flights to San José on Friday.", []),
    ("Meine frau hat Zeit.", []),  # "frau" in lower case without a name after it
])
def test_person_rules(text: str, names: list[str]) -> None:
    assert sorted({text[s.start:s.end] for s in find_persons(text)}) == sorted(names)


class Model:
    """A stand-in for the learned model: fixed spans."""

    def __init__(self, spans: Iterable[tuple[str, str]]) -> None:
        self._spans = list(spans)

    def spans(self, text: str) -> list[Span]:
        return [Span(kind, text.index(piece), text.index(piece) + len(piece)) for kind, piece in self._spans]


def test_a_name_overlapping_an_address_keeps_its_own_part() -> None:
    text = "Write to Julius Scholz, Ruth-Mühle-Platz 72, about it."
    model = Model([("PERSON", "Julius Scholz, Ruth-Mühle-Platz"), ("STREET_ADDRESS", "Ruth-Mühle-Platz 72")])
    assert RuleRedactor(ner=model).redact(text).text == "Write to <PERSON_1>, <STREET_ADDRESS_1>, about it."


def test_the_digits_of_an_iban_are_never_a_card() -> None:
    # "4459 1808 0932 11" passes Luhn; it is the tail of a valid GB IBAN
    text = "Pay from card 4724485396574787492 to IBAN GB91 TWAF 4459 1808 0932 11."
    assert RuleRedactor(ner=None).redact(text).text == "Pay from card <CARD_1> to IBAN <IBAN_1>."


@pytest.mark.parametrize(("text", "piece", "whole"), [
    ("Schrijf voor Cichorius, Hilde voor het cadeau.", "Cichorius", "Cichorius, Hilde"),
    ("Puoi scrivere a Price, Steve che arrivo?", "Steve", "Price, Steve"),
    ("Kannst du linke, hans-dietrich eine Einladung schreiben?", "hans-dietrich", "linke, hans-dietrich"),
    ("In Berlin, Anna said hi.", "Anna", "Anna"),  # a place before the comma stays
    ("Invite Anna, Tom and Paul.", "Anna", "Anna"),  # a list of first names is no "Last, First"
])
def test_last_first_names_are_taken_whole(text: str, piece: str, whole: str) -> None:
    redacted = RuleRedactor(ner=Model([("PERSON", piece)])).redact(text)
    assert whole in [text[e.start:e.end] for e in redacted.entities]


def test_a_name_after_a_street_type_is_a_street() -> None:
    text = "The plumber should come to rue Benoît Ribeiro; when is he free?"
    start = text.index("Benoît")
    assert grow(text, Span("PERSON", start, start + len("Benoît Ribeiro"))) == \
        Span("STREET_ADDRESS", text.index("rue"), start + len("Benoît Ribeiro"))
