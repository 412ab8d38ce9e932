"""An English word-by-word gloss of a German or French request, as one more view for the English classifiers.

The sensitive-context classifier's encoder (all-MiniLM-L6-v2) has an English WordPiece vocabulary: it
reads "I have had depression for years" and misses "Ich habe seit Jahren Depressionen". The model does
read a rough English gloss ("I have since years depressions ..."), so the device writes one and the
classifier takes the highest score over the views (`SensitiveClassifier.scores`). Nothing here leaves
the device; it is a lookup, not a translation model.

`gloss(text)` returns None for text that does not read as German or French (more of one language's
common words than of English's, at least two), or when no word was found in the glossary. Otherwise
each word is replaced by its English entry from ``data/gloss_<lang>.tsv`` (`source<TAB>english`,
lowercase sources, multi-word sources matched longest first); a French elided or hyphenated word
("j'ai", "puis-je") is tried whole, then part by part; a German compound not in the glossary
("Brustkrebs") is glossed by its longest known tail of at least four letters ("krebs"). Words not in
the glossary stay as written. Placeholders (``<PERSON_1>``) and punctuation pass through unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from device.redaction.glossary_file import pairs, read_data

LANGUAGES: tuple[str, ...] = ("de", "fr")
_MIN_MARKERS = 2
_MIN_TAIL = 4
# Common words that tell the languages apart (none of them shared by two of the three; German "die" and
# French "de" occur in English text too rarely to matter, and a text needs more of them than English words).
_MARKERS: dict[str, frozenset[str]] = {
    "en": frozenset(["the", "and", "is", "are", "i", "my", "me", "you", "of", "to", "with", "have", "has", "was", "for",
                     "not", "it", "this", "that", "what", "how", "can", "do"]),
    "de": frozenset(["ich", "mich", "mir", "mein", "meine", "meinen", "meinem", "meiner", "und", "der", "das", "ist",
                     "sind", "nicht", "mit", "habe", "hat", "bin", "wir", "uns", "unser", "unsere", "ein", "eine",
                     "einen", "seit", "auch", "wie", "kann", "darf", "muss", "soll", "möchte", "für", "auf",
                     "bei", "nach", "oder", "aber", "wenn", "dass", "weil", "die", "dem", "den", "im", "am", "zum",
                     "zur", "vom", "von", "zu", "es", "er", "sie", "ihr", "ihm", "ihn", "dich", "dir", "dein", "deine",
                     "sein", "seine", "noch", "schon", "sehr", "jetzt", "heute", "wo", "warum", "wann", "zwei",
                     "drei", "haben", "werden", "wird", "gibt", "einem", "einer", "keine", "kein", "hab"]),
    "fr": frozenset(["je", "j'", "moi", "mon", "ma", "mes", "et", "le", "la", "les", "est", "sont", "pas", "avec", "ai",
                     "suis", "nous", "notre", "nos", "un", "une", "des", "depuis", "aussi", "comment", "quoi", "peux",
                     "dois", "faut", "pour", "sur", "chez", "après", "ou", "mais", "quand", "parce", "c'est", "j'ai",
                     "qu'est-ce", "de", "à", "au", "aux", "il", "elle", "ils", "elles", "ce", "cette", "qui",
                     "que", "dans", "en", "vers", "tu", "te", "toi", "ton", "ta", "tes", "son", "sa", "ses", "leur",
                     "vous", "votre", "ne", "très", "deux", "trois", "avoir", "être", "fait", "va", "vais"]),
}
_TOKEN = re.compile(r"<[A-Z][A-Z_]*_\d+>|[^\W\d_](?:[\w'’-]*\w)?'?|\S", re.UNICODE)


@dataclass(frozen=True)
class Glossary:
    """One language's entries: `entries[source] = english`, the longest source in words, and the
    single-word sources usable as compound tails (longest first)."""

    entries: dict[str, str]
    longest: int
    tails: tuple[str, ...]


@cache
def load_glossary(lang: str) -> Glossary:
    """The shipped glossary for `lang` (one of `LANGUAGES`)."""
    if lang not in LANGUAGES:
        raise ValueError(f"no glossary for {lang!r}; there are: {', '.join(LANGUAGES)}")
    entries: dict[str, str] = {}
    for source, english in pairs(read_data(f"gloss_{lang}.tsv")):
        if source and english:
            entries.setdefault(_key(source), english)
    tails = tuple(sorted((s for s in entries if " " not in s and len(s) >= _MIN_TAIL), key=len, reverse=True))
    return Glossary(entries, max((s.count(" ") + 1 for s in entries), default=1), tails)


def language_of(text: str) -> str | None:
    """"de" or "fr" when `text` has more of that language's common words than of English's (at least
    two), else None."""
    return _language(_TOKEN.findall(text))


def _language(tokens: list[str]) -> str | None:
    # a hyphenated token counts by its parts too: "trouve-moi", "dis-moi"
    words = [part for t in tokens for part in dict.fromkeys([_key(t), *_key(t).split("-")]) if part]
    counts = {lang: sum(w in markers or w.split("'")[0] + "'" in markers for w in words)
              for lang, markers in _MARKERS.items()}
    best = max(LANGUAGES, key=lambda lang: counts[lang])
    return best if counts[best] >= _MIN_MARKERS and counts[best] > counts["en"] else None


def gloss(text: str) -> str | None:
    """The English gloss of `text` if it reads as German or French and any of its words are known."""
    tokens = _TOKEN.findall(text)
    lang = _language(tokens)
    if lang is None:
        return None
    glossary = load_glossary(lang)
    out: list[str] = []
    known = 0
    i = 0
    while i < len(tokens):
        span, english = _longest_match(tokens, i, glossary)
        if english is None:
            english = _word(tokens[i], glossary, compounds=lang == "de")
            span = 1
        if english is None:
            out.append(tokens[i])
        else:
            out.append(english)
            known += 1
        i += span
    return " ".join(out) if known else None


def _key(token: str) -> str:
    return token.lower().replace("’", "'")


def _longest_match(tokens: list[str], start: int, glossary: Glossary) -> tuple[int, str | None]:
    """The longest multi-word source starting at `start` (two words or more), as (words, english)."""
    for n in range(min(glossary.longest, len(tokens) - start), 1, -1):
        english = glossary.entries.get(" ".join(_key(t) for t in tokens[start:start + n]))
        if english is not None:
            return n, english
    return 1, None


def _word(token: str, glossary: Glossary, *, compounds: bool) -> str | None:
    """One token's gloss: whole, then its elided/hyphenated parts, then (German) its compound tail."""
    key = _key(token)
    if key in glossary.entries:
        return glossary.entries[key]
    parts = [p for p in re.split(r"(?<=')|-", key) if p]
    if len(parts) > 1:
        glossed = [glossary.entries.get(p) or glossary.entries.get(p.rstrip("'")) or p for p in parts]
        return " ".join(glossed) if any(g != p for g, p in zip(glossed, parts)) else None
    if compounds and len(key) > _MIN_TAIL:
        for tail in glossary.tails:
            if len(tail) < len(key) and key.endswith(tail):
                return glossary.entries[tail]
    return None
