"""Due times and durations as people say them, English and German, to aware datetimes and seconds.

`parse_when(text, now)` reads a whole phrase ("on Friday", "Friday at 9", "tomorrow at 6:30", "in an
hour and a half", "December 24 at noon", "tonight", "2025-12-24T18:00", "am Freitag um 9") and
`find_when(text, now)` finds the longest such phrase inside a request ("remind Anna that the boiler
service is on Friday"). `parse_duration(text)` reads lengths ("5 minutes", "1h30", "an hour and a
half", "a minute and 20 seconds", "anderthalb Stunden").

How a phrase becomes a time (`now` fixes the zone and "today"):

* a date without a time takes `default_time` (09:00) or its part of the day ("Friday evening": 19:00);
* a time without a date is today, or tomorrow when it has passed ("at 6:30" at 07:00: tomorrow);
* a weekday ("Friday", "on Friday", "next Friday") is the next one after today, never today;
  "this Friday" is the one of this week (today, if the time is still ahead);
* "on the 5th" is the next 5th still ahead; "December 24" this year, or next year once it passed;
* "in 10 minutes" counts real time from `now`; "in 3 days" (whole days) keeps the wall-clock time,
  also across a DST change;
* "at 7" with "evening", "tonight", "afternoon" or "pm" means 19:00; "at 12 am" is midnight;
* a wall-clock time that a DST change skips (02:30 on the spring-forward night) becomes the same
  distance past the change (03:30); one it repeats is the first (summer time) occurrence;
* a date given in full (ISO, or with its year) that has passed is refused, not moved.

Anything else in the phrase than its parts and small words ("on", "at", "the", "um", "am", "uhr")
raises `BadTime` with the words that were not understood (`.text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from device.errors import BadTime
from device.personal import when_words as w

HINT = ("say e.g. 'on Friday', 'Friday at 9', 'tomorrow at 6:30', 'in 10 minutes', 'December 24 at noon' "
        "or '2025-12-24 18:00'")
DURATION_HINT = "say e.g. '5 minutes', '1h30', 'an hour and a half', '90 seconds'"
MAX_SPAN_WORDS = 9
"""`find_when` looks at phrases of up to this many words."""


# -- durations --------------------------------------------------------------------------------------

def _duration_tokens(text: str) -> list[str]:
    text = text.casefold().replace("-", " ")
    return re.findall(r"\d+(?:[.,]\d+)?|[^\W\d_]+", text)


def _number(tokens: list[str], i: int) -> tuple[float, int] | None:
    """A number phrase at tokens[i]: digits, words ("twenty five", "fünfundzwanzig"), "a"/"an",
    fractions ("half", "a quarter", "anderthalb"), and "N and a half"; returns (value, next index)."""
    if i >= len(tokens):
        return None
    t = tokens[i]
    value: float
    if re.fullmatch(r"\d+(?:[.,]\d+)?", t):
        value, j = float(t.replace(",", ".")), i + 1
    elif t in w.FRACTIONS:
        value, j = w.FRACTIONS[t], i + 1
    elif t in w.ARTICLE_ONE or t in ("eine", "ein", "einer", "einen"):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if nxt in w.FRACTIONS:
            value, j = w.FRACTIONS[nxt], i + 2
        else:
            value, j = 1.0, i + 1
    elif t in w.TENS:
        value, j = float(w.TENS[t]), i + 1
        if j < len(tokens) and tokens[j] in w.ONES and 0 < w.ONES[tokens[j]] < 10:
            value, j = value + w.ONES[tokens[j]], j + 1
    elif t in w.ONES:
        value, j = float(w.ONES[t]), i + 1
    elif m := re.fullmatch(r"(\w+?)und(\w+)", t):  # German "fünfundzwanzig"
        ones, tens = w.ONES.get(m[1]), w.TENS.get(m[2])
        if ones is None or tens is None:
            return None
        value, j = float(tens + ones), i + 1
    else:
        return None
    if j < len(tokens) and tokens[j] in ("quarter", "quarters") and value >= 1:  # "three quarters of an hour"
        return value * 0.25, j + 1
    # "one and a half hours", "zwei und eine halbe Stunde"
    rest = tokens[j:j + 3]
    if value >= 1 and rest[:1] in (["and"], ["und"]):
        if rest[1:2] and rest[1] in ("half", "halb") and _unit(tokens, j + 2):
            return value + 0.5, j + 2
        if rest[1:3] and rest[1] in ("a", "eine", "ein") and rest[2] in ("half", "halbe", "halb") \
                and _unit(tokens, j + 3):
            return value + 0.5, j + 3
    return value, j


def _unit(tokens: list[str], i: int) -> tuple[int, int] | None:
    j = i
    while j < len(tokens) and tokens[j] in ("of", "an", "a", "eine", "einer"):  # "a quarter of an hour"
        j += 1
    if j < len(tokens) and tokens[j] in w.UNITS:
        return w.UNITS[tokens[j]], j + 1
    return None


def parse_duration(text: str) -> int:
    """Whole seconds in a spoken length ("5 minutes", "an hour and a half", "1h30", "90 seconds",
    "a minute and 20 seconds", "eine halbe Stunde"); raises `BadTime` for anything else."""
    found = _duration(_duration_tokens(text))
    if found is None:
        raise BadTime(f"no length of time understood: {DURATION_HINT}", text=text)
    return found[0]


def _duration(tokens: list[str]) -> tuple[int, int] | None:
    """(seconds, the smallest unit named) or None when `tokens` are not a length of time."""
    total, last_unit, smallest, i = 0.0, 0, 0, 0
    while i < len(tokens):
        if tokens[i] in w.CONNECTORS:
            i += 1
            continue
        number = _number(tokens, i)
        if number is None:
            unit = _unit(tokens, i) if not last_unit else None  # a bare unit: "hour" = one hour
            if unit is None:
                return None
            total, last_unit, i = total + unit[0], unit[0], unit[1]
            smallest = min(smallest or unit[0], unit[0])
            continue
        value, j = number
        unit = _unit(tokens, j)
        if unit is not None:
            total, last_unit, i = total + value * unit[0], unit[0], unit[1]
        elif last_unit and value < 1:  # "an hour and a half"
            total, i = total + value * last_unit, j
        elif last_unit in w.SMALLER and value == int(value) and j == len(tokens):  # "1h30"
            total, last_unit, i = total + value * w.SMALLER[last_unit], w.SMALLER[last_unit], j
        else:
            return None
        smallest = min(smallest or last_unit, last_unit)
    seconds = round(total)
    return (seconds, smallest) if seconds > 0 else None


# -- due times ------------------------------------------------------------------------------------

@dataclass
class _Parts:
    """What a phrase said, filled in as its pieces are found."""

    date: date | None = None
    date_rule: str = ""
    """How to move a date that has passed: "year" (to next year), "month" (next month), "" (refuse)."""
    weekday: int | None = None
    weekday_this: bool = False
    hour: int | None = None
    minute: int = 0
    meridiem: str | None = None
    part: str | None = None
    relative: int | None = None
    relative_unit: int = 0
    offset: tzinfo | None = None


def _norm(text: str) -> str:
    text = text.casefold().strip()
    text = re.sub(r"\bo['’]\s?clock\b", " oclock", text)
    text = re.sub(r"\b([ap])\.\s?m\.?(?=\s|$)", r"\1m", text)
    text = re.sub(r"[!?,;]+", " ", text)
    text = re.sub(r"\.(?=\s|$)(?<!\d\.)", " ", text)  # a sentence's full stop, not "24.12."
    return " ".join(text.split())


_MONTH = "|".join(sorted(map(re.escape, w.MONTHS), key=len, reverse=True))
_WEEKDAY = "|".join(sorted(map(re.escape, w.WEEKDAYS), key=len, reverse=True))
_PART = "|".join(sorted(map(re.escape, w.PARTS_OF_DAY), key=len, reverse=True))
_NEXT = "|".join(map(re.escape, w.NEXT))
_THIS = "|".join(map(re.escape, w.THIS))
_SMALL_HOUR = "|".join(k for k, v in w.ONES.items() if 1 <= v <= 12 and k not in ("ein", "eine", "einen",
                                                                                   "einer", "einem"))
_ORD = r"(?:st|nd|rd|th|\.)"

_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{1,2}):(\d{2})(?::(\d{2}))?(z|[+-]\d{2}:?\d{2})?)?(?!\S)")
_DOTTED = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?!\d)")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}}){_ORD}?\s+(?:of\s+)?({_MONTH})\.?(?:,?\s+(\d{{4}}))?\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(?:the\s+)?(\d{{1,2}}){_ORD}?(?:,?\s+(\d{{4}}))?\b")
_DAY_OF_MONTH = re.compile(r"\bon\s+the\s+(\d{1,2})(?:st|nd|rd|th)?\b|\b(\d{1,2})(?:st|nd|rd|th)\b"
                           r"|\bam\s+(\d{1,2})\.(?!\d)")
_WEEKDAY_RE = re.compile(rf"\b(?:({_NEXT})\s+|({_THIS})\s+)?({_WEEKDAY})\b")
_NEXT_WEEK = re.compile(rf"\b(?:{_NEXT})\s+(?:week|woche)\b")
_IN_PART = re.compile(rf"\b(?:in\s+the|this|am|heute|tomorrow|morgen)\s+({_PART})\b")
_PART_RE = re.compile(rf"\b({_PART})\b")
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\s*(am|pm)?(?!\S*\d)")
_DOT_CLOCK = re.compile(r"\b(?:(?:at|um|gegen)\s+(\d{1,2})\.(\d{2})\b(?!\.)\s*(am|pm)?"
                        r"|(\d{1,2})\.(\d{2})\s*(am|pm|uhr)\b)")
_HOUR_MERIDIEM = re.compile(r"\b(\d{1,2})\s*(am|pm|oclock)\b")
_UHR = re.compile(r"\b(\d{1,2})\s*uhr(?:\s+(\d{1,2})\b)?")
_HALF_PAST = re.compile(rf"\b(half|quarter)\s+(past|to)\s+(\d{{1,2}}|{_SMALL_HOUR})\b")
_HALB = re.compile(rf"\bhalb\s+(\d{{1,2}}|{_SMALL_HOUR})\b")
_AT_HOUR = re.compile(rf"\b(?:at|um|gegen)\s+(\d{{1,2}}|{_SMALL_HOUR})\b(?:\s*(am|pm|oclock))?(?![:.]\d)")
_RELATIVE = re.compile(r"\b(?:in|within|innerhalb\s+von)\s+(.+)$")
_FROM_NOW = re.compile(r"^(.+?)\s+(?:from\s+now|later)\b")


def _hour(token: str) -> int:
    return int(token) if token.isdigit() else w.ONES[token]


class _Reader:
    """Takes the pieces out of a normalised phrase one pattern at a time; what is left must be filler."""

    def __init__(self, text: str) -> None:
        self.said = text
        self.text = f" {text} "
        self.parts = _Parts()

    def take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        m = pattern.search(self.text)
        if m is not None:
            self.text = self.text[:m.start()] + " " + self.text[m.end():]
        return m

    def set_date(self, day: date, rule: str) -> None:
        if self.parts.date is not None or self.parts.weekday is not None:
            raise BadTime(f"two dates in one time: {HINT}", text=self.said)
        self.parts.date, self.parts.date_rule = day, rule

    def set_time(self, hour: int, minute: int = 0, meridiem: str | None = None) -> None:
        if self.parts.hour is not None:
            raise BadTime(f"two times of day in one time: {HINT}", text=self.said)
        if not (0 <= hour <= 24 and 0 <= minute < 60) or (meridiem in ("am", "pm") and not 1 <= hour <= 12):
            raise BadTime(f"not a time of day: {HINT}", text=self.said)
        self.parts.hour, self.parts.minute, self.parts.meridiem = hour % 24, minute, meridiem

    def leftover(self) -> str:
        return " ".join(t for t in self.text.split() if t not in w.FILLER and re.search(r"\w", t))


def _read(text: str, today: date) -> _Parts:
    r = _Reader(_norm(text))
    p = r.parts
    if m := r.take(_ISO):
        r.set_date(_date(int(m[1]), int(m[2]), int(m[3]), text), "")
        if m[4]:
            r.set_time(int(m[4]), int(m[5]))
        if m[7]:
            p.offset = timezone.utc if m[7] == "z" else _offset(m[7])
    if m := r.take(_IN_PART):
        p.part = m[1]
        if m[0].split()[0] in ("tomorrow", "morgen"):
            r.set_date(today + timedelta(days=1), "")
        elif m[0].split()[0] in ("this", "heute"):
            r.set_date(today, "")
    if m := r.take(re.compile(r"\b(?:" + "|".join(map(re.escape, w.DAY_AFTER)) + r")\b")):
        r.set_date(today + timedelta(days=2), "")
    if m := r.take(_RELATIVE):
        found = _duration(_duration_tokens(_strip_time_suffix(m[1], r)))
        if found is None:
            raise BadTime(f"no length of time understood after 'in': {HINT}", text=m[1].strip())
        p.relative, p.relative_unit = found
    elif m := r.take(_FROM_NOW):
        found = _duration(_duration_tokens(m[1]))
        if found is None:
            raise BadTime(f"no length of time understood before 'from now': {HINT}", text=m[1].strip())
        p.relative, p.relative_unit = found
    if m := r.take(_NEXT_WEEK):
        r.set_date(today + timedelta(days=7), "")
    if m := r.take(_DOTTED):
        year = int(m[3]) + (2000 if m[3] and len(m[3]) == 2 else 0) if m[3] else today.year
        r.set_date(_date(year, int(m[2]), int(m[1]), text), "" if m[3] else "year")
    if m := r.take(_DAY_MONTH):
        r.set_date(_date(int(m[3] or today.year), w.MONTHS[m[2]], int(m[1]), text), "" if m[3] else "year")
    if m := r.take(_MONTH_DAY):
        r.set_date(_date(int(m[3] or today.year), w.MONTHS[m[1]], int(m[2]), text), "" if m[3] else "year")
    if m := r.take(_WEEKDAY_RE):
        if p.date is not None:
            raise BadTime(f"two dates in one time: {HINT}", text=text)
        p.weekday, p.weekday_this = w.WEEKDAYS[m[3]], bool(m[2])
    _read_clock(r)
    if m := r.take(_DAY_OF_MONTH):
        day = int(m[1] or m[2] or m[3])
        if not 1 <= day <= 31:
            raise BadTime(f"no such day of the month: {HINT}", text=text)
        r.set_date(date(today.year, today.month, 1), f"day:{day}")
    for word in r.text.split():
        if word in w.TODAY:
            r.set_date(today, "")
        elif word in w.TOMORROW:
            r.set_date(today + timedelta(days=1), "")
    r.text = " ".join(t for t in r.text.split() if t not in w.TODAY | w.TOMORROW)
    if m := r.take(_PART_RE):
        if p.part is not None:
            raise BadTime(f"two parts of the day in one time: {HINT}", text=text)
        p.part = m[1]
        if m[1] == "tonight" and p.date is None and p.weekday is None:
            r.set_date(today, "")
    if p.part in w.EXACT_PARTS:
        exact = w.PARTS_OF_DAY[p.part]
        r.set_time(exact.hour, exact.minute)
    left = r.leftover()
    if left:
        raise BadTime(f"{len(left.split())} word(s) of the time not understood: {HINT}", text=left)
    if p.relative is None and p.date is None and p.weekday is None and p.hour is None and p.part is None:
        raise BadTime(f"no date or time found: {HINT}", text=text)
    return p


def _strip_time_suffix(rest: str, r: _Reader) -> str:
    """"in 3 days at 9": the duration is "3 days"; the time goes back to the reader."""
    m = re.search(r"\s(?:at|um)\s.*$", rest)
    if m is None:
        return rest
    r.text = r.text + " " + m[0]
    return rest[:m.start()]


def _read_clock(r: _Reader) -> None:
    if m := r.take(_CLOCK):
        r.set_time(int(m[1]), int(m[2]), m[3])
    elif m := r.take(_DOT_CLOCK):
        if m[1]:
            r.set_time(int(m[1]), int(m[2]), m[3])
        else:
            r.set_time(int(m[4]), int(m[5]), None if m[6] == "uhr" else m[6])
    elif m := r.take(_HALF_PAST):
        hour, minutes = _hour(m[3]), 30 if m[1] == "half" else 15
        if m[2] == "past":
            r.set_time(hour, minutes)
        else:
            r.set_time((hour - 1) % 24, 60 - minutes)
    elif m := r.take(_HALB):
        r.set_time((_hour(m[1]) - 1) % 24, 30)
    elif m := r.take(_UHR):
        r.set_time(int(m[1]), int(m[2] or 0))
    elif m := r.take(_HOUR_MERIDIEM):
        r.set_time(int(m[1]), 0, None if m[2] == "oclock" else m[2])
    elif m := r.take(_AT_HOUR):
        r.set_time(_hour(m[1]), 0, None if m[2] in (None, "oclock") else m[2])


def _date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise BadTime(f"no such date: {HINT}", text=text) from exc


def _offset(text: str) -> tzinfo:
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _wall(day: date, at: time, tz: tzinfo) -> datetime:
    """`day` at `at` on the wall clock of `tz`, normalised through UTC (see the module docstring on DST)."""
    naive = datetime.combine(day, at)
    return naive.replace(tzinfo=tz).astimezone(timezone.utc).astimezone(tz)


def _time_of_day(p: _Parts, default_time: time) -> tuple[time, bool]:
    """The time the phrase means, and whether it was said (False: a default)."""
    if p.hour is None:
        return (w.PARTS_OF_DAY[p.part] if p.part else default_time), False
    hour = p.hour
    if p.meridiem == "pm" and hour < 12:
        hour += 12
    elif p.meridiem == "am" and hour == 12:
        hour = 0
    elif p.meridiem is None and p.part in w.PM_PARTS and hour < 12:
        hour += 12
    return time(hour, p.minute), True


def parse_when(text: str, now: datetime, *, default_time: time = time(9, 0)) -> datetime:
    """The moment `text` names, aware, in `now`'s zone (rules in the module docstring); `BadTime` if
    the phrase holds anything else, names a date that does not exist, or one that has passed."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("parse_when needs a timezone-aware `now`")
    tz = now.tzinfo
    today = now.date()
    p = _read(text, today)
    at, said = _time_of_day(p, default_time)
    if p.relative is not None:
        if p.date is not None or p.weekday is not None:
            raise BadTime(f"a date and 'in ...' in one time: {HINT}", text=text)
        days, rest = divmod(p.relative, 86400)
        if rest == 0 and p.relative_unit >= 86400:  # "in 3 days" keeps the wall-clock time (or takes the one said)
            return _wall(today + timedelta(days=days), at if said else now.time(), tz)
        if said:
            raise BadTime(f"a time of day and 'in ...' in one time: {HINT}", text=text)
        return (now.astimezone(timezone.utc) + timedelta(seconds=p.relative)).astimezone(tz)
    if p.offset is not None and p.date is not None:  # an ISO time with its own offset
        moment = datetime.combine(p.date, at, tzinfo=p.offset).astimezone(tz)
        return _ahead(moment, now, text)
    if p.weekday is not None:
        ahead = (p.weekday - today.weekday()) % 7
        if not p.weekday_this and ahead == 0:
            ahead = 7
        moment = _wall(today + timedelta(days=ahead), at, tz)
        if moment <= now:  # "this Friday" on a Friday, at a time already past: next week's
            moment = _wall(today + timedelta(days=ahead + 7), at, tz)
        return moment
    if p.date is None:  # a time of day only: today, or tomorrow once it passed
        moment = _wall(today, at, tz)
        return moment if moment > now else _wall(today + timedelta(days=1), at, tz)
    if p.date_rule.startswith("day:"):
        return _day_of_month(int(p.date_rule[4:]), today, at, now, text)
    moment = _wall(p.date, at, tz)
    if moment <= now and p.date_rule == "year":
        moment = _wall(_date(p.date.year + 1, p.date.month, p.date.day, text), at, tz)
    return _ahead(moment, now, text)


def _day_of_month(day: int, today: date, at: time, now: datetime, text: str) -> datetime:
    year, month = today.year, today.month
    for _ in range(13):
        try:
            moment = _wall(date(year, month, day), at, now.tzinfo or timezone.utc)
        except ValueError:  # no 31st this month: try the next
            moment = None
        if moment is not None and moment > now:
            return moment
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise BadTime(f"no such day of the month: {HINT}", text=text)


def _ahead(moment: datetime, now: datetime, text: str) -> datetime:
    if moment <= now:
        raise BadTime(f"that time has passed: {HINT}", text=text)
    return moment


_ANCHORS = frozenset().union(w.WEEKDAYS, w.MONTHS, w.PARTS_OF_DAY, w.TODAY, w.TOMORROW, w.UNITS, w.ONES, w.TENS,
                             w.FRACTIONS, ("übermorgen", "uebermorgen", "week", "woche", "halb"))


def _anchor(word: str) -> bool:
    """Whether a due-time phrase could contain `word` as one of its parts (a digit, a weekday, ...)."""
    word = word.casefold().strip(".,!?;:()")
    return any(c.isdigit() for c in word) or word in _ANCHORS or "und" in word


_GLUE = frozenset().union(w.FILLER, w.NEXT, w.THIS, w.CONNECTORS, w.ARTICLE_ONE, w.DAY_AFTER[0].split(), (
    "am", "pm", "a.m", "p.m", "o'clock", "o’clock", "past", "to", "quarter", "now", "later", "within",
    "innerhalb", "von", "einer", "einen", "eine", "ein", "früh", "frueh"))


def _glue(word: str) -> bool:
    """Whether `word` may stand in a due-time phrase without being a part of it ("at", "on", "next")."""
    return word.casefold().strip(".,!?;:()") in _GLUE


_NOT_FIRST = w.FILLER - {"at", "on", "in", "um", "am", "the", "this", "gegen", "around", "about", "ca"}
_NOT_LAST = w.FILLER - {"oclock", "uhr"}


@dataclass(frozen=True)
class WhenMatch:
    """A due-time phrase found in a longer text: `text[start:end]` means `due`."""

    start: int
    end: int
    due: datetime


def find_when(text: str, now: datetime, *, default_time: time = time(9, 0)) -> WhenMatch | None:
    """The longest phrase in `text` that `parse_when` reads (the last one of that length), or None."""
    words = [(m.start(), m.end() - len(m[0]) + len(m[0].rstrip(".,!?;:"))) for m in re.finditer(r"\S+", text)]
    anchored = [_anchor(text[a:b]) for a, b in words]
    timeish = [anchor or _glue(text[a:b]) for anchor, (a, b) in zip(anchored, words)]
    for length in range(min(MAX_SPAN_WORDS, len(words)), 0, -1):
        for first in range(len(words) - length, -1, -1):
            # Cheap checks first: a phrase needs a word to hang on, and no word foreign to times.
            if not any(anchored[first:first + length]) or not all(timeish[first:first + length]):
                continue
            start, end = words[first][0], words[first + length - 1][1]
            span = text[start:end]
            said = span.casefold().split()
            if said[0] in _NOT_FIRST or said[-1] in _NOT_LAST:  # "morgen um 7 an den": the phrase ends at 7
                continue
            try:
                due = parse_when(span, now, default_time=default_time)
            except BadTime:
                continue
            return WhenMatch(start, end, due)
    return None


@dataclass(frozen=True)
class DurationMatch:
    """A length of time found in a longer text: `text[start:end]` is `seconds` long."""

    start: int
    end: int
    seconds: int


def find_duration(text: str) -> DurationMatch | None:
    """The longest length of time in `text` ("start a 1 hour and 15 minute timer": 4500 s), or None."""
    words = [(m.start(), m.end() - len(m[0]) + len(m[0].rstrip(".,!?;:"))) for m in re.finditer(r"\S+", text)]
    for length in range(min(MAX_SPAN_WORDS, len(words)), 0, -1):
        for first in range(len(words) - length, -1, -1):
            start, end = words[first][0], words[first + length - 1][1]
            tokens = _duration_tokens(text[start:end])
            if not tokens or tokens[0] in w.CONNECTORS or tokens[-1] in w.CONNECTORS:
                continue
            found = _duration(tokens)
            if found is not None:
                return DurationMatch(start, end, found[0])
    return None
