"""Is an answer right, by each kind's own key.

* `mc`: the first option letter the answer gives ("B", "B)", "The answer is B", "(b)"); an answer
  that repeats one option's text and no letter counts as that option.
* `number`: the number after "Answer:" (else the last number in the text) equals the gold number.
* `short`: SQuAD-style normalisation (lower case, no punctuation or articles); right when a gold
  answer appears in the answer as a whole phrase (short answers wrap it in a sentence).
* `command`: the intent and every slot equal (strings case-insensitively, numbers as numbers).
"""

from __future__ import annotations

import re
import string
from typing import Any

from harness.eval.route.items import LETTERS, Item

_LETTER = re.compile(r"(?:^|[\s(\[*:])([A-H])(?:[).\]:*,]|\s|$)")
_ANSWER_NUMBER = re.compile(r"answer\s*(?:is)?\s*:?\s*\$?\s*(-?[\d,]*\.?\d+)", re.IGNORECASE)
_NUMBER = re.compile(r"-?[\d,]*\.?\d+")
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")


def correct(item: Item, answer: Any) -> bool:
    if item.kind == "command":
        return _command_right(answer, item.gold)
    text = answer if isinstance(answer, str) else ""
    if item.kind == "mc":
        return mc_letter(text, item.choices) == str(item.gold).strip().upper()
    if item.kind == "number":
        got = final_number(text)
        return got is not None and _same_number(got, str(item.gold))
    golds = item.gold if isinstance(item.gold, list) else [item.gold]
    said = f" {normalise(text)} "
    return any(normalise(str(g)) and f" {normalise(str(g))} " in said for g in golds)


def mc_letter(text: str, choices: tuple[str, ...] = ()) -> str | None:
    valid = LETTERS[: len(choices)] if choices else LETTERS[:4]
    text = re.sub(r"\(([a-h])\)", lambda m: f"({m.group(1).upper()})", text)  # "(c)" is an option too
    for m in _LETTER.finditer(text.strip()):
        if m.group(1) in valid:
            return m.group(1)
    said = normalise(text)
    hits = [LETTERS[i] for i, c in enumerate(choices) if normalise(c) and normalise(c) in said]
    return hits[0] if len(hits) == 1 else None


def final_number(text: str) -> str | None:
    m = _ANSWER_NUMBER.findall(text)
    if m:
        return m[-1].replace(",", "")
    numbers = _NUMBER.findall(text)
    return numbers[-1].replace(",", "") if numbers else None


def _same_number(a: str, b: str) -> bool:
    try:
        return abs(float(a) - float(b)) < 1e-6
    except ValueError:
        return False


def normalise(text: str) -> str:
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    return " ".join(_ARTICLES.sub(" ", text).split())


def _value(v: Any) -> Any:
    if isinstance(v, str):
        return v.strip().casefold()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _command_right(answer: Any, gold: Any) -> bool:
    if not isinstance(answer, dict) or not isinstance(gold, dict):
        return False
    if answer.get("intent") != gold.get("intent"):
        return False
    got, want = answer.get("slots") or {}, gold.get("slots") or {}
    return {k: _value(v) for k, v in got.items()} == {k: _value(v) for k, v in want.items()}
