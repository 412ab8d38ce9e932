"""Detectors, one type at a time, plus overlap resolution and placeholder numbering."""

from __future__ import annotations

import re

import pytest

from device.redaction import PLACEHOLDER_RE, TYPES, Entity, Redaction, Redactor, RuleRedactor, Vault

DEMO = (
    "Remind Anna Keller (anna.keller@example.com, +41 79 555 12 34) that the boiler service is on "
    "Friday, and explain how a condensing boiler works."
)


@pytest.fixture(scope="module")
def redactor() -> RuleRedactor:
    return RuleRedactor()


def found(redactor: RuleRedactor, text: str) -> list[tuple[str, str]]:
    """(type, original value) for each entity, in text order."""
    return [(e.type, text[e.start : e.end]) for e in redactor.redact(text).entities]


def test_rule_redactor_is_a_redactor(redactor: RuleRedactor) -> None:
    assert isinstance(redactor, Redactor)


def test_demo_sentence(redactor: RuleRedactor) -> None:
    result = redactor.redact(DEMO)
    assert result.text == (
        "Remind <PERSON_1> (<EMAIL_1>, <PHONE_1>) that the boiler service is on Friday, "
        "and explain how a condensing boiler works."
    )
    assert [e.type for e in result.entities] == ["PERSON", "EMAIL", "PHONE"]
    for value in ("Anna", "Keller", "anna.keller@example.com", "555 12 34"):
        assert value not in result.text
    for kept in ("boiler", "Friday", "condensing"):
        assert kept in result.text


def test_entities_carry_original_offsets(redactor: RuleRedactor) -> None:
    result = redactor.redact(DEMO)
    assert result.entities[0] == Entity("PERSON", 7, 18, "<PERSON_1>")
    assert [DEMO[e.start : e.end] for e in result.entities] == [
        "Anna Keller",
        "anna.keller@example.com",
        "+41 79 555 12 34",
    ]
    assert list(result.entities) == sorted(result.entities, key=lambda e: e.start)
    assert isinstance(result, Redaction) and isinstance(result.entities, tuple)


@pytest.mark.parametrize(
    "text",
    [
        "The meeting is on 2024-05-17 (17.05.2024, 05/17/2024) at 10:30 or 10:30:45 in Paris.",
        "Upgrade to Version 2.0.1, then 1.2.3-beta; order 12345 costs 1500 EUR (1,000,000 in total).",
        "Monday, Friday and Sunday in Zurich, Berlin and Madrid; pi is 3.14159; call me maybe.",
        "Python, Java and Linux are fine. No. Dr. who knows. Max 5 items per user.",
        "Room 404, page 12-34, ISBN 978-3-16-148410-0, postcode 8001, year 1999, 42 apples.",
        "",
        "   \n\t",
        "Grüße aus München — 東京 ☃ and emoji 🎉.",
    ],
)
def test_text_without_pii_is_byte_identical(redactor: RuleRedactor, text: str) -> None:
    result = redactor.redact(text)
    assert result.text == text
    assert result.entities == ()


# --- per type: positives --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jane.doe+news@mail.example.co.uk today", ("EMAIL", "jane.doe+news@mail.example.co.uk")),
        ("<bob@example.org>", ("EMAIL", "bob@example.org")),
        ("call +41 79 555 12 34.", ("PHONE", "+41 79 555 12 34")),
        ("US office (212) 555-1234", ("PHONE", "(212) 555-1234")),
        ("London 020 7946 0958", ("PHONE", "020 7946 0958")),
        ("Handy 0171 1234567", ("PHONE", "0171 1234567")),
        ("mobile 06 12 34 56 78", ("PHONE", "06 12 34 56 78")),
        ("visa 4111 1111 1111 1111 exp", ("CARD", "4111 1111 1111 1111")),
        ("mc 5555-5555-5555-4444", ("CARD", "5555-5555-5555-4444")),
        ("amex 3782 822463 10005", ("CARD", "3782 822463 10005")),
        ("raw 4012888888881881", ("CARD", "4012888888881881")),
        ("IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX", ("IBAN", "DE89 3704 0044 0532 0130 00")),
        ("CH9300762011623852957", ("IBAN", "CH9300762011623852957")),
        ("GB82 WEST 1234 5698 7654 32.", ("IBAN", "GB82 WEST 1234 5698 7654 32")),
        ("host 192.168.1.10:8080", ("IP", "192.168.1.10")),
        ("ping 8.8.8.8.", ("IP", "8.8.8.8")),
        ("v6 2001:db8::ff00:42:8329 up", ("IP", "2001:db8::ff00:42:8329")),
        ("link fe80::1ff:fe23:4567:890a", ("IP", "fe80::1ff:fe23:4567:890a")),
        ("mapped ::ffff:192.168.1.1.", ("IP", "::ffff:192.168.1.1")),
        ("mac 00:1A:2B:3C:4D:5E", ("MAC", "00:1A:2B:3C:4D:5E")),
        ("mac 00-1a-2b-3c-4d-5e", ("MAC", "00-1a-2b-3c-4d-5e")),
        ("cisco 0011.22aa.bbcc", ("MAC", "0011.22aa.bbcc")),
        ("SSN 123-45-6789", ("SSN", "123-45-6789")),
        ("SSN 078-05-1120.", ("SSN", "078-05-1120")),
    ],
)
def test_detects(redactor: RuleRedactor, text: str, expected: tuple[str, str]) -> None:
    assert found(redactor, text) == [expected]


JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
    "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7x\nq9Zy0=\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("key sk-proj-abcdefghijklmnopqrstuvwx123 ok", "sk-proj-abcdefghijklmnopqrstuvwx123"),
        ("key sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv", "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv"),
        ("ghp_" + "a1B2" * 9, "ghp_" + "a1B2" * 9),
        (
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
        ),
        ("aws AKIAIOSFODNN7EXAMPLE,", "AKIAIOSFODNN7EXAMPLE"),
        ("slack xoxb-1234567890-abcdefghij", "xoxb-1234567890-abcdefghij"),
        ("google AIzaSyA-1234567890abcdefghijklmnopqrstu", "AIzaSyA-1234567890abcdefghijklmnopqrstu"),
        (f"jwt {JWT}.", JWT),
        (f"my key:\n{PEM}\nthanks", PEM),
        ("password: hunter22.", "hunter22"),
        ('{"api_key": "abc def 123"}', "abc def 123"),
        ("DB_PASSWORD=s3cr3t!", "s3cr3t!"),
        ("Token = 'q8Zr-77xx'", "q8Zr-77xx"),
        ("Authorization: Bearer abcdefghijklmnop1234", "abcdefghijklmnop1234"),
    ],
)
def test_detects_secrets(redactor: RuleRedactor, text: str, secret: str) -> None:
    result = redactor.redact(text)
    assert found(redactor, text) == [("API_KEY", secret)]
    assert secret not in result.text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Anna Keller will come.", "Anna Keller"),
        ("ask Hans-Peter van der Berg", "Hans-Peter van der Berg"),
        ("with Ludwig von Beethoven", "Ludwig von Beethoven"),
        ("Anna Maria Keller-Schmidt says hi", "Anna Maria Keller-Schmidt"),
        ("Łukasz Nowak", "Łukasz Nowak"),
        ("José García y López", "José García y López"),
        ("tell Dr. Müller", "Müller"),
        ("Frau Keller", "Keller"),
        ("Prof. Dr. Weber", "Weber"),
        ("M. Dupont est là", "Dupont"),
        ("Sra. Fernández", "Fernández"),
        ("Ms O'Brien", "O'Brien"),
    ],
)
def test_detects_persons(redactor: RuleRedactor, text: str, name: str) -> None:
    assert found(redactor, text) == [("PERSON", name)]


def test_possessive_stays_outside_the_name(redactor: RuleRedactor) -> None:
    assert redactor.redact("Anna Keller's boiler").text == "<PERSON_1>'s boiler"


def test_later_mentions_of_a_detected_name_are_redacted(redactor: RuleRedactor) -> None:
    text = "Anna Keller called. Tell Anna that Keller's boiler is fine."
    assert found(redactor, text) == [("PERSON", "Anna Keller"), ("PERSON", "Anna"), ("PERSON", "Keller")]


# --- per type: negatives --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Luhn-invalid 4111 1111 1111 1112",
        "too short 4111 1111 11",
        "not a network 1234 5678 9012 3452",  # Luhn-valid, but no card network starts with 1
        "wrong check digits DE88 3704 0044 0532 0130 00",
        "wrong length DE89 3704 0044 0532 0130 0",
        "unknown country ZZ89 3704 0044 0532 0130 00",
        "SSN area 999-12-3456",
        "invalid IP 999.1.1.1 and 256.0.0.1 and 01.2.3.4",
        "not v6: std::vector, a::b, ::1, 10:30:45",
        "not an email: user@localhost, @handle, a@b",
        "not a phone: 12345, 1234567, PID 376887, version 47.376887",
        "not a key: sk-short, AKIA123, password: no, token: 5, max_tokens=100, secret: none",
        "not a JWT: eyJub3Rqc29u.eyJ4Ijox.sig",
        "Paris Hilton? Friday Monday Python. Mark Twain? June Carter? Will Smith?",
        "Dr. The Mr. And",
        "ANNA KELLER shouting, anna keller lowercase",
        "Anna\nKeller on two lines",
    ],
)
def test_does_not_detect(redactor: RuleRedactor, text: str) -> None:
    result = redactor.redact(text)
    assert result.entities == ()
    assert result.text == text


@pytest.mark.parametrize("ssn", ["999-12-3456", "666-12-3456", "000-12-3456", "123-00-6789", "123-45-0000"])
def test_ssn_outside_issued_ranges_is_not_an_ssn(ssn: str) -> None:
    # Some of these are valid Italian phone numbers, so only the SSN detector is asked.
    assert RuleRedactor(types=["SSN"]).redact(f"SSN {ssn}").entities == ()
    assert RuleRedactor(types=["SSN"]).redact("SSN 123-45-6789").entities != ()


# --- overlaps, numbering, filtering ---------------------------------------------------------------
def test_secret_wins_over_embedded_card() -> None:
    text = "password: 4111111111111111"
    assert found(RuleRedactor(), text) == [("API_KEY", "4111111111111111")]


def test_card_wins_over_phone() -> None:
    assert found(RuleRedactor(), "4111 1111 1111 1111") == [("CARD", "4111 1111 1111 1111")]


def test_iban_wins_over_phone_inside_it() -> None:
    assert found(RuleRedactor(), "CH93 0076 2011 6238 5295 7") == [("IBAN", "CH93 0076 2011 6238 5295 7")]


def test_email_wins_over_name_inside_it() -> None:
    assert found(RuleRedactor(), "Anna.Keller@example.com") == [("EMAIL", "Anna.Keller@example.com")]


def test_placeholders_are_numbered_per_type_in_order_of_appearance() -> None:
    text = "Anna Keller, Jan de Vries, a@example.com, Anna Keller, b@example.com"
    result = RuleRedactor().redact(text)
    assert result.text == "<PERSON_1>, <PERSON_2>, <EMAIL_1>, <PERSON_1>, <EMAIL_2>"
    assert all(re.fullmatch(PLACEHOLDER_RE, e.placeholder) for e in result.entities)


def test_types_filter() -> None:
    result = RuleRedactor(types=["EMAIL"]).redact(DEMO)
    assert [e.type for e in result.entities] == ["EMAIL"]
    assert "Anna Keller" in result.text


def test_unknown_type_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown entity types"):
        RuleRedactor(types=["EMAIL", "SHOE_SIZE"])


def test_all_types_are_detected_in_one_text() -> None:
    text = (
        "Anna Keller, anna@example.com, +41 79 555 12 34, 4111 1111 1111 1111, "
        "DE89 3704 0044 0532 0130 00, 10.0.0.7, 00:1A:2B:3C:4D:5E, 123-45-6789, AKIAIOSFODNN7EXAMPLE, "
        "born 12.03.1985, at 47.376887, 8.541694, lives at Hauptstraße 5, 10115 Berlin"
    )
    vault = Vault()
    result = RuleRedactor().redact(text, vault)
    assert sorted(e.type for e in result.entities) == sorted(TYPES)
    assert not any(value in result.text for value in vault.values())


def test_already_redacted_text_is_left_alone() -> None:
    redacted = RuleRedactor().redact(DEMO).text
    assert RuleRedactor().redact(redacted).text == redacted
