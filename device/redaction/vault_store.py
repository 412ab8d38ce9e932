"""Vaults at rest: one encrypted file per conversation, on the device only, with an expiry.

A conversation that continues after a restart needs its placeholders back ("<PERSON_1>" must
still mean the same person), but a file of names, phone numbers and IBANs must not sit on a
board's SD card in the clear. Each vault is sealed with ChaCha20-Poly1305 under a 256-bit key
kept in the device keys dir (file mode 0600); the conversation id is the associated data, so a
file renamed to another conversation does not open. A vault not touched for `ttl_s` is deleted
on the next load or `purge_expired`, and then the conversation starts a fresh one.

File layout: ``b"TVLT1" | nonce (12 B) | ciphertext``; plaintext is JSON
``{"expires_at": <unix s>, "vault": {...}}``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import time
from pathlib import Path

from device.errors import VaultError
from device.redaction.vault import Vault

log = logging.getLogger(__name__)

MAGIC = b"TVLT1"
KEY_FILE = "vault.key"
DEFAULT_TTL_S = 7 * 24 * 3600.0
_NONCE = 12
_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def load_or_create_key(path: Path) -> bytes:
    """The 32-byte vault key at `path`, created 0600 (atomically, never overwritten) if missing."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            key = path.read_bytes()
        else:
            key = secrets.token_bytes(32)
            with os.fdopen(fd, "wb") as f:
                f.write(key)
    except OSError as exc:
        raise VaultError(f"cannot read or create the vault key {path}: {exc.strerror}") from exc
    if len(key) != 32:
        raise VaultError(f"vault key {path} is {len(key)} bytes, expected 32: restore it or delete it "
                         "(stored vaults then cannot be opened)")
    if path.stat().st_mode & 0o077:
        raise VaultError(f"vault key {path} is readable by others: chmod 600 {path}")
    return key


class VaultStore:
    """Encrypted vault files in `directory`, keyed by conversation id."""

    def __init__(self, directory: Path, key_file: Path, ttl_s: float = DEFAULT_TTL_S) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        self.directory = Path(directory)
        self.ttl_s = ttl_s
        self._aead = ChaCha20Poly1305(load_or_create_key(Path(key_file)))

    def _path(self, conversation: str) -> Path:
        if not _ID_RE.fullmatch(conversation):
            raise VaultError("conversation id must be 1-64 letters, digits, '-' or '_'")
        return self.directory / f"{conversation}.vault"

    def save(self, conversation: str, vault: Vault, *, now: float | None = None) -> None:
        """Seal and write `vault`; its expiry moves to `ttl_s` from now."""
        now = time.time() if now is None else now
        plain = json.dumps({"expires_at": now + self.ttl_s, "vault": vault.to_dict()}).encode()
        nonce = secrets.token_bytes(_NONCE)
        blob = MAGIC + nonce + self._aead.encrypt(nonce, plain, conversation.encode())
        path = self._path(conversation)
        tmp = path.with_suffix(".tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
            tmp.replace(path)
        except OSError as exc:
            raise VaultError(f"cannot write the vault file {path}: {exc.strerror}") from exc

    def load(self, conversation: str, *, now: float | None = None) -> Vault:
        """The stored vault, or a fresh one when there is none or it expired (the file is deleted)."""
        from cryptography.exceptions import InvalidTag

        now = time.time() if now is None else now
        path = self._path(conversation)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return Vault()
        except OSError as exc:
            raise VaultError(f"cannot read the vault file {path}: {exc.strerror}") from exc
        if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + _NONCE + 16:
            raise VaultError(f"{path} is not a tandem vault file")
        nonce = blob[len(MAGIC):len(MAGIC) + _NONCE]
        try:
            plain = self._aead.decrypt(nonce, blob[len(MAGIC) + _NONCE:], conversation.encode())
        except InvalidTag as exc:
            raise VaultError(f"{path} does not open with this device's vault key (other key, other "
                             "conversation, or tampered)") from exc
        try:
            data = json.loads(plain)
            expires_at = float(data["expires_at"])
            vault = Vault.from_dict(data["vault"])
        except (ValueError, KeyError, TypeError) as exc:
            raise VaultError(f"{path} holds a malformed vault") from exc
        if expires_at <= now:
            path.unlink(missing_ok=True)
            log.info("vault expired name_chars=%d", len(conversation))  # the name is a client's string
            return Vault()
        return vault

    def delete(self, conversation: str) -> None:
        self._path(conversation).unlink(missing_ok=True)

    def purge_expired(self, *, now: float | None = None) -> int:
        """Delete every expired (or unreadable) vault file; returns how many went."""
        gone = 0
        for path in sorted(self.directory.glob("*.vault")):
            try:
                before = path.exists()
                self.load(path.stem, now=now)
                gone += before and not path.exists()
            except VaultError:
                path.unlink(missing_ok=True)
                gone += 1
        return gone
