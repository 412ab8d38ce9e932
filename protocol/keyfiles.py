"""Key files on disk: where each file lives, what it holds, and how it is written and read safely.

Layout under `keys_root` (directories 0700):

    device/<device_id>/ed25519.key   private, 0600   signs tasks
    device/<device_id>/x25519.key    private, 0600   opens results
    device/<device_id>/pool.pub.json                 the pool's public keys, pinned
    device/<device_id>/pool.previous.pub.json        the pool's keys before a rotation (overlap)
    pool/ed25519.key                 private, 0600   signs results
    pool/x25519.key                  private, 0600   opens tasks
    pool/previous/{ed25519,x25519}.key, overlap.json the rotated-out pair, valid until `until`
    pool/devices/<device_id>.pub.json                enrolled devices' public keys
    pool/revoked/<device_id>.pub.json                revoked devices (kept for the record)

Every file is a small JSON document with raw 32-byte keys in standard base64, chosen over PEM so
one reader handles all files and a `schema_version` can evolve them:

    *.key       {"schema_version": 1, "type": "ed25519" | "x25519", "private": "<b64>"}
    *.pub.json  {"schema_version": 1, "ed25519": "<b64>", "x25519": "<b64>", "key_id": "<16 hex>"}
    overlap.json {"schema_version": 1, "key_id": "<16 hex>", "until": <unix seconds>}

`key_id` in a public file is informative and checked on load (`protocol.keys.PublicKeys`). Private
files are written to a temporary 0600 file and hard-linked into place (`write_private_key`), so an
existing key is never overwritten and a crash never leaves half a key. A private file readable or
writable by group or others is refused (`read_private_key`).

What the files are used for (the key sets, the trust model) is `protocol.keys`; creating, enrolling,
pinning, rotating and revoking across hosts is `protocol.key_lifecycle`. Private key material leaves
this module only as the raw bytes `read_private_key` returns, and never in a message or a log line.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import uuid
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from protocol.codec import b64, b64decode_32
from protocol.errors import KeyStoreError
from protocol.messages import DEVICE_ID_PATTERN, KEY_ID_PATTERN

__all__ = [
    "DIR_MODE",
    "PRIVATE_MODE",
    "PUBLIC_MODE",
    "OverlapFile",
    "PrivateKeyFile",
    "PublicKeysFile",
    "check_device_id",
    "device_dir",
    "ensure_dir",
    "parse_overlap",
    "parse_private_key",
    "pool_dir",
    "read_private_key",
    "read_public_file",
    "write_overlap",
    "write_private_key",
    "write_public_file",
]

log = logging.getLogger(__name__)

PRIVATE_MODE = 0o600
DIR_MODE = 0o700
PUBLIC_MODE = 0o644


# -- formats -----------------------------------------------------------------------------------


class PrivateKeyFile(BaseModel):
    """`*.key`: one private key."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, hide_input_in_errors=True)

    schema_version: Literal[1] = 1
    type: Literal["ed25519", "x25519"]
    private: str


class OverlapFile(BaseModel):
    """`pool/previous/overlap.json`: which pool key was rotated out, and until when it is accepted."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, hide_input_in_errors=True)

    schema_version: Literal[1] = 1
    key_id: str = Field(pattern=KEY_ID_PATTERN)
    until: float = Field(allow_inf_nan=False)


class PublicKeysFile(BaseModel):
    """`*.pub.json`: a party's public keys (`protocol.keys.PublicKeys.to_json` / `from_json`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, hide_input_in_errors=True)

    schema_version: Literal[1] = 1
    ed25519: str
    x25519: str
    key_id: str = Field(pattern=KEY_ID_PATTERN)


def parse_private_key(text: str | bytes, kind: Literal["ed25519", "x25519"], *, source: str = "key file",
                      hint: str = "re-create it") -> bytes:
    """The raw 32-byte key of a private key document; KeyStoreError (without the key) otherwise."""
    try:
        doc = PrivateKeyFile.model_validate_json(text)
        if doc.type != kind:
            raise ValueError(f"holds a {doc.type} key, expected {kind}")
        return b64decode_32(doc.private, kind)
    except (ValidationError, ValueError) as exc:
        raise KeyStoreError(
            f"{source} is not a valid tandem {kind} private key file: restore it from a backup or "
            f"delete it and re-enrol ({hint})"
        ) from exc


def parse_overlap(text: str | bytes, *, source: str = "overlap file") -> tuple[str, float]:
    """(key_id, until) of a rotation's overlap document; KeyStoreError otherwise."""
    try:
        doc = OverlapFile.model_validate_json(text)
    except ValidationError as exc:
        raise KeyStoreError(
            f"{source} is not a valid overlap file ({exc.error_count()} problem(s)): end the overlap "
            f"with `tandem keys rotate-pool --end-overlap` or restore the file"
        ) from exc
    return doc.key_id, doc.until


# -- layout ------------------------------------------------------------------------------------


def check_device_id(device_id: str) -> str:
    """Device ids become paths and topic levels: refuse anything outside [A-Za-z0-9_-]{1,64}."""
    if not isinstance(device_id, str) or not re.fullmatch(DEVICE_ID_PATTERN, device_id):
        raise KeyStoreError(
            f"invalid device id {device_id!r}: use 1-64 characters from A-Z, a-z, 0-9, '_' and '-'"
        )
    return device_id


def device_dir(keys_root: Path, device_id: str) -> Path:
    """`<keys_root>/device/<device_id>`: a device's own pairs and its pins (the id is checked)."""
    return Path(keys_root) / "device" / check_device_id(device_id)


def pool_dir(keys_root: Path) -> Path:
    """`<keys_root>/pool`: the pool's pairs, enrolled and revoked devices, a rotation's overlap."""
    return Path(keys_root) / "pool"


# -- writing -----------------------------------------------------------------------------------


def ensure_dir(path: Path) -> None:
    """Create `path` and missing parents as 0700 (an existing directory is left as it is)."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)


def write_private_key(path: Path, key: Ed25519PrivateKey | X25519PrivateKey) -> bool:
    """Create `path` (0600) holding `key` unless it exists; True if written."""
    if path.exists():
        return False
    kind: Literal["ed25519", "x25519"] = "ed25519" if isinstance(key, Ed25519PrivateKey) else "x25519"
    doc = PrivateKeyFile(type=kind, private=b64(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())))
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    try:
        os.fchmod(fd, PRIVATE_MODE)  # umask cannot widen it, but be explicit
        os.write(fd, (json.dumps(doc.model_dump()) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # atomic, and fails rather than overwrite a key written meanwhile
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()


def write_public_file(path: Path, text: str) -> None:
    """Write (or refresh) a public key file (0644, replaced atomically); `text` is
    `PublicKeys.to_json()`, derived from private keys under the same root."""
    if path.exists():
        if path.read_text(encoding="utf-8") == text:
            return
        log.warning("replacing %s: its keys differ from the current private keys", path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(PUBLIC_MODE)
    os.replace(tmp, path)


def write_overlap(path: Path, key_id: str, until: float) -> None:
    """Write a rotation's overlap document (0644): `key_id` is accepted until `until` (unix seconds)."""
    path.write_text(json.dumps({"schema_version": 1, "key_id": key_id, "until": until}) + "\n", encoding="utf-8")
    path.chmod(PUBLIC_MODE)


# -- reading -----------------------------------------------------------------------------------


def read_private_key(path: Path, kind: Literal["ed25519", "x25519"], hint: str) -> bytes:
    """The raw key in a private key file, after checking it is a regular file that only its owner
    can read or write; KeyStoreError saying what to do otherwise (`hint`: how to create it)."""
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise KeyStoreError(f"no private key at {path}: {hint}") from exc
    except OSError as exc:
        raise KeyStoreError(f"cannot read {path} ({exc.strerror}): check the path and its rights") from exc
    if not stat.S_ISREG(st.st_mode):
        raise KeyStoreError(f"{path} is not a regular file: replace it with a key file ({hint})")
    if st.st_mode & 0o077:
        raise KeyStoreError(
            f"private key file {path} is accessible by group or others (mode "
            f"{stat.S_IMODE(st.st_mode):04o}): run `chmod 600 {path}` and, if others may have "
            f"read it, replace the key"
        )
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise KeyStoreError(f"cannot read {path} ({exc.strerror}): check the path and its rights") from exc
    return parse_private_key(text, kind, source=str(path), hint=hint)


def read_public_file(path: Path, hint: str) -> bytes:
    """The bytes of a public key file (`PublicKeys.from_json` checks them); KeyStoreError if it is
    missing (`hint`: how to get it) or unreadable."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyStoreError(f"no public key file at {path}: {hint}") from exc
    except OSError as exc:
        raise KeyStoreError(f"cannot read {path} ({exc.strerror}): check the path and its rights") from exc
