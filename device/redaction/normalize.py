"""Normalise before detecting, so that disguised PII looks like PII; spans map back to the original.

Users (and pasted logs) hide identifiers without meaning to, or on purpose: a full-width `＠` or
full-width digits, zero-width spaces inside a phone number, `%40` in a URL, `name[at]domain[dot]com`,
`sam dot whitaker at proton dot me`, a phone number read out as "five five five, one two three four".
The detectors are written for the plain forms, so the redactor runs them on a normalised copy:

1. NFKC per character cluster (full-width forms, ligatures, `﹫`), zero-width and bidi controls and
   soft hyphens dropped;
2. percent-encoding decoded (`%40` -> `@`, `J%C3%BCrgen` -> `Jürgen`);
3. `[at]`, `(at)`, `{at}`, `<at>` and `[dot]`... in any of the shipped languages' words (`ät`,
   `arobase`, `punkt`, `point`, ...) become `@` and `.`; so do bare `at`/`dot` words where they
   clearly spell an e-mail address (`x at y dot com`, `x.y at y.com`) or an IP (`10 dot 0 dot 0 dot 1`);
4. runs of spelled digits (EN, DE, FR incl. 0-99, IT, ES, NL) become digits.

`Normalized` keeps, for every character of the normalised text, the range of original characters it
came from, so `span()` turns a detection back into offsets of the text the user typed: the
placeholder replaces exactly what the user wrote, and `tandem redact --jsonl` offsets stay offsets
into its input. Text that needs none of this (almost all of it) is returned as it is, with no map.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# Zero-width and bidi controls, soft hyphen, word joiner, BOM: invisible, and each splits a match.
INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
_ASCII_PLAIN_RE = re.compile(r"%[0-9A-Fa-f]{2}|(?i:\b(?:at|dot|arobase|arroba|chiocciola|apenstaartje|klammeraffe)\b)|"
                             r"[\[({<]\s*@")
_DIGIT_WORD_HINT_RE = re.compile(
    r"(?i:\b(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|null|eins|zwei|drei|vier|fünf|sechs|sieben|"
    r"acht|neun|zéro|deux|trois|quatre|cinq|sept|huit|neuf|uno|due|tre|quattro|cinque|sei|sette|otto|nove|cero|"
    r"dos|cuatro|cinco|seis|siete|ocho|nueve|nul|een|twee|drie|vijf|zes|zeven|negen)\b)"
)

_AT_WORDS = r"at|ät|arobase|arroba|chiocciola|apenstaartje|klammeraffe|@"
_DOT_WORDS = r"dot|punkt|point|punto|punt|\."
# "[at]", "(at)", "{ at }", "<at>": always an obfuscated "@" (or "."), spaces around it included.
_BRACKETED_AT_RE = re.compile(r"\s*[\[({<]\s*(?i:" + _AT_WORDS + r")\s*[\])}>]\s*")
_BRACKETED_DOT_RE = re.compile(r"\s*[\[({<]\s*(?i:" + _DOT_WORDS + r")\s*[\])}>]\s*")
# A bare "at"/"dot" only where an address is clearly spelled: local part, "at", a domain whose last
# label is a TLD; with a spelled "dot" somewhere, or a local part that no sentence word looks like.
_LOCAL = r"[A-Za-z0-9_%+-]+(?:(?:\.|\s+(?i:dot|punkt|point|punto|punt)\s+)[A-Za-z0-9_%+-]+)*"
_SPELLED_DOT = r"\s+(?i:dot|punkt|point|punto|punt)\s+"
_DOMAIN = r"[A-Za-z0-9-]+(?:(?:\." + r"|" + _SPELLED_DOT + r")[A-Za-z0-9-]+)*(?:\.|" + _SPELLED_DOT + r")[A-Za-z]{2,24}"
_SPELLED_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9_%+.@-])(?P<local>" + _LOCAL + r")\s+(?i:at|ät|arobase|arroba|chiocciola|apenstaartje)\s+"
    r"(?P<domain>" + _DOMAIN + r")(?![A-Za-z0-9-]|\.[A-Za-z0-9])"
)
_DOT_NAMES = frozenset({"dot", "punkt", "point", "punto", "punt"})
_SPELLED_SEP_RE = re.compile(r"\s+(?i:(?P<at>at|ät|arobase|arroba|chiocciola|apenstaartje)|dot|punkt|point|punto|punt)\s+")
# "10 dot 0 dot 0 dot 1" -> "10.0.0.1"
_SPELLED_IP_RE = re.compile(r"(?<![0-9.])[0-9]{1,3}(?:" + _SPELLED_DOT + r"[0-9]{1,3}){3}(?![0-9])")
_PERCENT_RE = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
# "nadia . karimi@..." -> "nadia.karimi@...": spaces around a dot inside an address's local part
_SPACED_DOT_RE = re.compile(r"(?<=[A-Za-z0-9])\s+\.\s+(?=[A-Za-z0-9._%+-]+@[A-Za-z0-9])")

# Spelled digits. Words of one digit per language; "double"/"triple" repeat the next one.
_DIGITS: dict[str, str] = {}
for _lang in (
    "zero one two three four five six seven eight nine",
    "null eins zwei drei vier fünf sechs sieben acht neun",
    "zéro un deux trois quatre cinq six sept huit neuf",
    "zero uno due tre quattro cinque sei sette otto nove",
    "cero uno dos tres cuatro cinco seis siete ocho nueve",
    "nul een twee drie vier vijf zes zeven acht negen",
):
    for _value, _word in enumerate(_lang.split()):
        _DIGITS.setdefault(_word, str(_value))
_DIGITS.update({"oh": "0", "o": "0", "zwo": "2", "zero": "0", "zéro": "0", "fuenf": "5"})


def _french_pairs() -> dict[str, str]:
    """French reads phone numbers in pairs ("zéro six, douze, trente-quatre"): the words for 10-99."""
    units = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize"]
    words = {w: f"{i:02d}" for i, w in enumerate(units) if i >= 10}
    words.update({"dix-sept": "17", "dix-huit": "18", "dix-neuf": "19"})
    tens = {"vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60}
    for word, ten in tens.items():
        words[word] = str(ten)
        words[f"{word} et un"] = words[f"{word}-et-un"] = str(ten + 1)
        for i in range(2, 10):
            words[f"{word}-{units[i]}"] = str(ten + i)
    for i in range(10, 20):  # 70-79: soixante-dix, soixante et onze, soixante-douze...
        base = words.get(units[i]) if i < 17 else None
        name = units[i] if base else ("dix-" + units[i - 10])
        words[f"soixante-{name}"] = str(60 + i)
    words["soixante et onze"] = words["soixante-et-onze"] = "71"
    words["quatre-vingt"] = words["quatre-vingts"] = "80"
    for i in range(1, 20):
        name = units[i] if i < 17 else "dix-" + units[i - 10]
        words[f"quatre-vingt-{name}"] = str(80 + i)
    return words


_FRENCH_PAIRS = _french_pairs()
_REPEAT = {"double": 2, "triple": 3, "doppel": 2, "doppio": 2, "doble": 2, "dubbel": 2}
_NUMBER_WORDS = sorted({*_DIGITS, *_FRENCH_PAIRS, *_REPEAT}, key=len, reverse=True)
_NUMBER_WORD_ALT = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in _NUMBER_WORDS)
_SPELLED_RUN_RE = re.compile(
    r"(?<![^\W\d_])(?i:" + _NUMBER_WORD_ALT + r")(?:[\s,;/-]{1,3}(?i:" + _NUMBER_WORD_ALT + r"))+(?![^\W\d_])"
)
_SPELLED_WORD_RE = re.compile(r"(?i:" + _NUMBER_WORD_ALT + r")(?![^\W\d_])")
MIN_SPELLED_DIGITS = 7  # "one two three" is counting; seven or more spelled digits is a number being given


#: One piece of a rewrite: new text (None: keep the characters as they are) and the [start, end)
#: range of the current text it stands for.
Piece = tuple[str | None, int, int]


@dataclass(frozen=True)
class Normalized:
    """The normalised text and, per character of it, the [start, end) of the original characters it came
    from (empty tuples when nothing changed). `spelled` lists normalised spans that were spelled digits."""

    text: str
    original: str
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()
    spelled: tuple[tuple[int, int], ...] = ()

    @property
    def identity(self) -> bool:
        return not self.starts and self.text == self.original

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the normalised span [start, end)."""
        if self.identity:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


class _Buffer:
    """Characters with the original range each came from; rewritten by regex, range by range."""

    def __init__(self, text: str) -> None:
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.spelled: list[tuple[int, int]] = []
        i = 0
        while i < len(text):
            j = i + 1
            while j < len(text) and unicodedata.combining(text[j]):
                j += 1  # a base character with its combining marks is normalised as one
            cluster = text[i:j]
            if cluster in INVISIBLE:
                i = j
                continue
            folded = cluster if cluster.isascii() else unicodedata.normalize("NFKC", cluster)
            for k, char in enumerate(folded):
                if char in INVISIBLE:
                    continue
                # one-to-one clusters keep per-character ranges; expanded ones share the cluster's
                same = len(folded) == j - i
                self.chars.append(char)
                self.starts.append(i + k if same else i)
                self.ends.append(i + k + 1 if same else j)
            i = j

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def rewrite(self, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], list[Piece]]) -> None:
        """Replace each match of `pattern` with the pieces `replace(match)` returns: (text, start, end)
        triples, the range relative to the current text (whose original range the new text takes)."""
        text = self.text
        matches = list(pattern.finditer(text))
        if not matches:
            return
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        cursor = 0
        for m in matches:
            chars += self.chars[cursor:m.start()]
            starts += self.starts[cursor:m.start()]
            ends += self.ends[cursor:m.start()]
            for piece, s, e in replace(m):
                if piece is None:  # keep the characters s..e as they are
                    chars += self.chars[s:e]
                    starts += self.starts[s:e]
                    ends += self.ends[s:e]
                    continue
                for char in piece:
                    chars.append(char)
                    starts.append(self.starts[s])
                    ends.append(self.ends[e - 1])
            cursor = m.end()
        chars += self.chars[cursor:]
        starts += self.starts[cursor:]
        ends += self.ends[cursor:]
        self.chars, self.starts, self.ends = chars, starts, ends


def normalize(text: str) -> Normalized:
    """`text` with disguises undone, and the map back to it (see the module docstring)."""
    if text.isascii() and not _ASCII_PLAIN_RE.search(text) and not _DIGIT_WORD_HINT_RE.search(text):
        return Normalized(text, text)  # the common case: nothing to undo
    buf = _Buffer(text)
    buf.rewrite(_PERCENT_RE, _decode_percent)
    buf.rewrite(_BRACKETED_AT_RE, lambda m: [("@", m.start(), m.end())])
    buf.rewrite(_BRACKETED_DOT_RE, lambda m: [(".", m.start(), m.end())])
    buf.rewrite(_SPELLED_EMAIL_RE, _spelled_email)
    buf.rewrite(_SPACED_DOT_RE, lambda m: [(".", m.start(), m.end())])
    buf.rewrite(_SPELLED_IP_RE, _spelled_ip)
    if _DIGIT_WORD_HINT_RE.search(buf.text):
        _spell_digits(buf)
    if buf.text == text and all(s == i for i, s in enumerate(buf.starts)) and len(buf.starts) == len(text):
        return Normalized(text, text)
    return Normalized(buf.text, text, tuple(buf.starts), tuple(buf.ends), tuple(buf.spelled))


def _decode_percent(m: re.Match[str]) -> list[Piece]:
    raw = m.group()
    data = bytes(int(raw[i + 1:i + 3], 16) for i in range(0, len(raw), 3))
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        return [(None, m.start(), m.end())]
    if any(not c.isprintable() for c in decoded):
        return [(None, m.start(), m.end())]
    if data.isascii():  # one escape per character: each keeps its own range
        return [(c, m.start() + 3 * i, m.start() + 3 * i + 3) for i, c in enumerate(decoded)]
    return [(decoded, m.start(), m.end())]


def _spelled_email(m: re.Match[str]) -> list[Piece]:
    whole = m.group()
    seps = list(_SPELLED_SEP_RE.finditer(whole))
    spelled_dot = any(s.group("at") is None for s in seps)
    local = m.group("local")
    if not spelled_dot and not re.search(r"[._%+0-9-]", local):
        return [(None, m.start(), m.end())]  # "look at google.com": a sentence, not an address
    labels = re.split(r"\.|" + _SPELLED_DOT, m.group("domain"))
    if any(label.lower() in _DOT_NAMES for label in labels):
        return [(None, m.start(), m.end())]  # "at home dot dot dot": no domain is called "dot"
    pieces: list[Piece] = []
    cursor = 0
    for s in seps:
        pieces.append((None, m.start() + cursor, m.start() + s.start()))
        pieces.append(("@" if s.group("at") else ".", m.start() + s.start(), m.start() + s.end()))
        cursor = s.end()
    pieces.append((None, m.start() + cursor, m.end()))
    return pieces


def _spelled_ip(m: re.Match[str]) -> list[Piece]:
    pieces: list[Piece] = []
    cursor = 0
    for s in re.finditer(_SPELLED_DOT, m.group()):
        pieces += [(None, m.start() + cursor, m.start() + s.start()), (".", m.start() + s.start(), m.start() + s.end())]
        cursor = s.end()
    pieces.append((None, m.start() + cursor, m.end()))
    return pieces


def _spell_digits(buf: _Buffer) -> None:
    """Runs of spelled digits -> digits; a comma or semicolon between words becomes a space."""
    text = buf.text
    runs = []
    for m in _SPELLED_RUN_RE.finditer(text):
        pieces: list[Piece] = []
        digits = []
        repeat = 1
        pos = m.start()
        for w in _SPELLED_WORD_RE.finditer(text, m.start(), m.end()):
            gap = text[pos:w.start()]
            if pieces and gap and any(c in ",;/" for c in gap):
                pieces.append((" ", pos, w.start()))
            word = re.sub(r"\s+", " ", w.group().lower())
            if word in _REPEAT:
                repeat = _REPEAT[word]
                pieces.append(("", w.start(), w.end()))
                pos = w.end()
                continue
            value = _FRENCH_PAIRS.get(word) or _DIGITS.get(word, "")
            value *= repeat
            repeat = 1
            digits.append(value)
            pieces.append((value, w.start(), w.end()))
            pos = w.end()
        number = "".join(digits)
        if len(number) >= MIN_SPELLED_DIGITS and not _counting(digits):
            runs.append((m.start(), m.end(), pieces))
    if runs:
        _rewrite_spelled(buf, runs)


def _rewrite_spelled(buf: _Buffer, runs: list[tuple[int, int, list[Piece]]]) -> None:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    spelled: list[tuple[int, int]] = []
    cursor = 0
    for run_start, run_end, pieces in runs:
        chars += buf.chars[cursor:run_start]
        starts += buf.starts[cursor:run_start]
        ends += buf.ends[cursor:run_start]
        first = len(chars)
        for piece, s, e in pieces:
            for char in piece or "":
                chars.append(char)
                starts.append(buf.starts[s])
                ends.append(buf.ends[e - 1])
        # the run's last character ends where its last word ended
        spelled.append((first, len(chars)))
        cursor = run_end
    chars += buf.chars[cursor:]
    starts += buf.starts[cursor:]
    ends += buf.ends[cursor:]
    buf.chars, buf.starts, buf.ends = chars, starts, ends
    buf.spelled = spelled


def _counting(digits: list[str]) -> bool:
    """"one two three four five six seven": counting, not a number."""
    values = [int(d) for d in digits if len(d) == 1]
    return len(values) == len(digits) and all(b == a + 1 for a, b in itertools.pairwise(values))
