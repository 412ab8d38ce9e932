"""Keys across hosts: export/enrol/pin, pool rotation with an overlap, revocation."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from protocol.envelope import make_header, open_envelope, seal
from protocol.errors import KeyStoreError, MisaddressedError
from protocol.key_lifecycle import (
    create_device_keys,
    create_pool_keys,
    end_overlap,
    enrol_device,
    export_public,
    pin_pool,
    revoke_device,
    rotate_pool,
)
from protocol.keys import DeviceKeys, PoolKeys, PublicKeys, init_keys, list_keys
from protocol.messages import SubTask


def test_two_host_enrolment_through_exported_public_files(tmp_path: Path) -> None:
    device_root, pool_root = tmp_path / "device", tmp_path / "pool"
    create_device_keys(device_root, "kitchen")
    create_pool_keys(pool_root)
    enrol_device(pool_root, "kitchen", PublicKeys.from_json(export_public(device_root, "kitchen")))
    pin_pool(device_root, "kitchen", PublicKeys.from_json(export_public(pool_root)))
    dev, pool = DeviceKeys.load(device_root, "kitchen"), PoolKeys.load(pool_root)
    assert pool.device("kitchen") == dev.public and dev.pool == pool.public
    assert "private" not in export_public(device_root, "kitchen") + export_public(pool_root)
    for key in [*device_root.rglob("*.key"), *pool_root.rglob("*.key")]:
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    # re-enrolling other keys under the same id needs an explicit --replace
    other = create_device_keys(tmp_path / "thief", "kitchen")
    with pytest.raises(KeyStoreError, match="--replace"):
        enrol_device(pool_root, "kitchen", other)


def _task(dev: DeviceKeys) -> bytes:
    header = make_header("task", dev.device_id, dev.pool.x25519)
    return seal(header, SubTask(prompt="x"), dev.pool.x25519, dev.ed25519)


def _open(pool: PoolKeys, dev: DeviceKeys, wire: bytes, now: float | None = None) -> str:
    from protocol.envelope import peek_header

    _signer, recipient = pool.pair_for(peek_header(wire).key_id, now)
    return open_envelope(wire, recipient=recipient, sender_verify=dev.ed25519.public_key(),
                         payload_type=SubTask)[1].prompt


def test_rotation_accepts_both_keys_during_the_overlap_only(tmp_path: Path) -> None:
    root = tmp_path / "keys"
    init_keys(root, "dev1")
    old_dev = DeviceKeys.load(root, "dev1")
    old_wire = _task(old_dev)
    new_public = rotate_pool(root, overlap_s=60)
    pool, new_dev = PoolKeys.load(root), DeviceKeys.load(root, "dev1")
    assert new_dev.pool == new_public and new_dev.previous_pool == old_dev.pool  # re-pinned, old kept
    assert new_dev.pool_for(old_dev.pool.key_id) == old_dev.pool
    assert _open(pool, old_dev, old_wire) == "x"  # sealed to the old key: still accepted
    assert _open(pool, new_dev, _task(new_dev)) == "x"
    # the result of an old-key task is signed with the old pair, which the device still pins
    assert pool.pair_for(old_dev.pool.key_id)[0].public_key() == old_dev.pool.ed25519
    with pytest.raises(MisaddressedError, match="overlap ended"):
        _open(pool, old_dev, old_wire, now=time.time() + 120)
    with pytest.raises(KeyStoreError, match="overlap runs until"):
        rotate_pool(root, overlap_s=60)
    assert end_overlap(root)
    with pytest.raises(MisaddressedError, match="not to this pool"):
        _open(PoolKeys.load(root), old_dev, old_wire)
    roles = [e["role"] for e in list_keys(root)]
    assert "pool-previous" not in roles


def test_revocation_refuses_the_device_from_its_next_message(tmp_path: Path) -> None:
    root = tmp_path / "keys"
    init_keys(root, "dev1")
    pool = PoolKeys.load(root)
    assert pool.device("dev1")
    revoke_device(root, "dev1")
    with pytest.raises(KeyStoreError, match="not enrolled"):
        pool.device("dev1")
    assert [e["id"] for e in list_keys(root) if e["role"] == "revoked-device"] == ["dev1"]
    with pytest.raises(KeyStoreError, match="nothing to revoke"):
        revoke_device(root, "dev1")
