"""What of a conversation the cloud gets: the context rule on hand-written follow-ups and stand-alone
requests (the privacy side matters most: a stand-alone request must carry nothing)."""

from __future__ import annotations

import pytest

from device.collab.planners.context import MAX_TURNS, follows_up, turns_needed

FOLLOW_UPS = [
    "And of Canada?", "and what about Germany?", "What about tomorrow?", "How about in winter?", "Why?",
    "Make it shorter.", "Make it more formal, please.", "Translate it into French.", "Say that again more simply.",
    "Tell me more.", "Go on.", "Are you sure?", "Which one is cheaper?", "Is it safe for kids?",
    "Can you explain that?", "What does that mean?", "Who invented it?", "How old is he?", "Where is she from?",
    "In French?", "Of Spain?", "Compare both.", "Summarize it in one line.", "What did you say before?",
    "And the population?", "Also, how far is it from Paris?", "How long does it take?", "Give me another one.",
    "Ok, and the second one?", "Thanks! And in Italian?", "Same for Italy.", "Rewrite it as a haiku.",
]
STANDALONE = [
    "What is the capital of France?", "Explain how a heat pump works.", "Turn on the kitchen light.",
    "What time is it?", "Is it going to rain tomorrow?", "Write a haiku about autumn leaves.",
    "How many minutes are in a day?", "Set a timer for ten minutes.", "Who wrote Pride and Prejudice?",
    "Give me three tips for sleeping better at night.", "Translate 'good morning' into Spanish.",
    "Summarize the plot of Hamlet in two sentences.", "What is the boiling point of water in Fahrenheit?",
    "Add milk to the shopping list.", "How do I reset a forgotten Wi-Fi password on a router?",
    "Remind me to call the plumber at 5 pm.", "What are the main causes of inflation in a modern economy?",
]


@pytest.mark.parametrize("text", FOLLOW_UPS)
def test_a_follow_up_is_read_as_one(text: str) -> None:
    assert follows_up(text)


@pytest.mark.parametrize("text", STANDALONE)
def test_a_request_that_stands_alone_takes_nothing_of_the_conversation(text: str) -> None:
    assert not follows_up(text)
    assert turns_needed(text, available=5) == 0


def test_how_much_goes_along() -> None:
    assert turns_needed("And of Canada?", available=0) == 0  # nothing before it
    assert turns_needed("And of Canada?", available=5) == 1  # the last exchange is what it needs
    assert turns_needed("Compare it with what you said before.", available=5) == MAX_TURNS
    assert turns_needed("Compare both.", available=2) == 2
