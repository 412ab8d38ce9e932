"""Key files on disk: the device's and the pool's key pairs, enrolments and pins.

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

`key_id` in a public file is informative and checked on load. Private files are written to a
temporary 0600 file and hard-linked into place, so an existing key is never overwritten and a crash
never leaves half a key. A private file readable or writable by group or others is refused.

Trust model: a device trusts exactly the pinned pool keys; the pool trusts exactly the enrolled
device files, checked on every lookup (a stat; the file is re-read only when its inode, size or
mtime changed), so deleting or replacing a file revokes or re-keys a device without a restart.
Rotation (`protocol.key_lifecycle.rotate_pool`) keeps the old pool pair for an overlap period:
workers open tasks sealed to either key until it ends, and answer each task with the pair it was
sealed to, so a device that still pins the old key keeps working until it re-pins.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import logging
import os
import re
import stat
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from protocol.errors import KeyStoreError, MisaddressedError
from protocol.messages import DEVICE_ID_PATTERN, KEY_ID_PATTERN

log = logging.getLogger(__name__)

PRIVATE_MODE = 0o600
DIR_MODE = 0o700
PUBLIC_MODE = 0o644


def _raw_public(key: X25519PublicKey | Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _raw_private(key: X25519PrivateKey | Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def fingerprint(key: X25519PublicKey | Ed25519PublicKey) -> str:
    """First 8 bytes of sha256 of the raw public key, as 16 lowercase hex chars."""
    return hashlib.sha256(_raw_public(key)).digest()[:8].hex()


def check_device_id(device_id: str) -> str:
    """Device ids become paths and topic levels: refuse anything outside [A-Za-z0-9_-]{1,64}."""
    if not isinstance(device_id, str) or not re.fullmatch(DEVICE_ID_PATTERN, device_id):
        raise KeyStoreError(
            f"invalid device id {device_id!r}: use 1-64 characters from A-Z, a-z, 0-9, '_' and '-'"
        )
    return device_id


class _PrivateKeyFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, hide_input_in_errors=True)

    schema_version: Literal[1] = 1
    type: Literal["ed25519", "x25519"]
    private: str


class _OverlapFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, hide_input_in_errors=True)

    schema_version: Literal[1] = 1
    key_id: str = Field(pattern=KEY_ID_PATTERN)
    until: float = Field(allow_inf_nan=False)


class _PublicKeysFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, hide_input_in_errors=True)

    schema_version: Literal[1] = 1
    ed25519: str
    x25519: str
    key_id: str = Field(pattern=KEY_ID_PATTERN)


def _b64_32(value: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{what} is not valid base64") from exc
    if len(raw) != 32:
        raise ValueError(f"{what} is {len(raw)} bytes, expected 32")
    return raw


@dataclass(frozen=True)
class PublicKeys:
    """A party's public keys: Ed25519 to verify its signatures, X25519 to encrypt to it."""

    ed25519: Ed25519PublicKey
    x25519: X25519PublicKey

    @functools.cached_property
    def key_id(self) -> str:
        """Computed once: a device compares it on every task it seals."""
        return fingerprint(self.x25519)

    def to_json(self) -> str:
        doc = _PublicKeysFile(
            ed25519=base64.b64encode(_raw_public(self.ed25519)).decode("ascii"),
            x25519=base64.b64encode(_raw_public(self.x25519)).decode("ascii"),
            key_id=self.key_id,
        )
        return json.dumps(doc.model_dump(), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str = "public key document") -> PublicKeys:
        try:
            doc = _PublicKeysFile.model_validate_json(text)
            keys = cls(
                ed25519=Ed25519PublicKey.from_public_bytes(_b64_32(doc.ed25519, "ed25519")),
                x25519=X25519PublicKey.from_public_bytes(_b64_32(doc.x25519, "x25519")),
            )
        except (ValidationError, ValueError) as exc:
            raise KeyStoreError(
                f"{source} is not a valid tandem public key file ({exc.__class__.__name__}): "
                f"re-export it with `tandem keys init`"
            ) from exc
        if keys.key_id != doc.key_id:
            raise KeyStoreError(
                f"{source} says key_id {doc.key_id} but its x25519 key has {keys.key_id}: the file "
                f"was edited or corrupted; re-export it with `tandem keys init`"
            )
        return keys


# -- files --------------------------------------------------------------------------------------


def _mkdir(path: Path) -> None:
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)


def _write_private(path: Path, key: Ed25519PrivateKey | X25519PrivateKey) -> bool:
    """Create `path` (0600) holding `key` unless it exists; True if written."""
    if path.exists():
        return False
    kind = "ed25519" if isinstance(key, Ed25519PrivateKey) else "x25519"
    doc = _PrivateKeyFile(type=kind, private=base64.b64encode(_raw_private(key)).decode("ascii"))
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


def _write_public(path: Path, keys: PublicKeys) -> None:
    """Write (or refresh) a public key file; it is derived from private keys under the same root."""
    text = keys.to_json()
    if path.exists():
        if path.read_text(encoding="utf-8") == text:
            return
        log.warning("replacing %s: its keys differ from the current private keys", path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(PUBLIC_MODE)
    os.replace(tmp, path)


def _load_private(path: Path, kind: Literal["ed25519", "x25519"], hint: str) -> bytes:
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


def parse_private_key(text: str | bytes, kind: Literal["ed25519", "x25519"], *, source: str = "key file",
                      hint: str = "re-create it") -> bytes:
    """The raw 32-byte key of a private key document; KeyStoreError (without the key) otherwise."""
    try:
        doc = _PrivateKeyFile.model_validate_json(text)
        if doc.type != kind:
            raise ValueError(f"holds a {doc.type} key, expected {kind}")
        return _b64_32(doc.private, kind)
    except (ValidationError, ValueError) as exc:
        raise KeyStoreError(
            f"{source} is not a valid tandem {kind} private key file: restore it from a backup or "
            f"delete it and re-enrol ({hint})"
        ) from exc


def parse_overlap(text: str | bytes, *, source: str = "overlap file") -> tuple[str, float]:
    """(key_id, until) of a rotation's overlap document; KeyStoreError otherwise."""
    try:
        doc = _OverlapFile.model_validate_json(text)
    except ValidationError as exc:
        raise KeyStoreError(
            f"{source} is not a valid overlap file ({exc.error_count()} problem(s)): end the overlap "
            f"with `tandem keys rotate-pool --end-overlap` or restore the file"
        ) from exc
    return doc.key_id, doc.until


def _load_public(path: Path, hint: str) -> PublicKeys:
    try:
        text = path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyStoreError(f"no public key file at {path}: {hint}") from exc
    except OSError as exc:
        raise KeyStoreError(f"cannot read {path} ({exc.strerror}): check the path and its rights") from exc
    return PublicKeys.from_json(text, source=str(path))


# -- layout ------------------------------------------------------------------------------------


def _device_dir(keys_root: Path, device_id: str) -> Path:
    return Path(keys_root) / "device" / check_device_id(device_id)


def _pool_dir(keys_root: Path) -> Path:
    return Path(keys_root) / "pool"


def _init_hint(device_id: str = "<id>") -> str:
    return f"run `tandem keys init --device {device_id}` to create and enrol keys"


@dataclass(frozen=True)
class DeviceKeys:
    """A device's own key pairs and the pool keys it pinned."""

    device_id: str
    ed25519: Ed25519PrivateKey
    x25519: X25519PrivateKey
    pool: PublicKeys
    previous_pool: PublicKeys | None = None
    """The pool's keys before its last rotation: results for tasks sealed to them still verify."""

    @property
    def public(self) -> PublicKeys:
        return PublicKeys(self.ed25519.public_key(), self.x25519.public_key())

    def pool_for(self, key_id: str) -> PublicKeys:
        """The pinned pool keys a task was sealed to (its header's key_id); the current ones else."""
        if self.previous_pool is not None and key_id == self.previous_pool.key_id:
            return self.previous_pool
        return self.pool

    @classmethod
    def load(cls, keys_root: Path, device_id: str) -> DeviceKeys:
        d = _device_dir(keys_root, device_id)
        hint = _init_hint(device_id)
        ed = Ed25519PrivateKey.from_private_bytes(_load_private(d / "ed25519.key", "ed25519", hint))
        x = X25519PrivateKey.from_private_bytes(_load_private(d / "x25519.key", "x25519", hint))
        pool_file = d / "pool.pub.json"
        if not pool_file.exists():
            raise KeyStoreError(f"device {device_id} has no pinned pool key ({pool_file}): {hint}")
        previous_file = d / "pool.previous.pub.json"
        previous = _load_public(previous_file, hint) if previous_file.exists() else None
        return cls(device_id=device_id, ed25519=ed, x25519=x, pool=_load_public(pool_file, hint),
                   previous_pool=previous)


@dataclass(frozen=True)
class PoolKeys:
    """The worker pool's key pairs, and lookup of enrolled devices."""

    ed25519: Ed25519PrivateKey
    x25519: X25519PrivateKey
    root: Path
    previous: tuple[Ed25519PrivateKey, X25519PrivateKey] | None = None
    """The rotated-out pair, accepted until `previous_until` (unix seconds)."""
    previous_until: float = 0.0
    _enrolled: dict[str, tuple[str, tuple[int, int, int], PublicKeys]] = field(
        default_factory=dict, repr=False, compare=False)
    """device id -> (its file, (inode, size, mtime_ns) of it when read, its keys): `device()`'s cache."""

    @property
    def public(self) -> PublicKeys:
        return PublicKeys(self.ed25519.public_key(), self.x25519.public_key())

    @functools.cached_property
    def key_id(self) -> str:
        return fingerprint(self.x25519.public_key())

    def pair_for(self, key_id: str, now: float | None = None) -> tuple[Ed25519PrivateKey, X25519PrivateKey]:
        """The pair a task sealed to `key_id` opens with and its result is signed with.

        MisaddressedError for any other key id, and for the previous pair once its overlap ended.
        """
        if key_id == self.key_id:
            return self.ed25519, self.x25519
        if self.previous is not None and key_id == fingerprint(self.previous[1].public_key()):
            if (time.time() if now is None else now) <= self.previous_until:
                return self.previous
            raise MisaddressedError(
                f"envelope is sealed to the rotated-out pool key {key_id}, whose overlap ended: "
                f"dropped; the device must re-pin the pool key (`tandem keys pin`)"
            )
        raise MisaddressedError(
            f"envelope is sealed to key {key_id}, not to this pool ({self.key_id}): dropped; "
            f"re-pin the device (`tandem keys pin`)"
        )

    @classmethod
    def load(cls, keys_root: Path) -> PoolKeys:
        d = _pool_dir(keys_root)
        hint = "run `tandem keys init --device <id>` on the pool host to create the pool keys"
        ed = Ed25519PrivateKey.from_private_bytes(_load_private(d / "ed25519.key", "ed25519", hint))
        x = X25519PrivateKey.from_private_bytes(_load_private(d / "x25519.key", "x25519", hint))
        previous, until = None, 0.0
        overlap = d / "previous" / "overlap.json"
        if overlap.exists():
            _, until = parse_overlap(overlap.read_bytes(), source=str(overlap))
            previous = (
                Ed25519PrivateKey.from_private_bytes(
                    _load_private(d / "previous" / "ed25519.key", "ed25519", hint)),
                X25519PrivateKey.from_private_bytes(
                    _load_private(d / "previous" / "x25519.key", "x25519", hint)),
            )
        return cls(ed25519=ed, x25519=x, root=Path(keys_root), previous=previous, previous_until=until)

    def device(self, device_id: str) -> PublicKeys:
        """Public keys of an enrolled device. Every call stats its file, so deleting it (revocation)
        takes effect at once; the file is parsed again only when it changed (inode, size, mtime)."""
        cached = self._enrolled.get(device_id)
        path = cached[0] if cached is not None else os.path.join(
            self.root, "pool", "devices", f"{check_device_id(device_id)}.pub.json")
        try:
            st = os.stat(path)
        except FileNotFoundError:
            self._enrolled.pop(device_id, None)
            raise KeyStoreError(
                f"unknown device {device_id!r}: it is not enrolled ({path} is missing); enrol it "
                f"with `tandem keys init --device {device_id}` or copy its pub.json there"
            ) from None
        except OSError as exc:
            raise KeyStoreError(f"cannot read {path} ({exc.strerror}): check the path and its rights") from exc
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        if cached is not None and cached[1] == stamp:
            return cached[2]
        keys = _load_public(Path(path), _init_hint(device_id))
        self._enrolled[device_id] = (path, stamp, keys)
        return keys


def init_keys(keys_root: Path, device_id: str) -> None:
    """Create missing pool and device keys, enrol the device, pin the pool on the device.

    Idempotent: existing private keys are kept as they are; public files are refreshed from them.
    """
    root = Path(keys_root)
    check_device_id(device_id)
    pool_dir, dev_dir = _pool_dir(root), _device_dir(root, device_id)
    for d in (root, pool_dir, pool_dir / "devices", root / "device", dev_dir):
        _mkdir(d)
    for d, who in ((pool_dir, "pool"), (dev_dir, f"device {device_id}")):
        if _write_private(d / "ed25519.key", Ed25519PrivateKey.generate()):
            log.info("created %s signing key %s", who, d / "ed25519.key")
        if _write_private(d / "x25519.key", X25519PrivateKey.generate()):
            log.info("created %s encryption key %s", who, d / "x25519.key")
    pool = PoolKeys.load(root)
    hint = _init_hint(device_id)
    device_public = PublicKeys(
        Ed25519PrivateKey.from_private_bytes(
            _load_private(dev_dir / "ed25519.key", "ed25519", hint)
        ).public_key(),
        X25519PrivateKey.from_private_bytes(
            _load_private(dev_dir / "x25519.key", "x25519", hint)
        ).public_key(),
    )
    _write_public(pool_dir / "devices" / f"{device_id}.pub.json", device_public)
    _write_public(dev_dir / "pool.pub.json", pool.public)


def _entry(role: str, ident: str, path: Path, keys: PublicKeys | None, error: str | None) -> dict:
    return {
        "role": role,
        "id": ident,
        "key_id": keys.key_id if keys else None,
        "ed25519_fingerprint": fingerprint(keys.ed25519) if keys else None,
        "path": str(path),
        "error": error,
    }


def list_keys(keys_root: Path) -> list[dict]:
    """Fingerprints of every key under `keys_root`, for `tandem keys list`; never private material.

    Each entry: role ("pool", "pool-previous" (+ until), "enrolled-device", "revoked-device", "device",
    "pinned-pool"), id, key_id (X25519
    fingerprint), ed25519_fingerprint, path, and error (why it could not be read, else None).
    """
    root = Path(keys_root)
    out: list[dict] = []
    pool_dir = _pool_dir(root)
    if pool_dir.is_dir():
        try:
            out.append(_entry("pool", "pool", pool_dir, PoolKeys.load(root).public, None))
        except KeyStoreError as exc:
            out.append(_entry("pool", "pool", pool_dir, None, str(exc)))
        if (pool_dir / "previous").is_dir():
            try:
                prev = PoolKeys.load(root)
                if prev.previous is not None:
                    pub = PublicKeys(prev.previous[0].public_key(), prev.previous[1].public_key())
                    entry = _entry("pool-previous", "pool", pool_dir / "previous", pub, None)
                    entry["until"] = prev.previous_until
                    out.append(entry)
            except KeyStoreError as exc:
                out.append(_entry("pool-previous", "pool", pool_dir / "previous", None, str(exc)))
        for f in sorted((pool_dir / "revoked").glob("*.pub.json")):
            ident = f.name.removesuffix(".pub.json")
            try:
                out.append(_entry("revoked-device", ident, f, _load_public(f, ""), None))
            except KeyStoreError as exc:
                out.append(_entry("revoked-device", ident, f, None, str(exc)))
        for f in sorted((pool_dir / "devices").glob("*.pub.json")):
            ident = f.name.removesuffix(".pub.json")
            try:
                out.append(_entry("enrolled-device", ident, f, _load_public(f, ""), None))
            except KeyStoreError as exc:
                out.append(_entry("enrolled-device", ident, f, None, str(exc)))
    device_root = root / "device"
    if device_root.is_dir():
        for d in sorted(p for p in device_root.iterdir() if p.is_dir()):
            try:
                dev = DeviceKeys.load(root, d.name)
            except KeyStoreError as exc:
                out.append(_entry("device", d.name, d, None, str(exc)))
                continue
            out.append(_entry("device", d.name, d, dev.public, None))
            out.append(_entry("pinned-pool", d.name, d / "pool.pub.json", dev.pool, None))
    return out
