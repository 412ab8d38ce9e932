"""Values that cross the redaction boundary, and the one-method `Redactor` interface.

Offsets in an `Entity` always point into the *original* text, so a caller can show the user what
was hidden without keeping a second copy of the text around.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from device.redaction.vault import Vault

# Every placeholder the vault hands out matches this, and `Vault.restore` only looks at matches of it.
# Neither "<" nor ">" can occur inside a match, so a match in redacted text is either one whole
# inserted placeholder or a run of characters that stood together in the original text.
PLACEHOLDER_RE = re.compile(r"<[A-Z_]+_\d+>", re.ASCII)

# Entity types the redactor knows, in priority order: when two candidate spans overlap the
# earlier type wins (a Luhn-valid card inside an API key is part of the key, not a card).
# STREET_ADDRESS and most PERSON mentions come from the learned model (`ner`); rules cover the rest.
TYPES: tuple[str, ...] = (
    "API_KEY", "CARD", "IBAN", "EMAIL", "SSN", "MAC", "IP", "GPS", "DATE_OF_BIRTH", "PHONE",
    "STREET_ADDRESS", "PERSON",
)


@dataclass(frozen=True)
class Entity:
    """One redacted span: its type, offsets into the original text, and the placeholder that replaced it."""

    type: str
    start: int
    end: int
    placeholder: str


@dataclass(frozen=True)
class Redaction:
    """Redacted text plus the entities it hides, in order of `start`."""

    text: str
    entities: tuple[Entity, ...]


@runtime_checkable
class Redactor(Protocol):
    """Anything that turns text into a `Redaction`, storing hidden values in a (device-only) vault."""

    def redact(self, text: str, vault: Vault | None = None) -> Redaction: ...
