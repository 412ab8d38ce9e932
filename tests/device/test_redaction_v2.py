"""Rule detectors added in v2 (DOB, GPS, passwords, entropy, addresses, phone grouping), the policy,
the streaming restorer and the encrypted vault store."""

from __future__ import annotations

import itertools
import os
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from device.errors import VaultError
from device.redaction import RuleRedactor, Vault
from device.redaction.factory import FALLBACK_NOTICE, LazyNer, make_redactor
from device.redaction.policy import RedactionPolicy
from device.redaction.stream import StreamRestorer
from device.redaction.vault_store import VaultStore


def found(text: str, redactor: RuleRedactor | None = None) -> list[tuple[str, str]]:
    return [(e.type, text[e.start:e.end]) for e in (redactor or RuleRedactor()).redact(text).entities]


@pytest.mark.parametrize(("text", "expected"), [
    ("born on 12.03.1985 in Bern", [("DATE_OF_BIRTH", "12.03.1985")]),
    ("DOB: 1985-03-12", [("DATE_OF_BIRTH", "1985-03-12")]),
    ("geboren am 12. März 1985", [("DATE_OF_BIRTH", "12. März 1985")]),
    ("my birthday is March 12, 1985", [("DATE_OF_BIRTH", "March 12, 1985")]),
    ("the cabin is at 47.376887, 8.541694", [("GPS", "47.376887, 8.541694")]),
    ("meet at 47.3769° N, 8.5417° E", [("GPS", "47.3769° N, 8.5417° E")]),
    ("my password is hunter22!", [("API_KEY", "hunter22!")]),
    ("pay to IBAN DE36 3058 4480 9022 1327 70.", [("IBAN", "DE36 3058 4480 9022 1327 70")]),
    ("das Passwort lautet Sommer2024", [("API_KEY", "Sommer2024")]),
    ("use aB3dE5fG7hJ9kL1mN3pQ5rS7 for the API", [("API_KEY", "aB3dE5fG7hJ9kL1mN3pQ5rS7")]),
    ("ship to 12 Baker Street, London NW1 6XE", [("STREET_ADDRESS", "12 Baker Street, London NW1 6XE")]),
    ("Lieferung an Hauptstraße 5, 10115 Berlin", [("STREET_ADDRESS", "Hauptstraße 5, 10115 Berlin")]),
    ("call me on 079 555 12 34", [("PHONE", "079 555 12 34")]),
])
def test_new_rules_detect(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text, RuleRedactor(ner=None)) == expected


@pytest.mark.parametrize("text", [
    "Invoice 2024-000123 is due on 12.03.2025.",  # a valid US number to Leniency.VALID
    "order #4155552671 shipped",
    "The invoice is due on 12.03.1985.",  # a date, but no birth context
    "pi is 3.14159 and 1.500, 2.000 are amounts",
    "commit 3f786850e387550fdab836ed7e6dc881de23001b, uuid 550e8400-e29b-41d4-a716-446655440000",
    "the password is in the drawer; the password is here",
    "We walked down Main Street to Kurfürstendamm.",
])
def test_new_rules_leave_look_alikes(text: str) -> None:
    assert found(text) == []


def test_policy_actions_keep_and_block() -> None:
    policy = RedactionPolicy({"EMAIL": "keep", "API_KEY": "block"})
    redactor = RuleRedactor(types=policy.redacted_types())
    result = redactor.redact("mail a@example.com, key sk-abcdefghijklmnopqrstuvwxyz")
    assert result.text == "mail a@example.com, key <API_KEY_1>"
    assert not policy.check(result.text).escalate
    assert policy.check("mail a@example.com please").escalate
    with pytest.raises(ValueError, match="unknown types"):
        RedactionPolicy({"SHOE_SIZE": "keep"})


@pytest.mark.parametrize(("text", "escalate"), [
    ("Is <IBAN_1> valid?", False),
    ("Is this address formatted correctly: <EMAIL_1>?", False),
    ("Which country is <PHONE_1> from?", False),
    ("<PERSON_1>", False),
    ("Remind <PERSON_1> that the boiler service is on Friday.", True),
    ("Explain how a condensing boiler works.", True),
])
def test_policy_holds_parts_whose_point_is_the_value(text: str, escalate: bool) -> None:
    assert RedactionPolicy().check(text).escalate is escalate


def test_policy_holds_a_part_where_a_vault_value_still_shows() -> None:
    vault = Vault()
    vault.placeholder_for("PERSON", "Anna Keller")
    assert not RedactionPolicy().check("Write to <PERSON_1>, i.e. anna keller, today.", vault).escalate


def _vault() -> Vault:
    vault = Vault()
    vault.placeholder_for("PERSON", "Anna Keller")
    vault.placeholder_for("EMAIL", "a@x.org")
    return vault


@settings(max_examples=200, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=12),
       text=st.sampled_from(["Hi <PERSON_1>, mail <EMAIL_1>.", "<PERSON_1><EMAIL_1><PHONE_3>", "a<b <PERSON_1",
                             "x <EMAIL_1> <<PERSON_1>> <EMAIL_", "no placeholders at all"]))
def test_stream_restorer_equals_restore_for_any_chunking(cuts: list[int], text: str) -> None:
    vault = _vault()
    restorer = StreamRestorer(vault)
    bounds = sorted({0, len(text), *[c for c in cuts if c < len(text)]})
    out = "".join(restorer.feed(text[a:b]) for a, b in itertools.pairwise(bounds)) + restorer.flush()
    assert out == vault.restore(text)


def test_stream_restorer_holds_a_split_placeholder_and_never_invents() -> None:
    restorer = StreamRestorer(_vault())
    assert restorer.feed("Dear <PER") == "Dear "
    assert restorer.feed("SON_1>, see <PERSON_9> and <EMAIL_") == "Anna Keller, see <PERSON_9> and "
    assert restorer.flush() == "<EMAIL_"


def test_vault_store_encrypts_expires_and_binds_the_conversation(tmp_path) -> None:
    key = tmp_path / "keys" / "vault.key"
    store = VaultStore(tmp_path / "vaults", key, ttl_s=60)
    store.save("conv-1", _vault(), now=1000)
    blob = (tmp_path / "vaults" / "conv-1.vault").read_bytes()
    assert b"Anna" not in blob and b"a@x.org" not in blob
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    loaded = store.load("conv-1", now=1030)
    # a loaded vault expands nothing until this session issues the placeholder again (issue 16)
    assert loaded.restore("<PERSON_1>, <EMAIL_1>") == "<PERSON_1>, <EMAIL_1>"
    assert loaded.placeholder_for("PERSON", "Anna Keller") == "<PERSON_1>"  # the same placeholder
    assert loaded.placeholder_for("EMAIL", "a@x.org") == "<EMAIL_1>"
    assert loaded.restore("<PERSON_1>, <EMAIL_1>") == "Anna Keller, a@x.org"
    assert loaded.placeholder_for("PERSON", "Ben") == "<PERSON_2>"  # numbering continues
    (tmp_path / "vaults" / "conv-1.vault").rename(tmp_path / "vaults" / "conv-2.vault")
    with pytest.raises(VaultError, match="does not open"):
        store.load("conv-2", now=1030)
    store.save("conv-1", _vault(), now=1000)
    assert len(store.load("conv-1", now=1061)) == 0  # expired: a fresh vault, file gone
    assert not (tmp_path / "vaults" / "conv-1.vault").exists()
    with pytest.raises(VaultError, match="conversation id"):
        store.load("../etc/passwd")


def test_vault_store_refuses_a_key_readable_by_others(tmp_path) -> None:
    key = tmp_path / "vault.key"
    key.write_bytes(b"k" * 32)
    key.chmod(0o644)
    with pytest.raises(VaultError, match="chmod 600"):
        VaultStore(tmp_path / "v", key)


def test_missing_ner_model_falls_back_to_rules_and_says_so_once(tmp_path, caplog) -> None:
    redactor = make_redactor(tmp_path / "no-models")
    assert isinstance(redactor.ner, LazyNer)
    with caplog.at_level("WARNING"):
        first = redactor.redact("Remind Anna Keller at Hauptstraße 5, 10115 Berlin")
        redactor.redact("and Jan de Vries too")
    assert first.text == "Remind <PERSON_1> at <STREET_ADDRESS_1>"
    assert redactor.ner.notice == FALLBACK_NOTICE
    assert [r.getMessage() for r in caplog.records].count(FALLBACK_NOTICE) == 1
