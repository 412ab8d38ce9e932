"""Pattern + validator detectors for structured identifiers.

Each `find_*` yields candidate `Span`s; overlaps between detectors are resolved later by the
redactor. Patterns use explicit ASCII classes (`[0-9]`, not `\\d`) because `\\d` also matches
Arabic-Indic and other digits that no checksum here understands. Phone numbers are left to
`phonenumbers`, which knows each country's numbering plan far better than a regex could.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

from device.redaction.validators import (
    IBAN_LENGTHS,
    card_network,
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
# the device ships to. A number valid in any of them counts; the device's own region (the
# `[redaction] region` setting, else the locale's) is tried first, see `phone_regions`.
PHONE_REGIONS: tuple[str | None, ...] = (None, "US", "GB", "DE", "CH", "FR", "IT", "ES", "NL")
_MIN_PHONE_DIGITS = 7  # shorter "valid" national numbers (a 6-digit German one) are mostly ids
# Cheap gate before the (comparatively slow) matcher.
_DIGIT_RUN_RE = re.compile(rf"\d(?:[\s().\-/]*\d){{{_MIN_PHONE_DIGITS - 1},}}")
# A word like these right before a number says it is a phone number ...
_PHONE_CONTEXT_RE = re.compile(
    r"(?<![^\W\d_])(?:phone|mobile|cell|call|tel|text|sms|whatsapp|fax|reach|ring|number|hotline|"
    r"telefon|handy|anrufen|ruf|nummer|appel+e[rz]?|t[ée]l[ée]phone|portable|num[ée]ro|"
    r"chiam\w*|telefono|cellulare|numero|llam\w*|tel[ée]fono|m[óo]vil|bel|telefoon|mobiel|nummer|"
    r"gsm|celular|ligu?e?|liga|zadzwo[ńn]|numer|soita|numeroon|numaras)"
    r"(?:\W{1,3}(?:at|is|me|on|under|unter|au|est|ist|es|al|op|number|nummer|no|back|us|him|her|"
    r"them|pod|på|para|pra|pro|mim|mich|moi|mi|me|é|è|ist))*\W{0,3}$",
    re.IGNORECASE,
)
# ... and these say it is an order, invoice or account number that only looks like one.
ID_CONTEXT_RE = re.compile(
    r"(?<![^\W\d_])(?:order|invoice|ticket|ref(?:erence)?|id|no|nr|account|acct|po|tracking|case|booking|"
    r"customer|contract|policy|serial|bestellung|rechnung|kunden|facture|commande|fattura|ordine|"
    r"factura|pedido|factuur|bestelling|version|versione|versión|versie|build|release|#)"
    r"(?:\s+(?:number|no\.?|nr\.?|nummer|num[ée]ro|n[úu]mero|#))?\W{0,4}$",
    re.IGNORECASE,
)


def phone_regions(region: str | None = None) -> tuple[str | None, ...]:
    """The regions whose national formats are read: the device's first, then the shipped markets."""
    if region is None:
        return PHONE_REGIONS
    return (None, region, *(r for r in PHONE_REGIONS[1:] if r != region))


def find_phones(text: str, regions: tuple[str | None, ...] = PHONE_REGIONS) -> Iterator[Span]:
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

    for region in regions:
        for leniency in (Leniency.VALID, Leniency.STRICT_GROUPING) if region else (Leniency.VALID,):
            for match in PhoneNumberMatcher(text, region or "ZZ", leniency=leniency):
                span = (match.start, match.end)
                international = match.raw_string.lstrip("(").startswith(("+", "00"))
                if leniency == Leniency.VALID and region and not international:
                    continue  # national formats must pass STRICT_GROUPING
                before = text[max(0, span[0] - 24):span[0]]
                if not international and ID_CONTEXT_RE.search(before):
                    continue
                if accept(*span):
                    seen.add(span)
                    yield Span("PHONE", _area_code_start(text, span[0]), span[1])
    for m in _DIGIT_RUN_RE.finditer(text):
        before = text[max(0, m.start() - 40):m.start()]
        if _PHONE_CONTEXT_RE.search(before) and not ID_CONTEXT_RE.search(before):
            yield from _possible_phone(text, m.start(), m.end(), seen, accept, regions)


_AREA_CODE_RE = re.compile(r"(?:\+?[0-9]{1,3}[ \t]?)?\([0-9]{1,5}\)[ \t.-]*$")


def _area_code_start(text: str, start: int) -> int:
    """"(21) " before "98765-4321": the matcher may leave an area code in parentheses out."""
    m = _AREA_CODE_RE.search(text, max(0, start - 16), start)
    return start if m is None else m.start()


def _possible_phone(text: str, start: int, end: int, seen: set[tuple[int, int]], accept: Callable[[int, int], bool],
                    regions: tuple[str | None, ...]) -> Iterator[Span]:
    from phonenumbers import Leniency, PhoneNumberMatcher

    # include a leading "+" or "(" that the digit run does not cover
    while start > 0 and text[start - 1] in "+(":
        start -= 1
    for region in (r for r in regions if r is not None):
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
# Any separators between digit groups ("4111.1111.1111.1111", "5425  2334  3010  9903", "4970/1012/...").
_SEP = r"[ \t._/\-]{1,3}"
DIGIT_GROUPS_RE = re.compile(r"(?<![0-9A-Za-z])[0-9]+(?:" + _SEP + r"[0-9]+)+(?![0-9A-Za-z])")


def find_cards(text: str) -> Iterator[Span]:
    # The digit groups of a valid IBAN ("DE36 3058 4480 ...", "GB91 TWAF 4459 1808 0932 11") pass
    # Luhn one time in ten; they belong to the IBAN (mod 97 over its exact length is the stronger check).
    ibans = [(s.start, s.end) for s in find_ibans(text)] if _IBAN_START_RE.search(text) else []
    found: list[tuple[int, int]] = []
    for m in _CARD_RE.finditer(text):
        if any(m.start() < end and start < m.end() for start, end in ibans):
            continue
        if card_valid(re.sub(r"[ -]", "", m.group())):
            found.append((m.start(), m.end()))
            yield Span("CARD", m.start(), m.end())
    # Loosely separated groups: a run of 13-19 digits inside them that passes Luhn *and* starts like a
    # card network's numbers (`card_network`), the stronger test for formats nobody types by accident.
    for m in DIGIT_GROUPS_RE.finditer(text):
        if any(m.start() < end and start < m.end() for start, end in [*ibans, *found]):
            continue
        span = _card_in_groups(text, m.start(), m.end())
        if span is not None:
            yield Span("CARD", *span)


def _card_in_groups(text: str, start: int, end: int) -> tuple[int, int] | None:
    groups = [(g.start(), g.end()) for g in re.finditer(r"[0-9]+", text[start:end])]
    for i in range(len(groups)):
        digits = ""
        for j in range(i, len(groups)):
            digits += text[start + groups[j][0]:start + groups[j][1]]
            if len(digits) > 19:
                break
            if len(digits) >= 13 and card_valid(digits) and card_network(digits):
                return start + groups[i][0], start + groups[j][1]
    return None


# --- IBAN --------------------------------------------------------------------------------------
_IBAN_START_RE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2})[0-9]{2}")
_IBAN_CHAR_RE = re.compile(r" ?([A-Z0-9])")  # BBAN characters, optionally space-grouped
# Any case, any separators: "de89 3704 ...", "CH93-0076-...", "IT60  X054  ...", "pl 61 1090 ..."
_IBAN_LOOSE_START_RE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})[ \t._-]{0,2}([0-9]{2})")
_IBAN_LOOSE_CHAR_RE = re.compile(r"[ \t._/-]{0,3}([A-Za-z0-9])")


def find_ibans(text: str) -> Iterator[Span]:
    found: list[tuple[int, int]] = []
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
                found.append((m.start(), pos))
                yield Span("IBAN", m.start(), pos)
    for m in _IBAN_LOOSE_START_RE.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in found):
            continue
        span = _loose_iban(text, m)
        if span is not None:
            found.append(span)
            yield Span("IBAN", *span)


def _loose_iban(text: str, m: re.Match[str]) -> tuple[int, int] | None:
    country = m.group(1).upper()
    length = IBAN_LENGTHS.get(country)
    if length is None:
        return None
    compact, pos = [country, m.group(2)], m.end()
    for _ in range(length - 4):
        step = _IBAN_LOOSE_CHAR_RE.match(text, pos)
        if step is None:
            return None
        compact.append(step.group(1).upper())
        pos = step.end()
    iban = "".join(compact)
    if pos < len(text) and text[pos].isalnum():
        return None
    # mod 97 is one false match in 97: demand a BBAN that is mostly digits, as real ones are
    if sum(c.isdigit() for c in iban[4:]) < (length - 4) // 2 or not iban_valid(iban):
        return None
    return m.start(), pos


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
        if ipv4_valid(m.group()) or _padded_ipv4(m.group(), text[max(0, m.start() - 12):m.start()]):
            yield Span("IP", m.start(), m.end())
    for m in _IPV6_RE.finditer(text):
        if ipv6_valid(m.group()):
            yield Span("IP", m.start(), m.end())


_VERSION_BEFORE_RE = re.compile(r"(?i:v|version|ver\.?|build|release|rev\.?)\s*$")


def _padded_ipv4(candidate: str, before: str) -> bool:
    """"192.168.001.010": octets in range, zero-padded to three digits each (`ipaddress` refuses
    leading zeros; a stray one, "01.2.3.4", is more likely a version than an address)."""
    octets = candidate.split(".")
    return all(len(o) == 3 and int(o) <= 255 for o in octets) and not _VERSION_BEFORE_RE.search(before)


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


# With other separators (or none) only where the text says it is one: "SSN 078 05 1120", "ss# 123456789".
_SSN_LOOSE_RE = re.compile(
    r"(?<![0-9A-Za-z])([0-9]{3})[ \t._/-]{0,3}([0-9]{2})[ \t._/-]{0,3}([0-9]{4})(?![0-9A-Za-z]|[ .\-/][0-9])")
_SSN_CONTEXT_RE = re.compile(r"(?i:ssn|ss#|s\.s\.n\.?|social(?:\s+security)?(?:\s+(?:number|no\.?|#))?|"
                             r"sozialversicherungsnummer|tin|itin)\W{0,4}(?:\w+\W{1,3}){0,2}$")


def find_ssns(text: str) -> Iterator[Span]:
    found = []
    for m in _SSN_RE.finditer(text):
        if ssn_valid(*m.groups()):
            found.append((m.start(), m.end()))
            yield Span("SSN", m.start(), m.end())
    for m in _SSN_LOOSE_RE.finditer(text):
        if (m.start(), m.end()) in found or not ssn_valid(*m.groups()):
            continue
        if _SSN_CONTEXT_RE.search(text[max(0, m.start() - 40):m.start()]):
            yield Span("SSN", m.start(), m.end())
