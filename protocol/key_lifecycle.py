"""Key lifecycle across hosts: create, export public parts, enrol, pin, rotate the pool, revoke.

`protocol.keys.init_keys` does everything on one host (the demo layout, where the device and the pool
share one key root). A real fleet splits it:

    device host:  create_device_keys(root, id)  ->  export_public(root, device_id=id) > dev.pub.json
    pool host:    create_pool_keys(root); enrol_device(root, id, dev.pub.json)
                  export_public(root) > pool.pub.json
    device host:  pin_pool(root, id, pool.pub.json)

Rotation (`rotate_pool`) moves the current pool pair to `pool/previous/` with an overlap deadline
and creates a new pair; workers accept both until the deadline (`PoolKeys.pair_for`), devices pin
the new public keys (`pin_pool`, which keeps the old pin as `pool.previous.pub.json` so results
for tasks already sealed to the old key still verify). Local device directories under the same
root are re-pinned at once. Revocation moves the enrolment file to `pool/revoked/`: workers read
enrolments on every task, so the device is refused from its next message on.

The files themselves (layout, formats, atomic writes, mode checks) are `protocol.keyfiles`: private
key material is written only by `keyfiles.write_private_key`; nothing here logs or returns it.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from protocol.errors import KeyStoreError
from protocol.keyfiles import (
    check_device_id,
    device_dir,
    ensure_dir,
    parse_overlap,
    pool_dir,
    read_private_key,
    write_overlap,
    write_private_key,
    write_public_file,
)
from protocol.keys import PoolKeys, PublicKeys

__all__ = [
    "create_device_keys",
    "create_pool_keys",
    "device_public",
    "end_overlap",
    "enrol_device",
    "export_public",
    "pin_pool",
    "revoke_device",
    "rotate_pool",
]

log = logging.getLogger(__name__)


def create_pool_keys(keys_root: Path) -> PublicKeys:
    """Create the pool pair if missing (never overwrites); return its public keys."""
    d = pool_dir(Path(keys_root))
    for sub in (Path(keys_root), d, d / "devices"):
        ensure_dir(sub)
    if write_private_key(d / "ed25519.key", Ed25519PrivateKey.generate()):
        log.info("created pool signing key %s", d / "ed25519.key")
    if write_private_key(d / "x25519.key", X25519PrivateKey.generate()):
        log.info("created pool encryption key %s", d / "x25519.key")
    return PoolKeys.load(keys_root).public


def create_device_keys(keys_root: Path, device_id: str) -> PublicKeys:
    """Create a device's pairs if missing (no enrolment, no pin); return its public keys."""
    d = device_dir(Path(keys_root), device_id)
    for sub in (Path(keys_root), Path(keys_root) / "device", d):
        ensure_dir(sub)
    write_private_key(d / "ed25519.key", Ed25519PrivateKey.generate())
    write_private_key(d / "x25519.key", X25519PrivateKey.generate())
    return device_public(keys_root, device_id)


def device_public(keys_root: Path, device_id: str) -> PublicKeys:
    d = device_dir(Path(keys_root), device_id)
    hint = f"run `tandem keys create --device {device_id}`"
    return PublicKeys(
        Ed25519PrivateKey.from_private_bytes(read_private_key(d / "ed25519.key", "ed25519", hint)).public_key(),
        X25519PrivateKey.from_private_bytes(read_private_key(d / "x25519.key", "x25519", hint)).public_key(),
    )


def export_public(keys_root: Path, device_id: str | None = None) -> str:
    """The public key document of a device (`device_id`) or of the pool (None), to hand over."""
    if device_id is None:
        return PoolKeys.load(keys_root).public.to_json()
    return device_public(keys_root, device_id).to_json()


def enrol_device(keys_root: Path, device_id: str, public: PublicKeys, *, replace: bool = False) -> Path:
    """Let the pool accept tasks from `device_id` signed by `public`. Refuses to swap keys silently."""
    check_device_id(device_id)
    d = pool_dir(Path(keys_root))
    if not (d / "ed25519.key").exists():
        raise KeyStoreError(f"no pool keys under {d}: run `tandem keys create --pool` first")
    ensure_dir(d / "devices")
    path = d / "devices" / f"{device_id}.pub.json"
    if path.exists() and not replace:
        current = PublicKeys.from_json(path.read_bytes(), source=str(path))
        if current != public:
            raise KeyStoreError(
                f"device {device_id!r} is enrolled with other keys ({current.key_id}, new "
                f"{public.key_id}): revoke it first or pass --replace if it was re-keyed"
            )
    write_public_file(path, public.to_json())
    revoked = d / "revoked" / f"{device_id}.pub.json"
    if revoked.exists():
        revoked.unlink()
    log.info("enrolled device=%s key_id=%s", device_id, public.key_id)
    return path


def pin_pool(keys_root: Path, device_id: str, public: PublicKeys) -> Path:
    """Make the device trust `public` as the pool; the previous pin is kept for the overlap."""
    d = device_dir(Path(keys_root), device_id)
    if not (d / "ed25519.key").exists():
        raise KeyStoreError(f"device {device_id!r} has no keys under {d}: run `tandem keys create --device "
                            f"{device_id}` first")
    current = d / "pool.pub.json"
    if current.exists():
        old = PublicKeys.from_json(current.read_bytes(), source=str(current))
        if old == public:
            return current
        write_public_file(d / "pool.previous.pub.json", old.to_json())
    write_public_file(current, public.to_json())
    log.info("pinned pool key_id=%s on device=%s", public.key_id, device_id)
    return current


def rotate_pool(keys_root: Path, overlap_s: float, *, now: float | None = None) -> PublicKeys:
    """Replace the pool pair; the old one stays valid for `overlap_s` seconds. Returns the new keys.

    Refuses while a previous overlap is still running (two old keys would be one too many to reason
    about); `end_overlap` ends it early.
    """
    if overlap_s < 0:
        raise KeyStoreError("the overlap must be zero or more seconds")
    root = Path(keys_root)
    pool = PoolKeys.load(root)
    now = time.time() if now is None else now
    d = pool_dir(root)
    prev = d / "previous"
    if pool.previous is not None and now <= pool.previous_until:
        raise KeyStoreError(
            f"the last rotation's overlap runs until {time.ctime(pool.previous_until)}: wait, or end it "
            f"with `tandem keys rotate-pool --end-overlap`"
        )
    end_overlap(root)
    staging = d / f".rotate-{uuid.uuid4().hex}"
    ensure_dir(staging)
    for name in ("ed25519.key", "x25519.key"):
        os.replace(d / name, staging / name)
    write_overlap(staging / "overlap.json", pool.key_id, now + overlap_s)
    os.replace(staging, prev)
    new = create_pool_keys(root)
    device_root = root / "device"
    if device_root.is_dir():
        for dev in sorted(p for p in device_root.iterdir() if p.is_dir() and (p / "pool.pub.json").exists()):
            pin_pool(root, dev.name, new)
    log.info("rotated pool key old=%s new=%s overlap_s=%.0f", pool.key_id, new.key_id, overlap_s)
    return new


def end_overlap(keys_root: Path) -> bool:
    """Forget the rotated-out pool pair now; True if there was one."""
    prev = pool_dir(Path(keys_root)) / "previous"
    if not prev.exists():
        return False
    overlap = prev / "overlap.json"
    if overlap.exists():
        parse_overlap(overlap.read_bytes(), source=str(overlap))  # refuse to delete what we cannot read
    shutil.rmtree(prev)
    return True


def revoke_device(keys_root: Path, device_id: str) -> Path:
    """Stop accepting the device: its enrolment moves to pool/revoked/. Returns the new path."""
    d = pool_dir(Path(keys_root))
    path = d / "devices" / f"{check_device_id(device_id)}.pub.json"
    if not path.exists():
        raise KeyStoreError(f"device {device_id!r} is not enrolled ({path} is missing): nothing to revoke")
    ensure_dir(d / "revoked")
    target = d / "revoked" / path.name
    os.replace(path, target)
    log.info("revoked device=%s", device_id)
    return target

