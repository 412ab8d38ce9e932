"""Titles that introduce a name, as typed in the shipped languages: "Dr.", "Dott.ssa", "mevr.", "Doña".

A title is not personal, the name after it is: "Frau Keller" -> "Frau <PERSON_1>". Users write
compound titles ("Dott.ssa", "Sig.ra", "Prof. Dr."), Dutch and French titles in lower case
("meneer", "mevr.", "madame"), and sometimes the whole request in lower case, so `TITLE_RE` matches
all of these; `LOWER_NAME_OK` says whether the title is strong enough that a lower-case word after
it is still taken as the name ("mevrouw molen", "dr. keller").
"""

from __future__ import annotations

import re

from device.redaction.names import HONORIFICS

# Written with a dot inside: "Dott.ssa", "Sig.ra", "Dipl.-Ing.".
_COMPOUND = (r"Dott\.ssa", r"Prof\.ssa", r"Sig\.ra", r"Sig\.na", r"Dipl\.-Ing", r"Dr\.\s?med", r"Dr\.\s?rer\.\s?nat")
# Further titles beyond `names.HONORIFICS` (capitalised or not).
_MORE = ("Don", "Doña", "Dona", "Dña", "Meneer", "Mevrouw", "Mw", "Mej", "Hr", "Fr", "Avv", "Ing", "Mag", "Sir",
         "Madam", "Signorina", "Senhorita", "Pan", "Pani", "Sr", "Sres", "Mrs", "Mademoiselle")
# Long or dotted titles after which a lower-case word is still a name.
_STRONG = frozenset(w.lower() for w in (
    "Meneer", "Mevrouw", "Monsieur", "Madame", "Mademoiselle", "Signor", "Signora", "Signorina", "Señor",
    "Señora", "Senhor", "Senhora", "Doña", "Mevr", "Dhr", "Mme", "Mlle", "Dott", "Dott.ssa", "Sig.ra",
    "Sig.na", "Prof.ssa",
))
_WORDS = sorted({*HONORIFICS, *_MORE}, key=len, reverse=True)
# Lower-case forms users type: the strong titles as they are, short ones only with their dot.
_LOWER = sorted({w for w in _STRONG if "." not in w} | {"mr", "mrs", "ms", "dr", "prof", "herr", "frau", "sig", "sr",
                                                         "sra", "dhr", "mevr", "mw"}, key=len, reverse=True)
_ALT = "|".join([*_COMPOUND, *(re.escape(w) for w in _WORDS), *(re.escape(w) for w in _LOWER)])
TITLE_RE = re.compile(r"(?<![\w.])(?P<title>" + _ALT + r")(?P<dot>\.)?(?!\w)")
_GAP_RE = re.compile(r"[ \t\u00a0]+")
_NEEDS_DOT = frozenset({"mr", "mrs", "ms", "dr", "prof", "sig", "sr", "sra", "dhr", "mevr", "mw"})


def title_chain(text: str, pos: int) -> tuple[int, bool] | None:
    """After a chain of titles at `pos` ("Prof. Dr. ", "mevr. ", "M. "): (where the next word may
    start, whether a lower-case word there still counts as the name), or None when no title is at `pos`."""
    end, found, lower_ok = pos, False, False
    while True:
        m = TITLE_RE.match(text, end)
        if m is not None and m.group("title") in _NEEDS_DOT and not m.group("dot"):
            m = None  # "dr", "ms" in lower case without their dot are too often something else
        if m is None and text.startswith("M.", end) and (end == 0 or not text[end - 1].isalnum()):
            m = re.compile(r"M(?P<dot>\.)").match(text, end)  # Monsieur, only with its dot
        if m is None:
            break
        gap = _GAP_RE.match(text, m.end())
        if gap is None:
            break
        title = m.group(0).rstrip(".").lower()
        found, end = True, gap.end()
        lower_ok = lower_ok or title in _STRONG or bool(m.group("dot"))
    return (end, lower_ok) if found else None
