"""Defence in depth in the redaction policy: what still looks like PII after redaction stays home."""

from __future__ import annotations

import pytest

from device.redaction.policy import RedactionPolicy
from device.redaction.residual import AT_SIGN, DIGITS, ENTROPY, residual_pii


@pytest.mark.parametrize(("text", "kind"), [
    ("My card is 4111 1111 1111 111 and explain chargebacks", DIGITS),  # one digit short of a card: missed
    ("call 0044 20 7946 0958 about the boiler", DIGITS),
    ("SSN 123 45 6789 on the form", DIGITS),
    ("mail me at a.b@x.org", AT_SIGN),
    ("write to anna[at]example[dot]com", AT_SIGN),
    ("write to anna＠example.com", AT_SIGN),
    ("write to anna%40example.com", AT_SIGN),
    ("why does aB3dE5fG7hJ9kL1mN3pQ fail?", ENTROPY),
])
def test_residual_shapes_are_named_by_kind(text: str, kind: str) -> None:
    assert residual_pii(text) == kind


@pytest.mark.parametrize("text", [
    "Order 48213 was supposed to arrive on May 3rd, 2024",
    "The invoice INV-2024-0457 for $1,280.00 is 30 days overdue",
    "ERROR 2024-03-02 14:22:19,331 worker.py:88 TimeoutError after 30.0 s",
    "GET /api/v2/products?page=3&limit=50 HTTP/1.1 200 1834 0.042s",
    "How do I upgrade from Ubuntu 22.04 to 24.04? Windows build 10.0.19045.3803",
    "What does a UUID v4 like 550e8400-e29b-41d4-a716-446655440000 encode?",
    "npm ERR! unable to resolve dependency tree for react@18.2.0",
    "US ZIP codes like 12345 or 12345-6789",
    "Calculate the monthly payment on a $320,000 mortgage at 6.25% over 30 years.",
    "Mail <EMAIL_1> and call <PHONE_12> about <CARD_3>",
])
def test_ordinary_numbers_are_not_held(text: str) -> None:
    assert residual_pii(text) is None


def test_policy_holds_a_part_with_residual_pii_and_names_only_the_kind() -> None:
    verdict = RedactionPolicy().check("My card is 4111 1111 1111 111, explain chargebacks")
    assert not verdict.escalate
    assert "long digit run" in verdict.reason and "4111" not in verdict.reason
    assert RedactionPolicy().check("Explain chargebacks for <CARD_1> in simple words").escalate


def test_a_kept_type_switches_its_check_off() -> None:
    assert not RedactionPolicy().check("mail a@example.com please").escalate
    assert RedactionPolicy({"EMAIL": "keep"}).check("mail a@example.com please").escalate
    assert not RedactionPolicy({"EMAIL": "keep"}).check("call 0044 20 7946 0958 please").escalate
