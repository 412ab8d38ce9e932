"""The built-in planner, routers and fuser on their own (the agent drives them in test_agent)."""

from __future__ import annotations

from device.collab.fusers.concat import fuse
from device.collab.planners.rules import RulesPlanner, divide
from device.collab.routers.capability import capability_gap
from device.collab.routers.entropy import EntropyRouter
from device.collab.steps import StepResult, ToolCall
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


def test_how_to_answer_stays_with_the_job_it_refines() -> None:
    for text in ["Draft an email to <PERSON_1> asking to move our meeting. Make it polite.",
                 "What is 17 times 23? Answer with just the number.",
                 "A train travels 120 km at 60 km/h. How long does it take? Show your work.",
                 "List three benefits of exercise and explain each briefly.",
                 "How does compound interest work? Give an example with 1000 euros."]:
        assert [p.text for p in divide(text)] == [text], text


def test_a_job_that_acts_on_an_earlier_answer_waits_for_it() -> None:
    parts = divide("Look up the population of Canada, then send it to <PERSON_1>.")
    assert [(p.text, p.depends_on, p.personal) for p in parts] == [
        ("Look up the population of Canada.", (), False), ("Send it to <PERSON_1>.", (0,), True)]
    # a pronoun alone is not a dependency: the explanation needs no earlier answer
    parts = divide("Remind me to water the plants, and explain why overwatering kills them.",
                   is_command=lambda piece: piece.lower().startswith("remind"))
    assert [(p.text, p.depends_on) for p in parts] == [
        ("Remind me to water the plants.", ()), ("Explain why overwatering kills them.", ())]


def _recognise(text: str) -> ToolCall | None:
    """A stand-in parser of a tiny home: lamp and door commands, list items (confidence as a parser's)."""
    low = text.lower().rstrip(".")
    for verb, intent in (("turn on the ", "HassTurnOn"), ("turn off the ", "HassTurnOff"), ("lock the ", "HassTurnOn")):
        if low.startswith(verb) and low[len(verb):] in ("garage light", "front door", "lamp"):
            return ToolCall(intent, {"name": low[len(verb):]}, 1.0)
    if low.startswith(("add ", "put ")) and "list" in low:
        return ToolCall("HassShoppingListAddItem", {"item": low.split(" ", 1)[1]}, 0.9)
    if low.startswith(("add ", "put ")):
        return ToolCall("HassShoppingListAddItem", {"item": low.split(" ", 1)[1]}, 0.6)
    return None


def test_two_commands_joined_by_and_are_two_tool_steps_but_a_list_of_items_is_one() -> None:
    planner = RulesPlanner(recognise=_recognise)
    plan = planner.plan("Turn on the garage light and lock the front door.")
    assert [(s.kind, s.call.arguments["name"] if s.call else None) for s in plan.steps] == [
        ("tool", "garage light"), ("tool", "front door")]
    plan = planner.plan("Add milk and eggs to the shopping list.")
    assert len(plan.steps) == 1 and plan.steps[0].kind == "tool"


def test_a_sentence_the_parser_only_guesses_is_a_command_does_not_split_a_question() -> None:
    planner = RulesPlanner(recognise=lambda t: ToolCall("HassShoppingListAddItem", {"item": "Janet"}, 0.6)
                           if t.startswith("Janet has") else None)
    text = "Janet has 3 apples. She buys 5 more and gives 2 away. How many does she have?"
    assert [s.text for s in planner.plan(text).steps] == [text]


def test_a_sentence_read_as_never_mind_does_not_split_a_request_but_alone_is_one() -> None:
    planner = RulesPlanner(recognise=lambda t: ToolCall("HassNevermind", {}, 0.9) if "forget" in t.lower()
                           or "never mind" in t.lower() else None)
    text = "What is the capital of Australia? I always forget."
    assert [s.text for s in planner.plan(text).steps] == [text]
    (alone,) = planner.plan("Never mind.").steps
    assert alone.kind == "tool" and alone.call is not None and alone.call.name == "HassNevermind"


def test_compose_drops_the_cloud_s_echo_of_the_question_and_keeps_the_answer() -> None:
    from device.collab.fusers.compose import fuse as compose

    asked = ("Which gas do plants absorb? Options: A) Oxygen B) Carbon dioxide C) Nitrogen D) Helium. "
             "Reply with the letter of the correct option.")
    vault = Vault()
    ph = vault.placeholder_for("PERSON", "Anna Keller")
    text = compose([
        StepResult(1, "Question: Which gas do plants absorb?\nOptions: A) Oxygen B) Carbon dioxide C) Nitrogen "
                      "D) Helium\nB) Carbon dioxide", "cloud", {"asked": asked}),
        StepResult(0, f"Sure! Here is the reminder:\nHi {ph}, the boiler service is on Friday.", "local",
                   {"asked": f"Remind {ph} that the boiler service is on Friday."}),
    ], vault)
    assert text == "Hi Anna Keller, the boiler service is on Friday.\n\nB) Carbon dioxide"


def test_compose_states_a_repeated_paragraph_once_and_never_empties_a_real_answer() -> None:
    from device.collab.fusers.compose import clean
    from device.collab.fusers.compose import fuse as compose

    text = compose([StepResult(0, "Turned off Kitchen ceiling.", "tool", {"asked": "Turn off the kitchen ceiling."}),
                    StepResult(1, "Turned off Kitchen ceiling.\n\nLEDs waste less heat.", "cloud",
                               {"asked": "Explain why LED bulbs save energy."})], Vault())
    assert text == "Turned off Kitchen ceiling.\n\nLEDs waste less heat."
    # an answer that shares words with the question is not an echo of it
    assert clean("Paris is the capital of France.", "What is the capital of France?") == \
        "Paris is the capital of France."
    # without the step's text nothing counts as an echo (concat's behaviour)
    assert clean("Question: what?\nIt is.", None) == "Question: what?\nIt is."
