"""Dates of birth: a date is personal only when the text says it is a birth date.

"The invoice is due on 12.03.2025" must stay as it is; "born on 12.03.1985", "DOB: 1985-03-12",
"geboren am 12. März 1985", "née le 12/03/1985" hide the date (the context word stays, so the model
still knows a birth date was given). The date must also be a real calendar date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from device.redaction.detectors import Span

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate((
    "january jan januar janvier gennaio enero januari janeiro jänner",
    "february feb februar février fevrier febbraio febrero februari fevereiro",
    "march mar märz maerz mars marzo maart março",
    "april apr avril aprile abril",
    "may mai maggio mayo mei maio",
    "june jun juni juin giugno junio junho",
    "july jul juli juillet luglio julio julho",
    "august aug août aout agosto augustus",
    "september sep sept septembre settembre septiembre setembro",
    "october oct oktober octobre ottobre octubre outubro",
    "november nov novembre noviembre novembro",
    "december dec dezember décembre decembre dicembre diciembre dezembro",
), start=1):
    for _name in _names.split():
        _MONTHS[_name] = _number
_MONTH_ALT = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))

_DATE_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"(?P<y1>[12][0-9]{3})[-/.](?P<m1>[01]?[0-9])[-/.](?P<d1>[0-3]?[0-9])"  # 1985-03-12
    r"|(?P<a2>[0-3]?[0-9])[./-](?P<b2>[0-3]?[0-9])[./-](?P<y2>[12][0-9]{3}|[0-9]{2})"  # 12.03.1985, 03/12/85
    r"|(?P<d3>[0-3]?[0-9])(?:st|nd|rd|th|er|\.)?\s*(?:de\s+)?(?P<m3>" + _MONTH_ALT + r")\.?,?\s*(?:de\s+)?(?P<y3>[12][0-9]{3})"
    r"|(?P<m4>" + _MONTH_ALT + r")\.?\s+(?P<d4>[0-3]?[0-9])(?:st|nd|rd|th)?,?\s+(?P<y4>[12][0-9]{3})"
    r")(?![0-9A-Za-z])",
    re.IGNORECASE,
)
# Birth context before the date (at most a few short words between), in the shipped languages.
_CONTEXT_RE = re.compile(
    r"(?<![^\W\d_])(?:born|birth(?:day|date)?|d\.?o\.?b\.?|date of birth|geb(?:oren|\.)?|geburts(?:datum|tag)|"
    r"n[ée]e?|naissance|nato|nata|nascita|nacid[oa]|nac[ií]|nasci(?:do|da|)|nasceu|nacimiento|cumpleaños|"
    r"compleanno|anniversaire|urodzi\w*|född|født|syntynyt|doğum|"
    r"geboortedatum|jarig|verjaardag)"
    r"(?:[\s:,.()\-]+(?:on|in|am|le|il|el|the|is|was|op|de|:|at|est|ist|è|es|was)){0,3}[\s:,.()\-]*$",
    re.IGNORECASE,
)


# ... or right after it: "Ich bin am 3. Januar 1958 geboren", "I was 12.03.1985 born".
_AFTER_RE = re.compile(r"\s*(?i:geboren|born|né|née|nato|nata|nacid[oa]|nascid[oa]|urodzi\w*)(?![^\W\d_])")


def find_birth_dates(text: str) -> Iterator[Span]:
    for m in _DATE_RE.finditer(text):
        if _valid(m) and (_CONTEXT_RE.search(text[max(0, m.start() - 40):m.start()]) or _AFTER_RE.match(text, m.end())):
            yield Span("DATE_OF_BIRTH", m.start(), m.end())


def _valid(m: re.Match[str]) -> bool:
    g = m.groupdict()
    if g["y1"]:
        candidates = [(int(g["y1"]), int(g["m1"]), int(g["d1"]))]
    elif g["y2"]:
        year = int(g["y2"]) + (0 if len(g["y2"]) == 4 else 1900)
        a, b = int(g["a2"]), int(g["b2"])
        candidates = [(year, b, a), (year, a, b)]  # day-first or month-first: either may be meant
    elif g["y3"]:
        candidates = [(int(g["y3"]), _MONTHS[g["m3"].lower()], int(g["d3"]))]
    else:
        candidates = [(int(g["y4"]), _MONTHS[g["m4"].lower()], int(g["d4"]))]
    for year, month, day in candidates:
        try:
            dt.date(year, month, day)
        except ValueError:
            continue
        return True
    return False
