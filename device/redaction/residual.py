"""Defence in depth: what still looks like PII in a part after redaction.

The detectors miss things (a format nobody wrote a rule for, a number read out in a language the
normaliser does not know). Whatever they miss would escalate in the clear, so the redaction policy
looks at the *redacted* part once more for three shapes that ordinary requests rarely hold:

- a long digit run: eight or more digits, separated at most by single spaces, dots, dashes or
  slashes ("4111.1111.1111.1111" missed as a card, "0044 20 7946 0958"), once dates, times, versions
  and UUIDs are set aside: years, prices, order numbers of five or six digits, "Python 3.12",
  "10.0.19045" never count, nor does a number right after "Order", "Invoice", "version", "#";
- an ``@`` between two address characters, after normalisation, so ``＠``, ``%40`` and ``[at]`` count;
- a high-entropy token: 16+ characters of letters and digits in both cases and ~3.5+ bits per
  character (a key), or 32+ characters of hex or base64 (a digest that may be a key).

`residual_pii(text)` names the first kind it finds (never the value), or None. A kind whose entity
types the user keeps on purpose (`[redaction.actions]`: EMAIL = "keep" lets ``@`` through) is not
looked for: `KINDS` says which types each kind stands for.
"""

from __future__ import annotations

import math
import re

from device.redaction.detectors import ID_CONTEXT_RE
from device.redaction.model import PLACEHOLDER_RE
from device.redaction.normalize import normalize

MIN_DIGITS = 8
# Groups after a letter and a dash ("INV-2024-0457") are an id's, not a number's.
_DIGIT_RUN_RE = re.compile(r"(?<![\w])(?<![A-Za-z][-_./])[0-9]+(?:[ \t.\-/][0-9]+)*(?![\w])")
# Shapes that carry many digits and no PII, set aside before counting.
_NOT_PII_RES: tuple[re.Pattern[str], ...] = (
    # dates with an optional time: 2024-05-12, 2024-05-12T08:31:07, 12.03.2025 14:22, 03/12/2025
    re.compile(r"(?<![0-9])(?:[12][0-9]{3}[-/.][01]?[0-9][-/.][0-3]?[0-9]|[0-3]?[0-9][-/.][0-3]?[0-9][-/.][12][0-9]{3})"
               r"(?:[ T][0-2]?[0-9]:[0-5][0-9](?::[0-5][0-9](?:[.,][0-9]+)?)?)?(?![0-9])"),
    re.compile(r"(?<![0-9])[0-2]?[0-9]:[0-5][0-9](?::[0-5][0-9])?(?:[.,][0-9]{1,6})?(?![0-9])"),  # times
    re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"),  # UUIDs
    re.compile(r"(?i:\bv(?:ersion)?\s?|\bbuild\s|\brelease\s)[0-9]+(?:\.[0-9]+)+"),  # v2.4.1, version 16.2
    re.compile(r"(?<![0-9-])[0-9]{5}-[0-9]{4}(?![0-9-])"),  # a US ZIP+4 code: a postcode, not a person
)
_AT_RE = re.compile(r"[A-Za-z0-9._%+-]@[A-Za-z0-9-]")
_VERSION_AFTER_AT_RE = re.compile(r"[0-9]+(?:\.[0-9]+){0,2}(?![\w.])")  # "react@18.2.0", "node@20"
_TOKEN_RE = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/=_-]{16,}(?![A-Za-z0-9+/=_-])")

DIGITS = "a long digit run"
AT_SIGN = "an e-mail-like token"
ENTROPY = "a high-entropy token"
#: The entity types each kind may be a missed one of.
KINDS: dict[str, frozenset[str]] = {
    DIGITS: frozenset({"PHONE", "CARD", "IBAN", "SSN"}),
    AT_SIGN: frozenset({"EMAIL"}),
    ENTROPY: frozenset({"API_KEY"}),
}


def residual_pii(redacted: str, kept: frozenset[str] = frozenset()) -> str | None:
    """The kind of PII-like shape left in `redacted` (placeholders aside), or None; kinds standing for
    any of the `kept` entity types (left in the text on purpose) are not looked for."""
    text = normalize(PLACEHOLDER_RE.sub(" ", redacted)).text
    wanted = {kind for kind, types in KINDS.items() if not types & kept}
    if AT_SIGN in wanted and any(not _VERSION_AFTER_AT_RE.match(text, m.end() - 1) for m in _AT_RE.finditer(text)):
        return AT_SIGN
    if ENTROPY in wanted and any(_random_token(m.group()) for m in _TOKEN_RE.finditer(text)):
        return ENTROPY
    if DIGITS not in wanted:
        return None
    for pattern in _NOT_PII_RES:
        text = pattern.sub(" ", text)
    for m in _DIGIT_RUN_RE.finditer(text):
        if _long_digit_run(m.group()) and not ID_CONTEXT_RE.search(text, max(0, m.start() - 24), m.start()):
            return DIGITS  # ... unless "Order", "Invoice", "version", "#" say it is an id
    return None


def _long_digit_run(run: str) -> bool:
    groups = re.split(r"[ \t.\-/]", run)
    # a lone digit ends a number: "HTTP/1.1 200 1834 0.042s" is several (a "+1" country code is
    # not counted either: the rest of a phone number is long enough without it)
    longest = count = 0
    for group in groups:
        count = 0 if len(group) == 1 else count + len(group)
        longest = max(longest, count)
    if longest < MIN_DIGITS:
        return False
    # "10.0.19045.3803", "20240611.3": dotted groups of one or two digits are versions and builds
    dotted = "." in run and not re.search(r"[ \t\-/]", run)
    return not (dotted and any(len(g) <= 2 for g in groups))


def _random_token(token: str) -> bool:
    letters = sum(c.isalpha() for c in token)
    digits = sum(c.isdigit() for c in token)
    if not letters or not digits:
        return False
    bits = _entropy(token)
    mixed_case = any(c.islower() for c in token) and any(c.isupper() for c in token)
    return (mixed_case and bits >= 3.5) or (len(token) >= 32 and bits >= 3.5)


def _entropy(token: str) -> float:
    counts: dict[str, int] = {}
    for c in token:
        counts[c] = counts.get(c, 0) + 1
    n = len(token)
    return -sum(k / n * math.log2(k / n) for k in counts.values())
