"""The generalising rewrite and the per-category sensitive policy, on their own."""

from __future__ import annotations

import pytest

from device.redaction.generalize import generalize
from device.redaction.sensitive_policy import CATEGORIES, SensitivePolicy


@pytest.mark.parametrize(("text", "expected"), [
    ("My HIV test came back positive. Do I have to tell my new employer?",
     "Someone's HIV test came back positive. Do they have to tell their new employer?"),
    ("I'm gay and my parents are very religious. How do I come out to them?",
     "Someone is gay and their parents are very religious. How do they come out to them?"),
    ("I have a criminal record from 2015. Can I still get a job at a bank?",
     "Someone has a criminal record from 2015. Can they still get a job at a bank?"),
    ("I found out I carry the BRCA1 gene. Should my sister get tested too?",
     "Someone found out they carry the BRCA1 gene. Should their sister get tested too?"),
    ("My husband hits me when he drinks. Where can I get help?",
     "Someone's husband hits them when he drinks. Where can they get help?"),
    ("Can I get fired for being pregnant?", "Can someone get fired for being pregnant?"),
    ("Should I tell my boss that I am transgender?", "Should someone tell their boss that they are transgender?"),
    ("Can <PERSON_1> see my therapy notes? I was diagnosed with bipolar disorder.",
     "Can <PERSON_1> see someone's therapy notes? They were diagnosed with bipolar disorder."),
])
def test_rewrites_the_user_into_someone(text: str, expected: str) -> None:
    assert generalize(text) == expected


@pytest.mark.parametrize("text", [
    "What is the capital of France?",  # nothing about the user: nothing to generalise
    "Ich bin HIV-positiv. Muss ich es meinem Arbeitgeber sagen?",  # not English: refused, stays home
])
def test_refuses_what_it_cannot_rewrite(text: str) -> None:
    assert generalize(text) is None


def test_the_strictest_action_wins_and_unknown_names_are_refused() -> None:
    policy = SensitivePolicy({"health": "generalize", "religion": "ask"}, default="local")
    assert policy.action(()) is None
    assert policy.action(["health"]) == "generalize"
    assert policy.action(["health", "religion"]) == "ask"
    assert policy.action(["health", "finances"]) == "local"
    assert len(CATEGORIES) == 13
    with pytest.raises(ValueError, match="unknown categories"):
        SensitivePolicy({"hobbies": "local"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="actions"):
        SensitivePolicy({"health": "shout"})  # type: ignore[dict-item]
