"""Per-type redaction actions, and the check that decides a part must stay on the device.

Actions, per entity type, from config (`[redaction.actions]`):

- ``redact`` (default): replaced by a placeholder; the part may escalate.
- ``keep``: left in the text, also in what escalates (e.g. a user who wants cities kept).
- ``block``: replaced by a placeholder, and a part holding one never escalates.

A part is also held on the device when its PII cannot be removed without losing its point: it
asks about the value itself ("is <IBAN_1> valid?", "is my password <API_KEY_1> strong?", "which
country is <PHONE_1> from?") or, once the placeholders are gone, hardly any words remain. And as
last guards, a part in which any vault value still appears verbatim never leaves the device, nor
does one that after redaction still holds a long digit run, an e-mail-like token or a high-entropy
token (`device.redaction.residual`: PII the detectors may have missed), whatever the router says.
Such parts are answered by the device model; nothing is ever sent in the clear because of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from device.redaction.model import PLACEHOLDER_RE, TYPES
from device.redaction.residual import residual_pii
from device.redaction.vault import Vault

Action = Literal["redact", "keep", "block"]
ACTIONS: tuple[str, ...] = ("redact", "keep", "block")
_TYPE_OF_RE = re.compile(r"<([A-Z_]+)_\d+>", re.ASCII)
_WORD_RE = re.compile(r"[^\W\d_]{2,}")
_MIN_POINT_WORDS = 2
_MIN_LEAK_LEN = 4  # shorter values ("Al", a PIN "12") occur by chance in ordinary words
# Questions about the value itself: the answer depends on what the placeholder hides.
_ADJ = (r"(?:valid|correct(?:ly)?|real|right|strong|weak|secure|safe|legit(?:imate)?|formatted|spelled|typo|"
        r"fake|active|gültig|richtig|sicher|valide|correcte?|sûr|valido|corretto|sicuro|válido|correcto|"
        r"seguro|geldig|juist|veilig)")
_PH = r"<[A-Z_]+_\d+>"
_ABOUT_VALUE_RE = re.compile(
    r"\b(?:is|are|was|ist|est|è|es)\b[^.?!]{0,40}?(?:" + _PH + r"[^.?!]{0,40}?\b" + _ADJ + r"\b|\b" + _ADJ
    + r"\b[^.?!]{0,40}?" + _PH + r")"
    r"|\b(?:check|validate|verify|spell|pronounce|decode|format|look up|lookup|prüfe|überprüfe|vérifie|"
    r"controlla|verifica|comprueba|controleer)\b[^.?!]{0,30}?" + _PH
    + r"|\b(?:which|what|welche[rs]?|quel(?:le)?|quale|cuál|welk(?:e)?)\b[^.?!]{0,25}?\b(?:country|bank|"
    r"network|carrier|operator|provider|region|city|area|land|banque|pays|paese|banca|país|banco)\b"
    r"[^.?!]{0,30}?" + _PH
    + r"|\b(?:how strong|wie sicher|how secure|how do you (?:say|pronounce|spell)|translate|übersetze|traduis|"
    r"traduci|traduce|vertaal)\b[^.?!]{0,30}?" + _PH,
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PolicyVerdict:
    escalate: bool
    reason: str = ""


@dataclass(frozen=True)
class RedactionPolicy:
    """Per-type actions (types not listed are redacted) and the stay-on-device check."""

    actions: Mapping[str, str] = field(default_factory=dict)
    hold_all: str | None = None
    """When set, no step may leave the device, and this says why (e.g. the name model is missing)."""

    def __post_init__(self) -> None:
        unknown = sorted(set(self.actions) - set(TYPES))
        bad = sorted({a for a in self.actions.values() if a not in ACTIONS})
        if unknown or bad:
            raise ValueError(f"redaction actions: unknown types {unknown} or actions {bad}; "
                             f"types: {', '.join(TYPES)}; actions: {', '.join(ACTIONS)}")

    def action(self, kind: str) -> str:
        return self.actions.get(kind, "redact")

    def redacted_types(self) -> tuple[str, ...]:
        """Types the redactor must replace (all but `keep`)."""
        return tuple(t for t in TYPES if self.action(t) != "keep")

    def check(self, redacted: str, vault: Vault | None = None, public: Iterable[str] = ()) -> PolicyVerdict:
        """May this redacted part leave the device? If not, why (no values in the reason). `public`: names
        of public figures the planner put back into a knowledge question (`device.redaction.public_figures`);
        every other value and anything the residual scan finds still holds the part."""
        if self.hold_all is not None:
            return PolicyVerdict(False, self.hold_all)
        allowed = [p for p in public if p.strip()]
        for name in sorted(allowed, key=len, reverse=True):
            redacted = re.sub(re.escape(name), "someone", redacted, flags=re.IGNORECASE)
        if vault is not None and allowed:
            folded = {a.casefold() for a in allowed}
            others = [v for v in vault.values() if v.casefold() not in folded]
            if _leaks(redacted, others):
                return PolicyVerdict(False, "a redacted value still appears in the text")
            vault = None  # checked above, without the public names
        kinds = {m.group(1) for m in _TYPE_OF_RE.finditer(redacted)}
        blocked = sorted(k for k in kinds if self.action(k) == "block")
        if blocked:
            return PolicyVerdict(False, f"policy keeps {', '.join(blocked)} on the device")
        if vault is not None and _leaks(redacted, vault.values()):
            return PolicyVerdict(False, "a redacted value still appears in the text")
        leftover = residual_pii(redacted, kept=frozenset(t for t in TYPES if self.action(t) == "keep"))
        if leftover is not None:
            return PolicyVerdict(False, f"{leftover} is left after redaction (it may be PII the redactor missed)")
        if kinds and needs_values(redacted):
            return PolicyVerdict(False, "the request is about the redacted value itself")
        return PolicyVerdict(True)


def needs_values(redacted: str) -> bool:
    """True when removing the PII removed the point: a question about the value, or no words left."""
    if _ABOUT_VALUE_RE.search(redacted):
        return True
    words = _WORD_RE.findall(PLACEHOLDER_RE.sub(" ", redacted))
    return len(words) < _MIN_POINT_WORDS


def _leaks(text: str, values: Iterable[str]) -> bool:
    folded = text.casefold()
    return any(len(v) >= _MIN_LEAK_LEN and v.casefold() in folded for v in values)
