"""Key sets: a party's public keys, the device's and the pool's pairs, setup on one host, listing.

The files behind them (layout, formats, atomic 0600 writes, mode checks) are `protocol.keyfiles`;
setup across hosts, enrolment, pinning, rotation and revocation are `protocol.key_lifecycle`.

Trust model: a device trusts exactly the pinned pool keys; the pool trusts exactly the enrolled
device files, checked on every lookup (a stat; the file is re-read only when its inode, size or
mtime changed), so deleting or replacing a file revokes or re-keys a device without a restart.
Rotation (`protocol.key_lifecycle.rotate_pool`) keeps the old pool pair for an overlap period:
workers open tasks sealed to either key until it ends, and answer each task with the pair it was
sealed to, so a device that still pins the old key keeps working until it re-pins.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import ValidationError

from protocol.codec import b64, b64decode_32
from protocol.errors import KeyStoreError, MisaddressedError
from protocol.keyfiles import (
    PublicKeysFile,
    check_device_id,
    device_dir,
    ensure_dir,
    parse_overlap,
    pool_dir,
    read_private_key,
    read_public_file,
    write_private_key,
    write_public_file,
)

__all__ = ["DeviceKeys", "PoolKeys", "PublicKeys", "fingerprint", "init_keys", "list_keys"]

log = logging.getLogger(__name__)


def _raw_public(key: X25519PublicKey | Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def fingerprint(key: X25519PublicKey | Ed25519PublicKey) -> str:
    """First 8 bytes of sha256 of the raw public key, as 16 lowercase hex chars."""
    return hashlib.sha256(_raw_public(key)).digest()[:8].hex()


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
        doc = PublicKeysFile(ed25519=b64(_raw_public(self.ed25519)), x25519=b64(_raw_public(self.x25519)),
                             key_id=self.key_id)
        return json.dumps(doc.model_dump(), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str = "public key document") -> PublicKeys:
        try:
            doc = PublicKeysFile.model_validate_json(text)
            keys = cls(
                ed25519=Ed25519PublicKey.from_public_bytes(b64decode_32(doc.ed25519, "ed25519")),
                x25519=X25519PublicKey.from_public_bytes(b64decode_32(doc.x25519, "x25519")),
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


def _load_public(path: Path, hint: str) -> PublicKeys:
    return PublicKeys.from_json(read_public_file(path, hint), source=str(path))


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
        d = device_dir(keys_root, device_id)
        hint = _init_hint(device_id)
        ed = Ed25519PrivateKey.from_private_bytes(read_private_key(d / "ed25519.key", "ed25519", hint))
        x = X25519PrivateKey.from_private_bytes(read_private_key(d / "x25519.key", "x25519", hint))
        pool_file = d / "pool.pub.json"
        if not pool_file.exists():
            raise KeyStoreError(
                f"device {device_id} is not enrolled with a worker pool (no pinned pool key {pool_file}): on the "
                f"pool host run `tandem keys enrol {device_id} FILE` with this device's `tandem keys export "
                f"--device {device_id}`, then here `tandem keys pin POOL_FILE` with the pool's `tandem keys export "
                "--pool`; on a single box that runs the pool too, `tandem keys init` (or `--autostart`)")
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
        d = pool_dir(keys_root)
        hint = "run `tandem keys init --device <id>` on the pool host to create the pool keys"
        ed = Ed25519PrivateKey.from_private_bytes(read_private_key(d / "ed25519.key", "ed25519", hint))
        x = X25519PrivateKey.from_private_bytes(read_private_key(d / "x25519.key", "x25519", hint))
        previous, until = None, 0.0
        overlap = d / "previous" / "overlap.json"
        if overlap.exists():
            _, until = parse_overlap(overlap.read_bytes(), source=str(overlap))
            previous = (
                Ed25519PrivateKey.from_private_bytes(
                    read_private_key(d / "previous" / "ed25519.key", "ed25519", hint)),
                X25519PrivateKey.from_private_bytes(
                    read_private_key(d / "previous" / "x25519.key", "x25519", hint)),
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
    pool_home, dev_dir = pool_dir(root), device_dir(root, device_id)
    for d in (root, pool_home, pool_home / "devices", root / "device", dev_dir):
        ensure_dir(d)
    for d, who in ((pool_home, "pool"), (dev_dir, f"device {device_id}")):
        if write_private_key(d / "ed25519.key", Ed25519PrivateKey.generate()):
            log.info("created %s signing key %s", who, d / "ed25519.key")
        if write_private_key(d / "x25519.key", X25519PrivateKey.generate()):
            log.info("created %s encryption key %s", who, d / "x25519.key")
    pool = PoolKeys.load(root)
    hint = _init_hint(device_id)
    device_public = PublicKeys(
        Ed25519PrivateKey.from_private_bytes(
            read_private_key(dev_dir / "ed25519.key", "ed25519", hint)
        ).public_key(),
        X25519PrivateKey.from_private_bytes(
            read_private_key(dev_dir / "x25519.key", "x25519", hint)
        ).public_key(),
    )
    write_public_file(pool_home / "devices" / f"{device_id}.pub.json", device_public.to_json())
    write_public_file(dev_dir / "pool.pub.json", pool.public.to_json())


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
    pool_home = pool_dir(root)
    if pool_home.is_dir():
        try:
            out.append(_entry("pool", "pool", pool_home, PoolKeys.load(root).public, None))
        except KeyStoreError as exc:
            out.append(_entry("pool", "pool", pool_home, None, str(exc)))
        if (pool_home / "previous").is_dir():
            try:
                prev = PoolKeys.load(root)
                if prev.previous is not None:
                    pub = PublicKeys(prev.previous[0].public_key(), prev.previous[1].public_key())
                    entry = _entry("pool-previous", "pool", pool_home / "previous", pub, None)
                    entry["until"] = prev.previous_until
                    out.append(entry)
            except KeyStoreError as exc:
                out.append(_entry("pool-previous", "pool", pool_home / "previous", None, str(exc)))
        for f in sorted((pool_home / "revoked").glob("*.pub.json")):
            ident = f.name.removesuffix(".pub.json")
            try:
                out.append(_entry("revoked-device", ident, f, _load_public(f, ""), None))
            except KeyStoreError as exc:
                out.append(_entry("revoked-device", ident, f, None, str(exc)))
        for f in sorted((pool_home / "devices").glob("*.pub.json")):
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
