"""How much of a conversation a request needs: none for a request that stands on its own, the last
exchange for an elliptical follow-up ("and of Canada?", "make it shorter"), a few for one that points
further back ("compare it with what you said before").

The device model reads the conversation on the device anyway; this decides what the *cloud* gets, and
the rule is the privacy rule: the redacted context a follow-up needs, never more. A request that needs
none sends none, however long the conversation. The cues are deliberately plain (how the request starts,
its pronouns when it is short, words that point back) and are measured on hand-written follow-ups and
stand-alone requests in `tests/device/collab/test_context.py`.
"""

from __future__ import annotations

import re

MAX_TURNS = 3
"""At most so many earlier exchanges go with a follow-up."""

# starts like a continuation of what was just said
_CONTINUES = re.compile(
    r"^\s*(?:and|but|or|so|also|then|too|what about|how about|what if|and what|and how|and why|why|why not|"
    r"how come|really|are you sure|what do you mean|in what way|which one|which of (?:them|those|these)|"
    r"the (?:first|second|third|last|other|same) one|same (?:for|with|but)|again|more|another|instead|"
    r"go on|continue|keep going|elaborate|expand|explain (?:that|this|it|why|more)|tell me more|"
    r"make it|translate (?:it|that|this)|rewrite (?:it|that|this)|shorten|summari[sz]e (?:it|that|this)|"
    r"say (?:it|that) |put (?:it|that)|now (?:in|for|do|make|translate|say)|(?:ok|okay|thanks|thank you)[,.!]? )\b",
    re.IGNORECASE)
# words that refer to something said before
_PRONOUN = re.compile(r"\b(?:it|its|that|this|those|these|they|them|their|theirs|he|him|his|she|hers|one|ones|"
                      r"there|the former|the latter)\b", re.IGNORECASE)
# a pronoun that refers to nothing before it ("what time is it", "is it going to rain", "that is")
_DUMMY = re.compile(r"\b(?:what time is it|is it (?:going to|raining|cold|hot|warm|sunny|windy|late|early)|"
                    r"it(?:'s| is) (?:raining|cold|hot|warm|sunny|windy|late|early|time)|how is it going)\b",
                    re.IGNORECASE)
# points back further than the last answer
_BACK = re.compile(r"\b(?:you said|you told me|you mentioned|your (?:last |previous |first |earlier )?answer|"
                   r"(?:earlier|before|above|previous(?:ly)?|so far)\b|both|all of (?:them|those|these)|"
                   r"compare|the first (?:question|answer)|as (?:before|above))", re.IGNORECASE)
_WORD = re.compile(r"[\w'-]+")
SHORT_WORDS = 8
"""A request this short that holds a pronoun is read as a follow-up."""


def follows_up(text: str) -> bool:
    """Whether `text` (one step, redacted) can only be understood with the conversation before it."""
    if _CONTINUES.search(text) or _BACK.search(text):
        return True
    words = _WORD.findall(text)
    if len(words) <= SHORT_WORDS and _PRONOUN.search(_DUMMY.sub(" ", text)):
        return True
    # a fragment without a verb-like word of its own: "of Canada?", "in French?", "tomorrow?"
    return len(words) <= 3 and text.rstrip().endswith("?") and not re.match(
        r"\s*(?:who|what|when|where|why|how|which|is|are|do|does|can|will)\b", text, re.IGNORECASE)


def turns_needed(text: str, available: int) -> int:
    """How many of the `available` earlier exchanges (most recent first) the cloud gets with `text`."""
    if available <= 0 or not follows_up(text):
        return 0
    return min(available, MAX_TURNS if _BACK.search(text) else 1)
