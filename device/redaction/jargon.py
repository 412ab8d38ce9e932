"""Plain-English explanations of specialist terms, as one more view for the sensitive-context classifier.

The classifier's encoder (all-MiniLM-L6-v2, 22M parameters) reads plain English well but knows little
jargon: "What do I say at the MARAC meeting? My IDVA thinks I should attend." discloses domestic abuse
to anyone who knows what a MARAC and an IDVA are, and to the encoder it is a meeting. `explain(text)`
inserts each known term's explanation after it, "the MARAC (multi-agency meeting about victims of
domestic abuse at high risk) meeting", and the classifier takes the highest score over the views
(`SensitiveClassifier.scores`). The explanation is a definition, never a statement about anyone: a
knowledge question ("what is a MARAC?") stays a knowledge question, and the model still tells the two
apart.

The glossary, ``data/jargon.tsv`` (`term<TAB>explanation`), holds terms of agencies, programmes,
unions, parties, permits, court stages, drugs, rites and communities in English, German and French,
with English explanations. It was written from general knowledge by four writers who saw none of the
project's evaluation sets; their brief's one example (MARAC, IDVA) came from a miss in the third
held-out set's half "a". A term with two or more capital letters ("SNAP", "H-1B") matches only as
written, so "snap a photo" is left alone; any other term matches in any case. Terms match whole
words, longest first. Nothing here leaves the device.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from device.redaction.glossary_file import pairs, read_data

_GLOSSARY = "jargon.tsv"
_MIN_EXPLANATION_WORDS = 2


@dataclass(frozen=True)
class Jargon:
    """The loaded glossary: explanations by term (acronyms as written, other terms lowercased) and one
    pattern per case rule."""

    exact: dict[str, str]
    folded: dict[str, str]
    pattern_exact: re.Pattern[str] | None
    pattern_folded: re.Pattern[str] | None


def is_acronym(term: str) -> bool:
    """Two or more capital letters: matched as written ("SNAP", "H-1B", "ver.di" is not one)."""
    return sum(ch.isupper() for ch in term) >= 2


def parse(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """`term<TAB>explanation` lines into (acronyms as written, other terms lowercased); the first entry
    of a term wins; blank lines, `#` comments and explanations under two words are skipped."""
    exact: dict[str, str] = {}
    folded: dict[str, str] = {}
    for term, explanation in pairs(text):
        if not term or len(explanation.split()) < _MIN_EXPLANATION_WORDS:
            continue
        if is_acronym(term):
            exact.setdefault(term, explanation)
        else:
            # as written in lowercase ("fußfessel") and as spelled without the special letters ("fussfessel")
            for key in dict.fromkeys((term.lower(), term.casefold())):
                folded.setdefault(key, explanation)
    return exact, folded


def _pattern(terms: list[str], flags: int) -> re.Pattern[str] | None:
    if not terms:
        return None
    # whole words: no letter or digit on either side; longest first, so "Chapter 13 bankruptcy" beats "Chapter 13"
    alternatives = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", flags)


def compile_jargon(text: str) -> Jargon:
    exact, folded = parse(text)
    return Jargon(exact, folded, _pattern(list(exact), 0), _pattern(list(folded), re.IGNORECASE))


@cache
def load_jargon() -> Jargon:
    """The shipped glossary."""
    return compile_jargon(read_data(_GLOSSARY))


def explain(text: str, jargon: Jargon | None = None) -> str | None:
    """`text` with each known term followed by its explanation in parentheses, or None when it holds
    no known term."""
    jargon = jargon if jargon is not None else load_jargon()
    found: list[tuple[int, int, str]] = []
    for pattern, table, fold in ((jargon.pattern_exact, jargon.exact, False),
                                 (jargon.pattern_folded, jargon.folded, True)):
        if pattern is None:
            continue
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end, _ in found):
                continue  # inside an acronym's match already explained
            key = " ".join(m.group().split())
            explanation = table.get(key.lower() if fold else key)
            if explanation is not None:
                found.append((m.start(), m.end(), explanation))
    if not found:
        return None
    out: list[str] = []
    last = 0
    for start, end, explanation in sorted(found):
        out.append(text[last:end])
        out.append(f" ({explanation})")
        last = end
    out.append(text[last:])
    return "".join(out)
