"""Generalise a request that discloses something sensitive: the same question, about someone else.

"My HIV test came back positive. Do I have to tell my new employer?" becomes "Someone's HIV test
came back positive. Do they have to tell their new employer?": the point of the question stays
(the cloud can answer it well), the link to the device's owner goes. The first mention of the
user becomes "someone" (with its verb in the singular), every later one "they"/"their"/"them"
(plural verbs); relatives stay relatives of that someone ("my son" -> "their son").

Rules, not a model: the rewrite is predictable, shown in the trace, and checked: a rewrite that
still holds a first-person word is refused (None), and the step then stays on the device. English
only; other languages are refused the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# first person -> (first mention, later mentions)
_SUBJECT = ("someone", "they")
_OBJECT = {"me": ("someone", "them"), "myself": ("themselves", "themselves"), "us": ("them", "them"),
           "ourselves": ("themselves", "themselves")}
_POSSESSIVE = {"my": ("someone's", "their"), "our": ("their", "their"), "mine": ("theirs", "theirs"),
               "ours": ("theirs", "theirs")}
_CONTRACTIONS = {"i'm": ("i", "am"), "i've": ("i", "have"), "i'll": ("i", "will"), "i'd": ("i", "would"),
                 "we're": ("we", "are"), "we've": ("we", "have"), "we'll": ("we", "will"), "we'd": ("we", "would")}
# verbs after a singular "someone" / a plural "they"
_BE = {"am": ("is", "are"), "was": ("was", "were"), "are": ("is", "are"), "were": ("was", "were")}
_IRREGULAR = {"have": "has", "do": "does", "go": "goes", "don't": "doesn't", "haven't": "hasn't",
              "am": "is", "aren't": "isn't", "'m": "is"}
_MODALS = frozenset({"can", "could", "should", "would", "will", "must", "might", "may", "shall", "did", "didn't", "does",
                     "can't", "couldn't", "shouldn't", "wouldn't", "won't", "had", "hadn't", "wasn't", "weren't"})
# common irregular past forms: "I found out" stays "someone found out"
_PAST = frozenset({"found", "got", "went", "lost", "took", "told", "felt", "knew", "saw", "came", "left", "made",
                   "said", "thought", "became", "began", "broke", "brought", "bought", "caught", "chose", "did",
                   "drove", "fell", "forgot", "gave", "grew", "heard", "held", "hid", "hurt", "kept", "lent", "let",
                   "met", "paid", "put", "quit", "ran", "read", "sent", "sold", "spent", "stole", "struck", "swore",
                   "threw", "understood", "woke", "won", "wrote", "had", "was", "were", "used"})
_ADVERBS = frozenset({"really", "just", "also", "still", "never", "always", "often", "recently", "actually",
                      "only", "already", "now", "finally", "sometimes", "even", "probably", "think", "feel"})
# question openers whose subject follows them: "do I" -> "does someone" / "do they"
_AUX_QUESTION = {"do": ("does", "do"), "am": ("is", "are"), "have": ("has", "have"), "was": ("was", "were"),
                 "don't": ("doesn't", "don't"), "haven't": ("hasn't", "haven't")}

_TOKEN = re.compile(r"<[A-Z_]+_\d+>|[A-Za-z]+(?:'[A-Za-z]+)?|\s+|.", re.DOTALL)
_FIRST_PERSON_LEFT = re.compile(r"\b(?:I|me|my|mine|myself|we|us|our|ours|ourselves)\b|\bI'", re.IGNORECASE)
_ENGLISH_HINT = re.compile(r"\b(?:the|a|an|to|of|and|is|do|my|I|how|what|can|should)\b", re.IGNORECASE)


@dataclass
class _Writer:
    """Rewrites tokens left to right; remembers whether "someone" was introduced."""

    out: list[str] = field(default_factory=list)
    introduced: bool = False

    def pick(self, forms: tuple[str, str]) -> str:
        word = forms[1] if self.introduced else forms[0]
        self.introduced = True
        return word


def _third_person(verb: str) -> str:
    low = verb.lower()
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    if low in _MODALS or low in _PAST or low.endswith("ed"):
        return verb
    if re.search(r"(?:s|sh|ch|x|z|o)$", low):
        return verb + "es"
    if re.search(r"[^aeiou]y$", low):
        return verb[:-1] + "ies"
    return verb + "s"


def _cap(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def generalize(text: str) -> str | None:
    """`text` about "someone" instead of the user, or None when it cannot be rewritten safely."""
    if not _FIRST_PERSON_LEFT.search(text) or not _ENGLISH_HINT.search(text):
        return None  # nothing personal to move, or not English: the caller keeps it on the device
    tokens: list[str] = []
    for tok in _TOKEN.findall(text):
        split = _CONTRACTIONS.get(tok.lower())
        if split is None:
            tokens.append(tok)
        else:  # "I'm" -> "I", " ", "am": the verb then agrees with whoever replaces "I"
            tokens += [tok[: len(split[0])], " ", split[1]]
    w = _Writer()
    i = 0
    while i < len(tokens):
        tok, low = tokens[i], tokens[i].lower()
        nxt = _next_word(tokens, i)
        if low in _AUX_QUESTION and nxt is not None and tokens[nxt] in ("I", "we"):
            # "Do I have to ..." -> "Does someone have to ..." / "Do they have to ..."
            singular = not w.introduced and tokens[nxt] == "I"
            w.out.append(_cap(_AUX_QUESTION[low][0 if singular else 1], tok))
            w.out += tokens[i + 1: nxt]
            w.out.append(w.pick(_SUBJECT) if tokens[nxt] == "I" else "they")
            w.introduced = True
            i = nxt + 1
            continue
        if tok in ("I", "We", "we"):
            # after a modal ("can I go") the verb keeps its base form, whoever the subject is
            singular = not w.introduced and tok == "I" and _previous_word(tokens, i) not in _MODALS
            word = w.pick(_SUBJECT) if tok == "I" else "they"
            w.out.append(word.capitalize() if _sentence_start(tokens, i) else word)
            i = _verb_after(tokens, i + 1, singular, w.out)
            continue
        if low in _POSSESSIVE:
            w.out.append(_cap(w.pick(_POSSESSIVE[low]), tok))
        elif low in _OBJECT:
            w.out.append(_cap(w.pick(_OBJECT[low]), tok))
        else:
            w.out.append(tok)
        i += 1
    rewritten = "".join(w.out)
    if _FIRST_PERSON_LEFT.search(rewritten):
        return None
    return rewritten


def _next_word(tokens: list[str], i: int) -> int | None:
    j = i + 1
    while j < len(tokens) and tokens[j].isspace():
        j += 1
    return j if j < len(tokens) and tokens[j][:1].isalpha() else None


def _previous_word(tokens: list[str], i: int) -> str | None:
    j = i - 1
    while j >= 0 and tokens[j].isspace():
        j -= 1
    return tokens[j].lower() if j >= 0 and tokens[j][:1].isalpha() else None


def _sentence_start(tokens: list[str], i: int) -> bool:
    j = i - 1
    while j >= 0 and tokens[j].isspace():
        j -= 1
    return j < 0 or tokens[j] in (".", "!", "?", "\n", ":", ";", '"')


def _verb_after(tokens: list[str], i: int, singular: bool, out: list[str]) -> int:
    """Copy spaces and adverbs after a subject, then its verb in agreement; the index after it."""
    while i < len(tokens):
        tok = tokens[i]
        if tok.isspace() or tok.lower() in _ADVERBS:
            out.append(tok)
            i += 1
            continue
        low = tok.lower()
        if low in _BE:
            out.append(_BE[low][0 if singular else 1])
        elif tok[:1].isalpha() and not tok.startswith("<"):
            out.append(_third_person(tok) if singular else tok)
        else:
            out.append(tok)
        return i + 1
    return i
