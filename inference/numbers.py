"""The numbers a request states, as values: what a number argument may be copied from.

A model fills `years: 5` from "five years", `rate: 0.05` from "5%", `population: 213000000` from "213
million" and `charge: 1e-09` from "1e-9"; a check that looks for the digits "0.05" or "213000000" in
the text calls all of these invented. `numbers_in` reads digits (with thousands separators, decimals,
exponents), English number words up to the hundreds ("twenty-one", "a dozen"), a scale word after
either ("million", "k"), and a percentage also as its fraction.
"""

from __future__ import annotations

import math
import re

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
          "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "dozen": 12, "twice": 2, "once": 1,
          "single": 1, "double": 2, "triple": 3, "half": 0.5, "quarter": 0.25}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9,
           "bn": 1e9, "b": 1e9, "trillion": 1e12}
_DIGITS = re.compile(r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\d])")
_WORD = re.compile(r"[a-z]+")
_SCALE_AFTER = re.compile(r"\s*(hundred|thousand|million|billion|trillion|mn|bn|k|m|b)\b", re.IGNORECASE)
_PERCENT_AFTER = re.compile(r"\s*(?:%|percent\b|per cent\b)", re.IGNORECASE)


def numbers_in(text: str) -> set[float]:
    """Every number `text` states, as a float (see the module docstring)."""
    found: set[float] = set()
    for m in _DIGITS.finditer(text):
        number = float(m.group().replace(",", "").replace("−", "-"))
        found.add(number)
        _scaled_and_percent(text, m.end(), number, found)
    spoken = text.lower().replace("-", " ")
    words = [(w.group(), w.end()) for w in _WORD.finditer(spoken)]
    i = 0
    while i < len(words):
        value, end, i = _spelled(words, i)
        if value is None:
            continue
        found.add(value)
        _scaled_and_percent(spoken, end, value, found)
    return found


def _spelled(words: list[tuple[str, int]], i: int) -> tuple[float | None, int, int]:
    """The number spelled from words[i] on ("twenty one", "three hundred"): (value, end offset, next index)."""
    word, end = words[i]
    if word in _TENS:
        value: float = _TENS[word]
        if i + 1 < len(words) and words[i + 1][0] in _UNITS and _UNITS[words[i + 1][0]] < 10:
            return value + _UNITS[words[i + 1][0]], words[i + 1][1], i + 2
        return value, end, i + 1
    if word in _UNITS:
        value = _UNITS[word]
        if word in ("dozen", "half", "quarter") and i > 0 and words[i - 1][0] in ("a", "an"):
            return value, end, i + 1
        if i + 1 < len(words) and words[i + 1][0] == "hundred":
            return value * 100, words[i + 1][1], i + 2
        return value, end, i + 1
    return None, end, i + 1


def _scaled_and_percent(text: str, end: int, value: float, found: set[float]) -> None:
    scale = _SCALE_AFTER.match(text, end)
    if scale is not None:
        found.add(value * _SCALES[scale.group(1).lower()])
    if _PERCENT_AFTER.match(text, end) is not None:
        found.add(round(value / 100, 12))


def states_number(value: float, text: str) -> bool:
    """Whether `text` states `value` (see `numbers_in`), to a relative 1e-9."""
    return any(math.isclose(value, n, rel_tol=1e-9, abs_tol=1e-12) for n in numbers_in(text))


__all__ = ["numbers_in", "states_number"]
