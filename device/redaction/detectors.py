"""Pattern + validator detectors for structured identifiers.

Each `find_*` yields candidate `Span`s; overlaps between detectors are resolved later by the
redactor. Patterns use explicit ASCII classes (`[0-9]`, not `\\d`) because `\\d` also matches
Arabic-Indic and other digits that no checksum here understands. Phone numbers are left to
`phonenumbers`, which knows each country's numbering plan far better than a regex could.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from device.redaction.validators import (
    IBAN_LENGTHS,
    card_valid,
    iban_valid,
    ipv4_valid,
    ipv6_valid,
    ssn_valid,
)


class Span(NamedTuple):
    """A candidate detection: type and offsets into the original text."""

    type: str
    start: int
    end: int


# --- EMAIL -------------------------------------------------------------------------------------
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9_%+.-])"
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"  # local part: no leading, trailing or doubled dots
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
    r"(?![A-Za-z0-9-]|\.[A-Za-z0-9])"
)


def find_emails(text: str) -> Iterator[Span]:
    for m in _EMAIL_RE.finditer(text):
        yield Span("EMAIL", m.start(), m.end())


# --- PHONE -------------------------------------------------------------------------------------
# None parses only "+<country code>" numbers; the others cover national formats of the markets
# the device ships to. A number valid in any of them counts.
PHONE_REGIONS: tuple[str | None, ...] = (None, "US", "GB", "DE", "CH", "FR", "IT", "ES", "NL")
_MIN_PHONE_DIGITS = 7  # shorter "valid" national numbers (a 6-digit German one) are mostly ids
# Cheap gate before the (comparatively slow) matcher.
_DIGIT_RUN_RE = re.compile(rf"\d(?:[\s().\-/]*\d){{{_MIN_PHONE_DIGITS - 1},}}")
# A word like these right before a number says it is a phone number ...
_PHONE_CONTEXT_RE = re.compile(
    r"(?:phone|mobile|cell|call|tel|text|sms|whatsapp|fax|reach|ring|number|hotline|"
    r"telefon|handy|anrufen|ruf|nummer|appel+e[rz]?|t[ée]l[ée]phone|portable|num[ée]ro|"
    r"chiama|telefono|cellulare|numero|llama|tel[ée]fono|m[óo]vil|bel|telefoon|mobiel|nummer)"
    r"(?:\W{1,3}(?:at|is|me|on|under|unter|au|est|ist|es|al|op|number|nummer|no))*\W{0,3}$",
    re.IGNORECASE,
)
# ... and these say it is an order, invoice or account number that only looks like one.
_ID_CONTEXT_RE = re.compile(
    r"(?:order|invoice|ticket|ref(?:erence)?|id|no|nr|account|acct|po|tracking|case|booking|"
    r"customer|contract|policy|serial|bestellung|rechnung|kunden|facture|commande|fattura|ordine|"
    r"factura|pedido|factuur|bestelling|version|versione|versión|versie|build|release|#)\W{0,4}$",
    re.IGNORECASE,
)


def find_phones(text: str) -> Iterator[Span]:
    """Numbers `phonenumbers` calls valid: any grouping after "+"/"00", the region's own otherwise.

    Without a country prefix a digit run is only a phone number when its grouping is one the
    region uses (Leniency.STRICT_GROUPING: "Invoice 2024-000123" is a valid US number to VALID),
    and never right after "order", "invoice", "#"... A phone word ("call", "Tel.", "Handy")
    right before a number admits numbers that are merely possible (a made-up one is still PII).
    """
    if not _DIGIT_RUN_RE.search(text):
        return
    from phonenumbers import Leniency, PhoneNumberMatcher  # imported on first use: it is large

    seen: set[tuple[int, int]] = set()

    def accept(start: int, end: int) -> bool:
        return (start, end) not in seen and _plausible_phone(text, start, end) and not any(
            s < end and start < e for s, e in seen)

    for region in PHONE_REGIONS:
        for leniency in (Leniency.VALID, Leniency.STRICT_GROUPING) if region else (Leniency.VALID,):
            for match in PhoneNumberMatcher(text, region or "ZZ", leniency=leniency):
                span = (match.start, match.end)
                international = match.raw_string.lstrip("(").startswith(("+", "00"))
                if leniency == Leniency.VALID and region and not international:
                    continue  # national formats must pass STRICT_GROUPING
                before = text[max(0, span[0] - 24):span[0]]
                if not international and _ID_CONTEXT_RE.search(before):
                    continue
                if accept(*span):
                    seen.add(span)
                    yield Span("PHONE", *span)
    for m in _DIGIT_RUN_RE.finditer(text):
        if _PHONE_CONTEXT_RE.search(text[max(0, m.start() - 40):m.start()]):
            yield from _possible_phone(text, m.start(), m.end(), seen, accept)


def _possible_phone(text: str, start: int, end: int, seen: set[tuple[int, int]], accept) -> Iterator[Span]:
    from phonenumbers import Leniency, PhoneNumberMatcher

    # include a leading "+" or "(" that the digit run does not cover
    while start > 0 and text[start - 1] in "+(":
        start -= 1
    for region in PHONE_REGIONS[1:]:
        for match in PhoneNumberMatcher(text[start:end + 12], region, leniency=Leniency.POSSIBLE):
            span = (start + match.start, start + match.end)
            if accept(*span):
                seen.add(span)
                yield Span("PHONE", *span)
                return


def _plausible_phone(text: str, start: int, end: int) -> bool:
    """Enough digits, and not the tail or head of a decimal number ("47.376887")."""
    if sum(c.isdigit() for c in text[start:end]) < _MIN_PHONE_DIGITS:
        return False
    after_decimal = start >= 2 and text[start - 1] in ".," and text[start - 2].isdigit()
    before_decimal = end + 1 < len(text) and text[end] in ".," and text[end + 1].isdigit()
    return not (after_decimal or before_decimal)


# --- CARD --------------------------------------------------------------------------------------
# Either one unbroken run or groups separated by single spaces/dashes (4-4-4-4, Amex 4-6-5, ...).
_CARD_RE = re.compile(r"(?<![0-9A-Za-z_])(?:[0-9]{13,19}|[0-9]{4}(?:[ -][0-9]{2,6}){2,4})(?![0-9A-Za-z_])")


def find_cards(text: str) -> Iterator[Span]:
    # The digit groups of a valid IBAN ("DE36 3058 4480 ...", "GB91 TWAF 4459 1808 0932 11") pass
    # Luhn one time in ten; they belong to the IBAN (mod 97 over its exact length is the stronger check).
    ibans = [(s.start, s.end) for s in find_ibans(text)] if _IBAN_START_RE.search(text) else []
    for m in _CARD_RE.finditer(text):
        if any(m.start() < end and start < m.end() for start, end in ibans):
            continue
        if card_valid(re.sub(r"[ -]", "", m.group())):
            yield Span("CARD", m.start(), m.end())


# --- IBAN --------------------------------------------------------------------------------------
_IBAN_START_RE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2})[0-9]{2}")
_IBAN_CHAR_RE = re.compile(r" ?([A-Z0-9])")  # BBAN characters, optionally space-grouped


def find_ibans(text: str) -> Iterator[Span]:
    for m in _IBAN_START_RE.finditer(text):
        length = IBAN_LENGTHS.get(m.group(1))
        if length is None:
            continue
        # Take exactly as many characters as the country's IBAN has, so a BIC or word that
        # follows is never swallowed.
        compact, pos = [m.group()], m.end()
        for _ in range(length - 4):
            step = _IBAN_CHAR_RE.match(text, pos)
            if step is None:
                break
            compact.append(step.group(1))
            pos = step.end()
        else:
            if (pos == len(text) or not text[pos].isalnum()) and iban_valid("".join(compact)):
                yield Span("IBAN", m.start(), pos)


# --- IP ----------------------------------------------------------------------------------------
_IPV4_RE = re.compile(r"(?<![0-9A-Za-z.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9A-Za-z]|\.[0-9])")
_IPV6_RE = re.compile(
    r"(?<![0-9A-Za-z_:.])"
    r"(?=[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:)"  # at least two colons
    r"[0-9A-Fa-f:]{2,39}(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3})?"  # optional embedded IPv4 tail
    r"(?![0-9A-Za-z_:]|\.[0-9A-Za-z])"
)


def find_ips(text: str) -> Iterator[Span]:
    for m in _IPV4_RE.finditer(text):
        if ipv4_valid(m.group()):
            yield Span("IP", m.start(), m.end())
    for m in _IPV6_RE.finditer(text):
        if ipv6_valid(m.group()):
            yield Span("IP", m.start(), m.end())


# --- MAC ---------------------------------------------------------------------------------------
_MAC_RE = re.compile(
    r"(?<![0-9A-Za-z:-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}"
    r"(?![0-9A-Za-z]|[:-][0-9A-Fa-f])"
)
# Cisco style 0011.22aa.bbcc; at least one hex letter, so "2024.0517.1030" is not a MAC.
_MAC_DOTTED_RE = re.compile(
    r"(?<![0-9A-Za-z.])(?=[0-9.]*[A-Fa-f])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}"
    r"(?![0-9A-Za-z]|\.[0-9A-Za-z])"
)


def find_macs(text: str) -> Iterator[Span]:
    for pattern in (_MAC_RE, _MAC_DOTTED_RE):
        for m in pattern.finditer(text):
            yield Span("MAC", m.start(), m.end())


# --- SSN ---------------------------------------------------------------------------------------
_SSN_RE = re.compile(r"(?<![0-9A-Za-z-])([0-9]{3})-([0-9]{2})-([0-9]{4})(?![0-9A-Za-z]|-[0-9])")


def find_ssns(text: str) -> Iterator[Span]:
    for m in _SSN_RE.finditer(text):
        if ssn_valid(*m.groups()):
            yield Span("SSN", m.start(), m.end())
