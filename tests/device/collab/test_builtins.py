"""The built-in planner, routers and fuser on their own (the agent drives them in test_agent)."""

from __future__ import annotations

from device.collab.fusers.concat import fuse
from device.collab.planners.rules import divide
from device.collab.routers.capability import capability_gap
from device.collab.routers.entropy import EntropyRouter
from device.collab.steps import StepResult
from device.redaction.vault import Vault


def test_demo_request_splits_into_personal_and_general_parts() -> None:
    parts = divide("Remind <PERSON_1> (<EMAIL_1>, <PHONE_1>) that the boiler service is on Friday, "
                   "and explain how a condensing boiler works.")
    assert [p.text for p in parts] == [
        "Remind <PERSON_1> (<EMAIL_1>, <PHONE_1>) that the boiler service is on Friday.",
        "Explain how a condensing boiler works.",
    ]
    assert [p.personal for p in parts] == [True, False]


def test_single_questions_stay_whole() -> None:
    for text in ["What is the capital of France?", "Explain what a heat pump is and how it works."]:
        assert [p.text for p in divide(text)] == [text]


def test_sentences_and_connectives_split() -> None:
    parts = divide("Write a haiku about rain. Then summarize the plot of Hamlet")
    assert [p.text for p in parts] == ["Write a haiku about rain.", "Summarize the plot of Hamlet."]


def test_capability_rules() -> None:
    assert capability_gap("Write a Python function that parses ISO dates") == "code"
    assert capability_gap("What is 17 * 23?") == "arithmetic"
    assert capability_gap("Translate 'good morning' into German") == "translation"
    assert capability_gap("Say hello to my neighbour") is None


def test_router_threshold_is_the_one_knob() -> None:
    router = EntropyRouter(threshold=1.0)
    assert router.score([0.5, 1.5]) == 1.0
    assert router.escalates([0.5, 1.5])
    assert not router.escalates([0.2, 0.4])
    assert not EntropyRouter(threshold=2.0).escalates([0.5, 1.5])


def test_fusion_orders_parts_and_restores_values() -> None:
    vault = Vault()
    ph = vault.placeholder_for("PERSON", "Anna Keller")
    text = fuse([StepResult(1, "A condensing boiler recovers heat.", "cloud"),
                 StepResult(0, f"Hi {ph}, the service is on Friday.", "local")], vault, ["cloud was slow"])
    assert text.startswith("Hi Anna Keller, the service is on Friday.\n\nA condensing boiler")
    assert text.endswith("[note] cloud was slow")
    assert ph not in text


def test_context_and_the_rest_of_a_question_stay_with_it() -> None:
    for text in ["My daughter has a fever. What should I do?",
                 ("Which gas do plants absorb? Options: A) oxygen B) carbon dioxide C) helium D) neon. "
                  "Reply with the letter of the correct option."),
                 "I moved to Berlin last year. How do I register my car here?"]:
        assert [p.text for p in divide(text)] == [text]


def test_a_device_command_sentence_is_its_own_step() -> None:
    parts = divide("Turn off the kitchen light. What's a good recipe for soup?",
                   is_command=lambda piece: piece.lower().startswith("turn off"))
    assert [p.text for p in parts] == ["Turn off the kitchen light.", "What's a good recipe for soup?"]
