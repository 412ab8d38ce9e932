"""Filling templates: who a sentence is about, verb agreement, slots, and the noise people type.

A template names its subject ``{S}`` and agrees with it through small alternatives: ``{am|is|are}``
picks by the subject's person (I / she, he, <PERSON_1> / we), ``{have|has}`` by whether it is third
person singular. ``{pos}``, ``{obj}``, ``{pron}`` are its possessive, object and subject pronouns and
``{SP}`` its possessive at first mention ("my", "my sister's", "<PERSON_1>'s"). Any other ``{name}``
is a slot, drawn from the category's lists, then from ``SLOTS``.

Subjects are who a disclosure can be about: the user, people close to them (family, partner,
friends, colleagues, neighbours, patients, clients), and redacted names (``<PERSON_1>``: the device
classifies the redacted text, and a placeholder always stands for a private person).
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Subject:
    text: str  # "I", "my wife", "<PERSON_1>"
    person: str  # "1" (I), "3" (she, he), "p" (we)
    pron: str  # I / she / he / we
    pos: str  # my / her / his / our
    obj: str  # me / her / him / us
    first: str  # possessive at first mention: my / my wife's / <PERSON_1>'s
    gender: str = ""  # "f" / "m" when the words say (my daughter, my husband), for {same_partner}, {other_partner}


ME = Subject("I", "1", "I", "my", "me", "my")
WE = Subject("we", "p", "we", "our", "us", "our")

_FEMALE = ("wife", "girlfriend", "mum", "mother", "sister", "daughter", "aunt", "grandmother", "niece",
           "best friend", "flatmate", "colleague", "neighbour", "friend", "cousin", "fiancée", "stepdaughter",
           "partner", "ex-wife", "boss", "patient", "client", "tenant", "student", "coworker", "mom")
_MALE = ("husband", "boyfriend", "dad", "father", "brother", "son", "uncle", "grandfather", "nephew",
         "best friend", "roommate", "colleague", "neighbour", "friend", "cousin", "fiancé", "stepson",
         "partner", "ex-husband", "boss", "patient", "client", "tenant", "student", "coworker", "teenage son")
_FIRST_NAMES = {"f": ("Anna", "Mira", "Sofia", "Chloe", "Leila", "Priya", "Hannah", "Julia", "Fatima", "Emma"),
                "m": ("Tom", "Jamal", "Lukas", "Mateo", "Omar", "Ben", "Rahul", "Pierre", "Jonas", "Kevin")}
_UNGENDERED = frozenset(("best friend", "flatmate", "colleague", "neighbour", "friend", "cousin", "partner", "boss",
                         "patient", "client", "tenant", "student", "coworker", "roommate"))
_GIRLFRIENDS = ("girlfriend", "wife", "fiancée", "new girlfriend")
_BOYFRIENDS = ("boyfriend", "husband", "fiancé", "new boyfriend")
_OWNERS = ("my", "my", "my", "our", "my best friend's", "my sister's", "my neighbour's")


def close_person(rng: random.Random) -> Subject:
    """Someone close to the user (or a redacted name), with pronouns of one gender."""
    female = rng.random() < 0.5
    he = ("she", "her", "her") if female else ("he", "his", "him")
    roll = rng.random()
    noun = ""
    if roll < 0.22:
        text = f"<PERSON_{rng.choice((1, 1, 1, 2, 3))}>"
    else:
        noun = rng.choice(_FEMALE if female else _MALE)
        owner = rng.choice(_OWNERS) if roll < 0.9 else "my"
        text = f"{owner} {noun}"
        if roll >= 0.8:  # "my friend <PERSON_1>", "my colleague Jamal"
            name = rng.choice(("<PERSON_1>", "<PERSON_2>", rng.choice(_FIRST_NAMES["f" if female else "m"])))
            text = f"{text} {name}"
    first = f"{text}'s"
    gendered = text.startswith(("my ", "our ")) and noun not in _UNGENDERED
    return Subject(text, "3", he[0], he[1], he[2], first, ("f" if female else "m") if gendered else "")


def subject(rng: random.Random, *, we: bool = True) -> Subject:
    roll = rng.random()
    if roll < 0.55:
        return ME
    if roll < 0.62 and we:
        return WE
    return close_person(rng)


def generic(rng: random.Random) -> Subject:
    """Nobody in particular: the subject of a general or hypothetical question."""
    text = rng.choice(("someone", "a person", "an employee", "a tenant", "a student", "a patient", "a friend",
                       "a colleague", "a woman", "a man", "a teenager", "a parent", "a worker", "a customer"))
    female = rng.random() < 0.5  # "they" would need plural verbs after a singular "someone"
    return Subject(text, "3", "she" if female else "he", "their", "them", text + "'s")


_SLOT = re.compile(r"\{([^{}]+)\}")


def fill(template: str, subj: Subject, slots: Mapping[str, Sequence[str]], rng: random.Random,
         depth: int = 0) -> str:
    """The template with its subject, agreements and slots filled (slots may hold templates)."""

    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if "|" in key:
            alts = key.split("|")
            if len(alts) == 2:
                return alts[1] if subj.person == "3" else alts[0]
            return alts[{"1": 0, "3": 1, "p": 2}[subj.person]]
        if key == "S":
            return subj.text
        if key in ("pron", "pos", "obj", "first"):
            return str(getattr(subj, key))
        if key in ("same_partner", "other_partner"):  # a partner of the subject's own or the other gender
            if not subj.gender and key == "same_partner":  # "my friend has a girlfriend" says nothing
                return rng.choice(("same-sex partner", "same-sex partner", "partner of the same sex"))
            female = (subj.gender or rng.choice("fm")) == "f"
            same = key == "same_partner"
            return rng.choice(_GIRLFRIENDS if female == same else _BOYFRIENDS)
        if key == "SP":
            return subj.first
        values = slots.get(key)
        if not values:
            raise KeyError(f"no values for slot {{{key}}} in {template!r}")
        return fill(values[rng.randrange(len(values))], subj, slots, rng, depth + 1) if depth < 4 else values[0]

    return _SLOT.sub(one, template)


def sentence_case(text: str) -> str:
    """First letter up (a placeholder or a lower-case start stays as it is if it begins with '<')."""
    text = text.strip()
    return text[:1].upper() + text[1:] if text and text[0].isalpha() else text


_CONTRACT = ((" I am ", " I'm "), ("I am ", "I'm "), (" is not ", " isn't "), (" do not ", " don't "),
             (" does not ", " doesn't "), (" have not ", " haven't "), (" we are ", " we're "), ("We are ", "We're "),
             (" cannot ", " can't "), (" I have ", " I've "), ("I have been", "I've been"))
_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


def noise(text: str, rng: random.Random) -> str:
    """How people type: contractions, no final stop, all lower case, a typo or two."""
    if rng.random() < 0.5:
        for full, short in _CONTRACT:
            if full in text and rng.random() < 0.7:
                text = text.replace(full, short)
    if rng.random() < 0.15:
        text = text.rstrip(".?!")
    if rng.random() < 0.15:
        text = _lower_keep_placeholders(text)
    if rng.random() < 0.12:
        text = _typo(text, rng)
    return text


def _lower_keep_placeholders(text: str) -> str:
    parts = re.split(r"(<[A-Z_]+_\d+>)", text)
    return "".join(p if p.startswith("<") else p.lower() for p in parts)


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    for i in rng.sample(candidates, min(len(candidates), rng.choice((1, 1, 2)))):
        w, k = words[i], rng.randrange(1, len(words[i]) - 1)
        kind = rng.random()
        if kind < 0.35:
            w = w[:k] + w[k + 1:]  # dropped letter
        elif kind < 0.7:
            w = w[:k - 1] + w[k] + w[k - 1] + w[k + 1:]  # swapped letters
        else:
            w = w[:k] + rng.choice(_KEYBOARD) + w[k:]  # extra letter
        words[i] = w
    return " ".join(words)
