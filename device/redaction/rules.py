"""`RuleRedactor`: validated rules for structured PII, plus an optional learned span model.

Detection runs on a normalised copy of the text (`device.redaction.normalize`: NFKC, invisible
characters dropped, `%40`, `[at]`, spelled digits...) and every span is mapped back to the original
text, so the placeholder replaces exactly what the user typed and entity offsets point into it.
Detectors propose candidate spans independently; overlaps are settled by type priority (secrets
before cards before IBANs before e-mails, ... see `model.TYPES`), then by the longer span, then by
the earlier one. Text between entities is copied unchanged, so text without PII comes back
byte-identical. With a `ner` model (see `device.redaction.ner`) its PERSON and STREET_ADDRESS spans
join the rule candidates; names it finds also feed the rule that catches later bare mentions
("Keller" after "Anna Keller").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Protocol

from device.redaction.addresses import find_addresses, plausible_address
from device.redaction.cjk import find_cjk_addresses, find_cjk_names
from device.redaction.credentials import find_secrets
from device.redaction.dates import find_birth_dates
from device.redaction.detectors import (
    Span,
    find_cards,
    find_emails,
    find_ibans,
    find_ips,
    find_macs,
    find_phones,
    find_ssns,
    phone_regions,
)
from device.redaction.geo import find_coordinates
from device.redaction.grow import grow
from device.redaction.model import PLACEHOLDER_RE, TYPES, Entity, Redaction
from device.redaction.normalize import Normalized, normalize
from device.redaction.person import find_persons, last_first
from device.redaction.vault import Vault


def _find_addresses(text: str) -> Iterator[Span]:
    yield from find_addresses(text)
    yield from find_cjk_addresses(text)


_DETECTORS: dict[str, Callable[[str], Iterable[Span]]] = {
    "API_KEY": find_secrets,
    "CARD": find_cards,
    "IBAN": find_ibans,
    "EMAIL": find_emails,
    "SSN": find_ssns,
    "MAC": find_macs,
    "IP": find_ips,
    "GPS": find_coordinates,
    "DATE_OF_BIRTH": find_birth_dates,
    "PHONE": find_phones,
    "STREET_ADDRESS": _find_addresses,
    # PERSON needs the vault (names from earlier turns), so it is called separately.
}
_PRIORITY = {kind: rank for rank, kind in enumerate(TYPES)}
_CLIPPED = frozenset({"PERSON", "STREET_ADDRESS"})  # overlapped candidates keep what is left of them


class SpanModel(Protocol):
    """A learned detector: spans of the types it knows (`device.redaction.ner.NerModel`)."""

    def spans(self, text: str) -> Iterable[Span]: ...


class RuleRedactor:
    """Redacts the entity `types` given (all of `model.TYPES` when None), with rules and `ner`.

    `region` ("CH", "US", ...) is the device's country: its national phone formats are read first
    (those of the shipped markets, `detectors.PHONE_REGIONS`, are always read too)."""

    def __init__(self, types: Iterable[str] | None = None, ner: SpanModel | None = None,
                 region: str | None = None) -> None:
        chosen = TYPES if types is None else tuple(types)
        unknown = sorted(set(chosen) - set(TYPES))
        if unknown:
            raise ValueError(f"unknown entity types {unknown}; known: {', '.join(TYPES)}")
        # Keep priority order whatever order the caller used.
        self.types: tuple[str, ...] = tuple(kind for kind in TYPES if kind in chosen)
        self.ner = ner
        self.region = region.upper() if region else None
        self._detectors = dict(_DETECTORS)
        self._detectors["PHONE"] = partial(find_phones, regions=phone_regions(self.region))

    def redact(self, text: str, vault: Vault | None = None) -> Redaction:
        """Replace each detected entity with its vault placeholder (a fresh vault when None)."""
        vault = Vault() if vault is None else vault
        vault.reserve(text)  # placeholders the user typed literally are never handed out
        norm = normalize(text)
        spans = _map_back(norm, self._resolve(self._candidates(norm, vault), norm.text))
        parts: list[str] = []
        entities: list[Entity] = []
        cursor = 0
        for span in spans:
            placeholder = vault.placeholder_for(span.type, text[span.start : span.end])
            parts += (text[cursor : span.start], placeholder)
            entities.append(Entity(span.type, span.start, span.end, placeholder))
            cursor = span.end
        parts.append(text[cursor:])
        return Redaction("".join(parts), tuple(entities))

    def _candidates(self, norm: Normalized, vault: Vault) -> Iterator[Span]:
        text = norm.text
        fitted = (grow(text, s) for s in self.ner.spans(text) if s.type in self.types) if self.ner is not None else ()
        learned = [s for s in fitted if s is not None]
        yield from learned
        if "PHONE" in self.types:  # seven or more digits read out ("five five five, one two ...")
            yield from (Span("PHONE", s, e) for s, e in norm.spelled)
        for kind in self.types:
            if kind == "PERSON":
                names = [text[s.start:s.end] for s in learned if s.type == "PERSON"]
                persons = [*find_persons(text, known=[*vault.values_of("PERSON"), *names]), *find_cjk_names(text)]
                yield from persons
                for span in [*persons, *(s for s in learned if s.type == "PERSON")]:
                    whole = last_first(text, span)  # "Cichorius" + ", Hilde"
                    if whole is not None:
                        yield whole
            else:
                yield from self._detectors[kind](text)

    @staticmethod
    def _resolve(candidates: Iterable[Span], text: str) -> list[Span]:
        """Non-overlapping spans in text order: higher priority first, then longer, then earlier."""
        # Existing placeholders (already-redacted text) are never redacted again.
        taken = [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(text)]
        chosen: list[Span] = []
        ranked = sorted(
            (c for c in candidates if c.end > c.start),
            key=lambda c: (_PRIORITY[c.type], c.start - c.end, c.start),
        )
        for cand in ranked:
            if not all(cand.end <= start or cand.start >= end for start, end in taken):
                if cand.type not in _CLIPPED:
                    continue
                clipped = _clip(text, cand, taken)
                if clipped is None:
                    continue
                cand = clipped
            taken.append((cand.start, cand.end))
            chosen.append(cand)
        return sorted(chosen, key=lambda c: c.start)


def _map_back(norm: Normalized, spans: list[Span]) -> list[Span]:
    """Spans of the normalised text as spans of the original; one that would overlap the previous
    (two normalised characters from one original, "ﬁ") is merged into it."""
    if norm.identity:
        return spans
    out: list[Span] = []
    for span in spans:
        start, end = norm.span(span.start, span.end)
        if out and start < out[-1].end:
            out[-1] = Span(out[-1].type, out[-1].start, max(end, out[-1].end))
            continue
        out.append(Span(span.type, start, end))
    return out


def _clip(text: str, cand: Span, taken: list[tuple[int, int]]) -> Span | None:
    """The longest part of a name/address candidate that no chosen span covers, trimmed, or None.

    "Julius Scholz, Ruth-Mühle-Platz" (a name grown into the address after it) keeps "Julius
    Scholz" once the address is chosen, instead of losing the name altogether.
    """
    free = [(cand.start, cand.end)]
    for start, end in taken:
        free = [piece for s, e in free for piece in ((s, min(e, start)), (max(s, end), e)) if piece[1] > piece[0]]
    best: Span | None = None
    for s, e in free:
        while s < e and not text[s].isalnum():
            s += 1
        while e > s and not (text[e - 1].isalnum() or text[e - 1] == "."):
            e -= 1
        whole = (s == 0 or not text[s - 1].isalnum()) and (e == len(text) or not text[e].isalnum())
        if cand.type == "STREET_ADDRESS" and not plausible_address(text[s:e]):
            continue  # "IBAN" left over from "IBAN GB91 ..." is no address
        if e > s and whole and any(c.isalpha() for c in text[s:e]) and (best is None or e - s > best.end - best.start):
            best = Span(cand.type, s, e)
    return best
