"""Templates with `{slot}` markers -> text with gold character spans.

`{person}` and `{address}` become PERSON and STREET_ADDRESS spans, the structured slots (`{email}`,
`{iban}`, `{dob}`, ...) their rule types; every other slot (`{city}`, `{product}`, `{date}`, ...) is
a look-alike that must stay untouched. A digit after a slot name (`{person2}`) is only there to make
templates readable. The template's own words of four letters or more, minus stop words, are the
words that carry the request's point: a redactor that hides them has wrecked the request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from quantize.ner.fakes import Fakes, sampler

#: slot -> gold entity type; slots not listed here are not PII.
GOLD_TYPES: dict[str, str] = {
    "person": "PERSON", "address": "STREET_ADDRESS", "email": "EMAIL", "phone": "PHONE", "card": "CARD",
    "iban": "IBAN", "ssn": "SSN", "ip": "IP", "mac": "MAC", "secret": "SECRET", "password": "SECRET",
    "dob": "DATE_OF_BIRTH", "gps": "GPS",
}
STRUCTURED: frozenset[str] = frozenset(GOLD_TYPES.values()) - {"PERSON", "STREET_ADDRESS"}
_SLOT_RE = re.compile(r"\{([a-z]+)\d?\}")
_WORD_RE = re.compile(r"[^\W\d_]{4,}")
_STOP = frozenset(["this", "that", "with", "from", "have", "your", "what", "when", "where", "which", "will", "would", "could", "should", "about", "please", "there", "their", "them", "then", "than", "into", "also", "just", "like", "some", "been", "were", "they", "want", "need", "know", "make", "sure", "help", "tell", "write", "send", "give", "find", "does", "here", "each", "more", "most", "much", "only", "over", "such", "very", "well", "dass", "eine", "einen", "einem", "einer", "bitte", "nicht", "oder", "sind", "auch", "pour", "avec", "dans", "vous", "nous", "sont", "mais", "elle", "cette", "este", "esta", "para", "como", "pero", "sono", "della", "questo", "quella", "alle", "voor", "niet", "maar", "zijn", "deze", "naar"])


@dataclass(frozen=True)
class Sample:
    text: str
    spans: tuple[tuple[str, int, int], ...]  # gold (type, start, end), in order
    locale: str
    point: tuple[tuple[int, int], ...]  # spans of the words that carry the request's point


def render(template: str, fakes: Fakes, locale: str) -> Sample:
    gen = sampler(fakes, locale)
    parts: list[str] = []
    spans: list[tuple[str, int, int]] = []
    point: list[tuple[int, int]] = []
    pos = 0
    cursor = 0
    for m in _SLOT_RE.finditer(template):
        literal = template[cursor:m.start()]
        _add_point_words(literal, pos, point)
        parts.append(literal)
        pos += len(literal)
        slot = m.group(1)
        if slot == "person":
            typed, name = fakes.person(locale)
            offset = typed.rindex(name)
            spans.append(("PERSON", pos + offset, pos + offset + len(name)))
            value = typed
        elif slot == "address":
            value = fakes.address(locale)
            spans.append(("STREET_ADDRESS", pos, pos + len(value)))
        else:
            value = gen[slot]()
            if slot in GOLD_TYPES:
                spans.append((GOLD_TYPES[slot], pos, pos + len(value)))
        parts.append(value)
        pos += len(value)
        cursor = m.end()
    literal = template[cursor:]
    _add_point_words(literal, pos, point)
    parts.append(literal)
    return Sample("".join(parts), tuple(spans), locale, tuple(point))


def _add_point_words(literal: str, base: int, out: list[tuple[int, int]]) -> None:
    for w in _WORD_RE.finditer(literal):
        if w.group().lower() not in _STOP:
            out.append((base + w.start(), base + w.end()))


def join(first: Sample, second: Sample, glue: str) -> Sample:
    shift = len(first.text) + len(glue)
    return Sample(
        first.text + glue + second.text,
        first.spans + tuple((t, s + shift, e + shift) for t, s, e in second.spans),
        first.locale,
        first.point + tuple((s + shift, e + shift) for s, e in second.point),
    )
