"""Normalise, then detect, then map back (`device.redaction.normalize`): disguised PII is found, and
every span is an offset into the text the user typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from device.redaction import RuleRedactor, redact_jsonl
from device.redaction.normalize import normalize


def found(text: str, region: str | None = None) -> list[tuple[str, str]]:
    return [(e.type, text[e.start:e.end]) for e in RuleRedactor(ner=None, region=region).redact(text).entities]


@pytest.mark.parametrize(("text", "expected"), [
    ("My card is 4111.1111.1111.1111 ... explain chargebacks", [("CARD", "4111.1111.1111.1111")]),
    ("card 5425  2334  3010  9903 fails", [("CARD", "5425  2334  3010  9903")]),
    ("visa 4242 4242-4242.4242 declined", [("CARD", "4242 4242-4242.4242")]),
    ("pay with ４１１１ １１１１ １１１１ １１１１ now", [("CARD", "４１１１ １１１１ １１１１ １１１１")]),
    ("number 6011\u200b1111\u200b1111\u200b1117, book it", [("CARD", "6011\u200b1111\u200b1111\u200b1117")]),
    ("überweise auf de89 3704 0044 0532 0130 00 bitte", [("IBAN", "de89 3704 0044 0532 0130 00")]),
    ("Zahlung an CH93-0076-2011-6238-5295-7 bis Ende Monat", [("IBAN", "CH93-0076-2011-6238-5295-7")]),
    ("IBAN IT60  X054  2811  1010  0000  0123  456 per la caparra", [("IBAN", "IT60  X054  2811  1010  0000  0123  456")]),
    ("my SSN is 078 05 1120, which line?", [("SSN", "078 05 1120")]),
    ("SSN 123456789 was requested", [("SSN", "123456789")]),
    ("email me at jordan.hale[at]gmail[dot]com today", [("EMAIL", "jordan.hale[at]gmail[dot]com")]),
    ("écris à lea.fontaine (at) free (dot) fr pour", [("EMAIL", "lea.fontaine (at) free (dot) fr")]),
    ("my email is sam dot whitaker at proton dot me, thanks", [("EMAIL", "sam dot whitaker at proton dot me")]),
    ("the link had lina.haddad%40gmail.com in it", [("EMAIL", "lina.haddad%40gmail.com")]),
    ("write to mai.le＠gmail.com about it", [("EMAIL", "mai.le＠gmail.com")]),
    ("send it to priya.nair\u200b@\u200bgmail.com soon", [("EMAIL", "priya.nair\u200b@\u200bgmail.com")]),
    ("call me at five five five, one two three four tonight", [("PHONE", "five five five, one two three four")]),
    ("appelle le zéro six douze trente-quatre cinquante-six soixante-dix-huit",
     [("PHONE", "zéro six douze trente-quatre cinquante-six soixante-dix-huit")]),
    ("ruf 079\u200b555\u200b12\u200b34 an", [("PHONE", "079\u200b555\u200b12\u200b34")]),
    ("the camera at 192.168.001.010 won't stream", [("IP", "192.168.001.010")]),
    ("my home ip is 73 dot 15 dot 201 dot 88, is it exposed?", [("IP", "73 dot 15 dot 201 dot 88")]),
    ("请把包裹寄到北京市朝阳区建国路88号，谢谢", [("STREET_ADDRESS", "北京市朝阳区建国路88号")]),
    ("荷物は東京都千代田区丸の内1-9-1に送ってください", [("STREET_ADDRESS", "東京都千代田区丸の内1-9-1")]),
    ("주소는 서울특별시 강남구 테헤란로 152입니다.", [("STREET_ADDRESS", "서울특별시 강남구 테헤란로 152")]),
    ("my login is admin / hunter2! and the NAS refuses", [("API_KEY", "hunter2!")]),
    ("Benutzer: admin, Passwort: Geheim!2024 – warum?", [("API_KEY", "Geheim!2024")]),
    ("mot de passe : soleil89! ok ?", [("API_KEY", "soleil89!")]),
    ("las credenciales son root / Tortilla#9, ¿cómo?", [("API_KEY", "Tortilla#9")]),
    ("inlog is beheer / Stroopwafel22, hoe?", [("API_KEY", "Stroopwafel22")]),
    ("nome utente mrossi password Gelato!2024 non va", [("API_KEY", "Gelato!2024")]),
    ("I set key='Zx9Qw8Er7Ty6Ui5Op4As3Df' but get 401", [("API_KEY", "Zx9Qw8Er7Ty6Ui5Op4As3Df")]),
])
def test_disguised_pii_is_found_at_its_original_offsets(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(("text", "region", "expected"), [
    ("liga pra mim no (21) 98765-4321 quando chegar", "BR", [("PHONE", "(21) 98765-4321")]),
    ("Bitte ruf 0664 1234567 an", "AT", [("PHONE", "0664 1234567")]),
    ("Ring mig på 070-123 45 67 när du är framme", "SE", [("PHONE", "070-123 45 67")]),
])
def test_the_device_region_reads_national_phone_formats(text: str, region: str, expected: list[tuple[str, str]]) -> None:
    assert found(text, region) == expected


@pytest.mark.parametrize("text", [
    "count one two three four five six seven eight",  # counting, not a number read out
    "look at google.com for the answer",  # "at" in a sentence
    "I'll be at home dot dot dot",
    "Python 3.12 and version 10.0.19045.3803",
    "Order 48213 was shipped on 2024-05-12 for $1,280.00",
    "The build number 20240611.3 broke the nightly tests",
    "not a key: sk-short, max_tokens=100, the key is under the mat",
    "password manager recommendations, and how do I reset my password?",
    "01.2.3.4 is a version, 999.1.1.1 is nothing",
])
def test_look_alikes_stay(text: str) -> None:
    assert found(text) == []


def test_phone_words_are_whole_words() -> None:
    from device.redaction.detectors import find_phones

    assert list(find_phones("Is Vial de Concha Vergara 770 02262 in a flood zone?")) == []  # "ara" ends "Vergara"


def test_placeholder_replaces_exactly_what_was_typed() -> None:
    text = "mail anna[at]example[dot]com or ＠home"
    result = RuleRedactor(ner=None).redact(text)
    assert result.text == "mail <EMAIL_1> or ＠home"
    (line,) = [json.loads(out) for out in redact_jsonl([json.dumps({"text": text})], RuleRedactor(ner=None))]
    (entity,) = line["entities"]
    assert text[entity["start"]:entity["end"]] == "anna[at]example[dot]com"


def test_plain_text_is_returned_as_it_is() -> None:
    norm = normalize("Nothing to undo here, 12 Baker Street.")
    assert norm.identity and norm.span(3, 7) == (3, 7)


@given(st.text(alphabet=st.sampled_from(list("ab1 .@%4０＠\u200b[]()at dot five")), max_size=60))
def test_every_normalised_span_maps_inside_the_original(text: str) -> None:
    norm = normalize(text)
    for start in range(len(norm.text)):
        for end in range(start + 1, len(norm.text) + 1):
            s, e = norm.span(start, end)
            assert 0 <= s < e <= len(text)
    result = RuleRedactor(ner=None).redact(text)
    previous = 0
    for entity in result.entities:  # in order, inside the text, never overlapping
        assert previous <= entity.start < entity.end <= len(text)
        previous = entity.end


@pytest.mark.parametrize(("env", "region"), [
    ({"LANG": "de_CH.UTF-8"}, "CH"),
    ({"LC_ALL": "pt_BR.UTF-8", "LANG": "en_US.UTF-8"}, "BR"),
    ({"LANG": "C.UTF-8"}, None),
    ({"LANG": "POSIX"}, None),
    ({}, None),
])
def test_the_region_defaults_to_the_locale_country(env: dict[str, str], region: str | None) -> None:
    from device.redaction.factory import locale_region

    assert locale_region(env) == region


def test_make_redactor_takes_the_configured_region(tmp_path: Path) -> None:
    from device.redaction.factory import make_redactor

    assert make_redactor(tmp_path, ner="off", region="BR").region == "BR"
