"""The vault: stable placeholders across a conversation, and an exact restore."""

from __future__ import annotations

import pytest

from device.redaction import RuleRedactor, Vault

TEXTS_WITH_PII = [
    "Remind Anna Keller (anna.keller@example.com, +41 79 555 12 34) that the boiler service is on Friday.",
    "Pay DE89 3704 0044 0532 0130 00 with 4111 1111 1111 1111, SSN 123-45-6789.",
    "Server 10.0.0.7 (00:1A:2B:3C:4D:5E) uses password: hunter22 and AKIAIOSFODNN7EXAMPLE.",
    "Dr. Müller, Frau Keller and Jan de Vries; later Keller wrote to <EMAIL_1> about keller@x.org.",
]


def test_same_value_same_placeholder_across_a_conversation() -> None:
    redactor, vault = RuleRedactor(), Vault()
    first = redactor.redact("Email anna.keller@example.com, cc Anna Keller.", vault)
    second = redactor.redact("Did Anna Keller reply? Use bob@example.com or anna.keller@example.com.", vault)
    assert first.text == "Email <EMAIL_1>, cc <PERSON_1>."
    assert second.text == "Did <PERSON_1> reply? Use <EMAIL_2> or <EMAIL_1>."
    assert len(vault) == 3


def test_names_from_earlier_turns_are_caught_alone() -> None:
    redactor, vault = RuleRedactor(), Vault()
    redactor.redact("Remind Anna Keller about the boiler.", vault)
    second = redactor.redact("Has Keller paid yet?", vault)
    assert second.text.startswith("Has <PERSON_")
    assert "Keller" not in second.text


def test_a_fresh_vault_starts_numbering_again() -> None:
    redactor = RuleRedactor()
    assert redactor.redact("a@example.com").text == "<EMAIL_1>"
    assert redactor.redact("b@example.com").text == "<EMAIL_1>"


@pytest.mark.parametrize("text", TEXTS_WITH_PII)
def test_restore_round_trip(text: str) -> None:
    vault = Vault()
    result = RuleRedactor().redact(text, vault)
    assert result.entities
    assert not any(value in result.text for value in vault.values())
    assert vault.restore(result.text) == text


def test_restore_leaves_unknown_placeholders_alone() -> None:
    vault = Vault()
    placeholder = vault.placeholder_for("EMAIL", "a@example.com")
    answer = f"Wrote to {placeholder}; <EMAIL_2>, <PERSON_1> and <PHONE_99> are unknown; <email_1> too."
    assert vault.restore(answer) == (
        "Wrote to a@example.com; <EMAIL_2>, <PERSON_1> and <PHONE_99> are unknown; <email_1> too."
    )


def test_literal_placeholders_in_user_text_are_never_reassigned() -> None:
    vault = Vault()
    text = "My template says <EMAIL_1>, my address is me@example.com"
    result = RuleRedactor().redact(text, vault)
    assert result.text == "My template says <EMAIL_1>, my address is <EMAIL_2>"
    assert vault.restore(result.text) == text


def test_restore_is_a_single_pass() -> None:
    vault = Vault()
    first = vault.placeholder_for("API_KEY", "<EMAIL_1>")  # a secret that looks like a placeholder
    vault.placeholder_for("EMAIL", "a@example.com")
    assert vault.restore(first) == "<EMAIL_1>"


def test_placeholder_for_is_stable_and_typed() -> None:
    vault = Vault()
    assert vault.placeholder_for("PERSON", "Anna") == "<PERSON_1>"
    assert vault.placeholder_for("PERSON", "Ben Ross") == "<PERSON_2>"
    assert vault.placeholder_for("PERSON", "Anna") == "<PERSON_1>"
    assert vault.placeholder_for("API_KEY", "Anna") == "<API_KEY_1>"
    assert vault.values() == ["Anna", "Ben Ross", "Anna"]
    assert len(vault) == 3


@pytest.mark.parametrize("bad", ["email", "", "E-MAIL", "<X>", "1X"])
def test_placeholder_type_must_fit_the_placeholder_format(bad: str) -> None:
    with pytest.raises(ValueError, match="entity type"):
        Vault().placeholder_for(bad, "value")


def test_repr_shows_no_values() -> None:
    vault = Vault()
    vault.placeholder_for("EMAIL", "secret@example.com")
    assert "secret" not in repr(vault)
