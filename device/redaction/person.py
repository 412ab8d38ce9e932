"""Rule-based PERSON detection (v1): titles, a first-name gazetteer, and echoes of known names.

Three rules, each cheap and predictable:
1. a title ("Dr.", "Frau", "M.", "Sra.") followed by capitalised name tokens -> the name tokens;
2. a known first name followed by one or two capitalised surname tokens (particles such as
   "van der" allowed in between) -> the whole name; a first name alone is not enough;
3. once a name is known (in this text or earlier in the conversation's vault), later mentions
   of it, or of its parts ("Anna", "Keller"), are redacted too, so they cannot leak on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from device.redaction.detectors import Span
from device.redaction.names import FIRST_NAMES, HONORIFICS, NOT_NAMES, PARTICLES

# Letters only (any script), with inner apostrophes or hyphens: "O'Brien", "Keller-Schmidt".
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_INLINE_SPACE_RE = re.compile(r"[ \t\u00a0]+")
_TITLE_GAP_RE = re.compile(r"\.?[ \t\u00a0]+")
_POSSESSIVE = ("'s", "’s")
_MAX_NAME_TOKENS = 3  # "Anna Maria Keller"; particles do not count
_MIN_ECHO_LEN = 3


def _is_name_token(word: str) -> bool:
    """Capitalised, not all caps ("API"), and not a word that never continues a name."""
    return word[0].isupper() and any(c.islower() for c in word) and word not in NOT_NAMES


def _is_first_name(word: str) -> bool:
    return word in FIRST_NAMES or word.split("-", 1)[0] in FIRST_NAMES  # "Anna-Lena", "Jean-Luc"


def _gap(text: str, end: int, start: int, pattern: re.Pattern[str] = _INLINE_SPACE_RE) -> bool:
    return pattern.fullmatch(text, end, start) is not None


def _take_name(text: str, words: list[re.Match[str]], i: int, max_tokens: int) -> int | None:
    """Index of the last word of a name starting at words[i], or None if words[i] starts none."""
    last, taken, j = None, 0, i
    while j < len(words) and taken < max_tokens:
        if j > i and not _gap(text, words[j - 1].end(), words[j].start()):
            break
        word = words[j].group()
        if word in PARTICLES and last is not None:
            j += 1  # only kept if a capitalised token follows
            continue
        if not _is_name_token(word):
            break
        last, taken = j, taken + 1
        j += 1
    return last


def _strip_possessive(text: str, start: int, end: int) -> int:
    if text.endswith(_POSSESSIVE, start, end) and end - start > 2:
        return end - 2
    return end


def _is_title(text: str, word: re.Match[str]) -> bool:
    # "M" (Monsieur) only with its dot, or every initial would start a name.
    return word.group() in HONORIFICS or (word.group() == "M" and text.startswith(".", word.end()))


def _after_titles(text: str, words: list[re.Match[str]], i: int) -> int | None:
    """Index of the first word after a chain of titles at words[i] ("Prof. Dr. Keller"), or None."""
    j = i
    while j < len(words) and _is_title(text, words[j]):
        if j + 1 == len(words) or not _gap(text, words[j].end(), words[j + 1].start(), _TITLE_GAP_RE):
            return None
        j += 1
    return j if j > i else None


def find_persons(text: str, known: Iterable[str] = ()) -> Iterator[Span]:
    """PERSON spans in `text`; `known` are names already in the vault from earlier turns."""
    words = list(_WORD_RE.finditer(text))
    found: list[str] = []
    i = 0
    while i < len(words):
        first: int | None = _after_titles(text, words, i)  # rule 1: the name after the title(s)
        last = None if first is None else _take_name(text, words, first, _MAX_NAME_TOKENS)
        if first is None and _is_first_name(words[i].group()):
            # rule 2: a first name directly followed by at least one surname token
            last = _take_name(text, words, i, _MAX_NAME_TOKENS)
            first = i if last is not None and last > i else None
        if first is None or last is None:
            i += 1
            continue
        start = words[first].start()
        end = _strip_possessive(text, start, words[last].end())
        found.append(text[start:end])
        yield Span("PERSON", start, end)
        i = last + 1
    yield from _echoes(text, [*found, *known])


def _echoes(text: str, names: list[str]) -> Iterator[Span]:
    """Whole-word mentions of known names and of their parts (first name, surname)."""
    needles = set(names)
    for name in names:
        for part in _WORD_RE.findall(name):
            if len(part) >= _MIN_ECHO_LEN and part not in PARTICLES and _is_name_token(part):
                needles.add(part)
    needles.discard("")
    if not needles:
        return
    # Longest first, so "Anna Keller" is preferred over "Anna" at the same position.
    alternation = "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True))
    for m in re.finditer(rf"(?<!\w)(?:{alternation})(?!\w)", text):
        yield Span("PERSON", m.start(), m.end())
