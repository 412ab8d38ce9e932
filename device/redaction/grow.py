"""Grow the model's spans to whole entities: the model often stops one word short.

A PERSON span takes in capitalised name words right next to it ("Rembrandt" before "Bosurgi",
"Mayoral" after "Cosme Rosalinda"), but never a sentence's first word, a title or a word that never
continues a name. A STREET_ADDRESS span takes in the house number or street type just before it
("79805" + "Walter Inlet", "calle" + "de virgilio barrio 3") and an apartment suffix after it
("Apt. 036", "Appartamento 7").
"""

from __future__ import annotations

import re

from device.redaction.detectors import Span
from device.redaction.names import HONORIFICS, NOT_NAMES

_NAME_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_PREV_WORD_RE = re.compile(r"([^\W\d_]+(?:['’-][^\W\d_]+)*)[ \t]+$")
_NEXT_WORD_RE = re.compile(r"[ \t]+([^\W\d_]+(?:['’-][^\W\d_]+)*)")
_LEFT_ADDR_RE = re.compile(
    r"(?:\b[0-9]{1,6}[a-zA-Z]?,?\s+|\b(?i:rue|avenue|boulevard|chemin|place|all[ée]e|impasse|via|viale|piazza|"
    r"corso|vicolo|contrada|calle|avenida|plaza|paseo|camino|carrer|rua|pra[çc]a|travessa|ulica)\s+)$"
)
_RIGHT_ADDR_RE = re.compile(
    r"(?:,?\s+(?i:apt\.?|apartment|suite|unit|flat|#|appartamento|interno|piso|puerta|bus|app\.?|wohnung|"
    r"stiege|top)\s*[0-9]{1,5}[a-zA-Z]?)+"
)


def _name_like(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word) and word not in NOT_NAMES and word not in HONORIFICS


def _sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    return not before or before[-1] in ".!?:\n"


def grow(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    if span.type == "PERSON":
        for _ in range(2):
            m = _PREV_WORD_RE.search(text, 0, start)
            if m is None or not _name_like(m.group(1)) or _sentence_start(text, m.start(1)):
                break
            start = m.start(1)
        for _ in range(2):
            m = _NEXT_WORD_RE.match(text, end)
            if m is None or not _name_like(m.group(1)):
                break
            end = m.end(1)
    elif span.type == "STREET_ADDRESS":
        m = _LEFT_ADDR_RE.search(text, max(0, start - 16), start)
        if m is not None:
            start = m.start()
        m = _RIGHT_ADDR_RE.match(text, end)
        if m is not None:
            end = m.end()
    return span if (start, end) == (span.start, span.end) else Span(span.type, start, end)
