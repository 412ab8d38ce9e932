"""Response keys at rest: each pending escalation's key, wrapped before it enters the spool.

A schema-2 task carries a fresh random response key; its result comes back encrypted under it
(`protocol.response`). The device must keep the key until the task is answered, across a `kill -9`
and a restart, so it lives in the spool next to the sealed task. It is stored wrapped, never in
clear: ChaCha20-Poly1305 under a key derived (HKDF-SHA256) from the device's X25519 private key,
with the task id as associated data, so a copied spool file (a backup, a support bundle) opens no
result without the device's key file, and a wrapped key cannot be moved to another task's row.
The spool file itself is 0600 in the 0700 state dir. Keys of answered tasks stay wrapped in the
spool until it prunes them, so a late duplicate result still authenticates (and is ignored).
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from device.errors import SpoolCorrupt
from protocol.messages import RESPONSE_KEY_BYTES

_INFO = b"tandem/v2/spool-response-key-wrap"
_NONCE = 12


class ResponseKeyWrap:
    """Wraps and unwraps response keys for one device's spool."""

    def __init__(self, device_x25519: X25519PrivateKey) -> None:
        raw = device_x25519.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        self._aead = ChaCha20Poly1305(HKDF(SHA256(), 32, salt=None, info=_INFO).derive(raw))

    def __repr__(self) -> str:
        return "ResponseKeyWrap(<hidden>)"

    def wrap(self, task_id: str, key: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, key, task_id.encode("ascii"))

    def unwrap(self, task_id: str, blob: bytes) -> bytes:
        """The response key of `task_id`; SpoolCorrupt (no key material in it) if it does not open."""
        try:
            key = self._aead.decrypt(blob[:_NONCE], blob[_NONCE:], task_id.encode("ascii"))
        except (InvalidTag, ValueError) as exc:
            raise SpoolCorrupt(
                f"the stored response key of task {task_id} does not open with this device's key: the spool "
                "belongs to other device keys or was edited; its result cannot be read"
            ) from exc
        if len(key) != RESPONSE_KEY_BYTES:
            raise SpoolCorrupt(f"the stored response key of task {task_id} has the wrong length")
        return key
