"""Encryption at rest of what the user said: every text column is sealed, row by row.

Reminder and note texts name people ("remind Anna that ..."), list items and timer names can say as
much about a household as a diary, and contacts are plainly personal data; all of them are sealed
with ChaCha20-Poly1305, as the conversation vaults are (`device.redaction.vault_store`), under a
key derived (HKDF-SHA256) from the device's vault key, so one key file (0600, in the device keys dir)
guards both and a copied SD card shows neither. Left in the clear are only what the scheduler
and the lookups need: ids, kinds, states, due times, durations, the area of a timer.

Each sealed value is bound to its place (associated data `table/row id/column`): a ciphertext
moved to another row or column does not open. A list's name is looked up by a keyed hash (HMAC
under a second derived key), so "Shopping List" finds its list without its name in the clear.

Blob layout: ``b"\\x01" | nonce (12 B) | ciphertext+tag``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from device.errors import PersonalStoreError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

VERSION = b"\x01"
NONCE = 12
KEY_CHECK = b"tandem personal store"


def _derive(key: bytes, info: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)


class Sealer:
    """Seals and opens the store's text columns under keys derived from one 32-byte device key."""

    def __init__(self, key: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        if len(key) != 32:
            raise PersonalStoreError(f"the personal store's key is {len(key)} bytes, expected 32 "
                                     "(the device's vault.key)")
        self._aead: ChaCha20Poly1305 = ChaCha20Poly1305(_derive(key, b"tandem personal store v1: aead"))
        self._lookup = _derive(key, b"tandem personal store v1: lookup")

    def seal(self, value: str, place: str) -> bytes:
        nonce = secrets.token_bytes(NONCE)
        return VERSION + nonce + self._aead.encrypt(nonce, value.encode(), place.encode())

    def open(self, blob: bytes, place: str) -> str:
        from cryptography.exceptions import InvalidTag

        if not blob.startswith(VERSION) or len(blob) < 1 + NONCE + 16:
            raise PersonalStoreError(f"a sealed value at {place} is malformed: the database was edited; "
                                     "restore it from a backup or move it aside to start empty")
        try:
            return self._aead.decrypt(blob[1:1 + NONCE], blob[1 + NONCE:], place.encode()).decode()
        except InvalidTag as exc:
            raise PersonalStoreError(f"a sealed value at {place} does not open with this key: the database "
                                     "was written under another vault.key, or tampered with") from exc

    def seal_optional(self, value: str | None, place: str) -> bytes | None:
        return None if value is None else self.seal(value, place)

    def open_optional(self, blob: bytes | None, place: str) -> str | None:
        return None if blob is None else self.open(blob, place)

    def lookup(self, normalized: str) -> str:
        """A keyed hash of `normalized` (hex), for equality lookups without the value in the clear."""
        return hmac.new(self._lookup, normalized.encode(), hashlib.sha256).hexdigest()
