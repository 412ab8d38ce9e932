"""Which stored item the user meant: "complete the milk", "cancel the pasta timer", "message Anna".

People do not repeat an item as they wrote it, so a lookup goes through tiers and stops at the first
that finds anything:

1. the same words, ignoring case, punctuation and leading articles ("The Milk" = "milk");
2. the same words up to a plural ("apples" = "apple");
3. every word of one inside the other ("milk" -> "oat milk", "Anna" -> "Anna Keller");
4. a close spelling (difflib ratio >= 0.8: "bananna" -> "banana").

One candidate in a tier is the answer; several with the same text are one item said twice (the
oldest is taken); several different ones raise `AmbiguousItem` with a question naming them; none in
any tier raises `UnknownItem`. Error messages hold counts, never the user's words.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from device.errors import AmbiguousItem, UnknownItem

T = TypeVar("T")

ARTICLES = frozenset({"the", "a", "an", "some", "my", "our", "your", "der", "die", "das", "den", "dem", "ein",
                      "eine", "einen", "meine", "mein", "unsere"})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
CLOSE = 0.8


def normalize(text: str) -> str:
    """Lower-case words without punctuation or leading articles: "The Oat-Milk!" -> "oat milk"."""
    words = _WORD.findall(text.casefold())
    while len(words) > 1 and words[0] in ARTICLES:
        words.pop(0)
    return " ".join(words)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "oes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _stems(text: str) -> tuple[str, ...]:
    return tuple(_singular(w) for w in normalize(text).split())


def best_match(query: str, candidates: Sequence[T], keys: Callable[[T], Iterable[str]],
               label: Callable[[T], str], *, what: str) -> T:
    """The one candidate `query` names (see the module docstring); `keys` gives the names a
    candidate answers to, `label` how to name it in a question; `what` names the kind in errors."""
    wanted = normalize(query)
    if not wanted:
        raise UnknownItem(f"no {what} named: say which {what}")
    stems = _stems(query)

    def tier(test: Callable[[str], bool]) -> list[T]:
        return [c for c in candidates if any(test(k) for k in keys(c))]

    def by_words(key: str) -> bool:
        mine = set(_stems(key))
        return bool(mine) and (set(stems) <= mine or mine <= set(stems))

    for found in (tier(lambda k: normalize(k) == wanted), tier(lambda k: _stems(k) == stems), tier(by_words)):
        if found:
            return _one(found, label, what)
    scored = [(max((difflib.SequenceMatcher(None, wanted, normalize(k)).ratio() for k in keys(c)), default=0.0), i)
              for i, c in enumerate(candidates)]
    close = [(score, i) for score, i in scored if score >= CLOSE]
    if close:
        best = max(score for score, _ in close)
        return _one([candidates[i] for score, i in close if score >= best - 0.02], label, what)
    raise UnknownItem(f"no {what} matches what was said ({len(candidates)} on file): say it as it was stored")


def _one(found: list[T], label: Callable[[T], str], what: str) -> T:
    names = list(dict.fromkeys(label(c) for c in found))
    if len({normalize(n) for n in names}) == 1:
        return found[0]
    shown = names[:5]
    question = f"Which {what}: {', '.join(shown[:-1])} or {shown[-1]}?"
    raise AmbiguousItem(f"{len(names)} {what}s match what was said: ask which one", question=question,
                        choices=tuple(names))
