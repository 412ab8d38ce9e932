from __future__ import annotations

import json
import stat

import pytest

from protocol.errors import KeyStoreError
from protocol.keys import DeviceKeys, PoolKeys, PublicKeys, fingerprint, init_keys, list_keys

PRIVATE = ["pool/ed25519.key", "pool/x25519.key", "device/dev1/ed25519.key", "device/dev1/x25519.key"]


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_creates_the_layout_with_private_files_0600(tmp_path):
    root = tmp_path / "keys"
    init_keys(root, "dev1")
    for rel in PRIVATE:
        assert _mode(root / rel) == 0o600, rel
    for rel in ["pool", "pool/devices", "device", "device/dev1"]:
        assert _mode(root / rel) == 0o700, rel
    assert (root / "pool/devices/dev1.pub.json").is_file()
    assert (root / "device/dev1/pool.pub.json").is_file()
    assert not list(root.rglob("*.tmp"))


def test_init_is_idempotent_and_never_overwrites_private_keys(tmp_path):
    root = tmp_path / "keys"
    init_keys(root, "dev1")
    before = {rel: (root / rel).read_bytes() for rel in PRIVATE}
    pins = (root / "device/dev1/pool.pub.json").read_bytes()
    init_keys(root, "dev1")
    init_keys(root, "dev2")
    assert {rel: (root / rel).read_bytes() for rel in PRIVATE} == before
    assert (root / "device/dev1/pool.pub.json").read_bytes() == pins
    assert (root / "device/dev2/pool.pub.json").read_bytes() == pins


def test_enrolment_and_pin_match_the_private_keys(store):
    assert store.pool.device("dev1") == store.dev1.public
    assert store.dev1.pool == store.pool.public
    assert store.dev1.public.key_id != store.dev2.public.key_id


def test_group_readable_private_key_is_refused(tmp_path):
    root = tmp_path / "keys"
    init_keys(root, "dev1")
    path = root / "device/dev1/x25519.key"
    path.chmod(0o644)
    with pytest.raises(KeyStoreError, match=f"chmod 600 {path}"):
        DeviceKeys.load(root, "dev1")
    (root / "pool/ed25519.key").chmod(0o640)
    with pytest.raises(KeyStoreError, match="chmod 600"):
        PoolKeys.load(root)


def test_missing_keys_are_reported(tmp_path):
    with pytest.raises(KeyStoreError, match="tandem keys init"):
        DeviceKeys.load(tmp_path, "dev1")
    with pytest.raises(KeyStoreError, match="no private key"):
        PoolKeys.load(tmp_path)


def test_missing_pin_is_reported(tmp_path):
    init_keys(tmp_path, "dev1")
    (tmp_path / "device/dev1/pool.pub.json").unlink()
    with pytest.raises(KeyStoreError, match="no pinned pool key"):
        DeviceKeys.load(tmp_path, "dev1")


def test_unknown_device_and_revocation(store):
    with pytest.raises(KeyStoreError, match="unknown device 'dev3'"):
        store.pool.device("dev3")
    (store.root / "pool/devices/dev2.pub.json").unlink()
    with pytest.raises(KeyStoreError, match="not enrolled"):
        store.pool.device("dev2")


@pytest.mark.parametrize("bad", ["../pool", "", "a/b", "x" * 65, "dev 1"])
def test_invalid_device_ids_never_become_paths(store, bad):
    with pytest.raises(KeyStoreError, match="invalid device id"):
        store.pool.device(bad)
    with pytest.raises(KeyStoreError, match="invalid device id"):
        init_keys(store.root, bad)


def test_corrupt_private_key_is_reported(tmp_path):
    init_keys(tmp_path, "dev1")
    path = tmp_path / "device/dev1/ed25519.key"
    path.write_text('{"schema_version": 1, "type": "x25519", "private": "AAAA"}')
    with pytest.raises(KeyStoreError, match="not a valid tandem ed25519"):
        DeviceKeys.load(tmp_path, "dev1")


def test_public_keys_json_round_trip_and_check(store):
    pub = store.dev1.public
    text = pub.to_json()
    assert PublicKeys.from_json(text) == pub
    assert json.loads(text)["key_id"] == pub.key_id == fingerprint(pub.x25519)
    doc = json.loads(text)
    doc["key_id"] = "0" * 16
    with pytest.raises(KeyStoreError, match="says key_id"):
        PublicKeys.from_json(json.dumps(doc))
    with pytest.raises(KeyStoreError, match="not a valid"):
        PublicKeys.from_json("{}")


def test_list_keys_shows_fingerprints_only(store):
    entries = list_keys(store.root)
    got = {(e["role"], e["id"]): e for e in entries}
    assert set(got) == {
        ("pool", "pool"),
        ("enrolled-device", "dev1"),
        ("enrolled-device", "dev2"),
        ("device", "dev1"),
        ("device", "dev2"),
        ("pinned-pool", "dev1"),
        ("pinned-pool", "dev2"),
    }
    assert (
        got["device", "dev1"]["key_id"]
        == got["enrolled-device", "dev1"]["key_id"]
        == store.dev1.public.key_id
    )
    assert got["pinned-pool", "dev1"]["key_id"] == got["pool", "pool"]["key_id"]
    dump = json.dumps(entries)
    for rel in PRIVATE:
        secret = json.loads((store.root / rel).read_text())["private"]
        assert secret not in dump


def test_list_keys_reports_unreadable_entries(store):
    (store.root / "device/dev2/ed25519.key").chmod(0o644)
    bad = [e for e in list_keys(store.root) if e["error"]]
    assert [(e["role"], e["id"]) for e in bad] == [("device", "dev2")]
    assert "chmod 600" in bad[0]["error"]


def test_enrolled_device_lookups_are_cached_but_revocation_and_rekeying_apply_at_once(tmp_path):
    import os

    from protocol.key_lifecycle import enrol_device, revoke_device
    from protocol.keys import DeviceKeys, PoolKeys, PublicKeys, init_keys

    root = tmp_path / "keys"
    init_keys(root, "dev1")
    pool = PoolKeys.load(root)
    first = pool.device("dev1")
    assert pool.device("dev1") is first  # unchanged file: no re-read
    revoke_device(root, "dev1")
    with pytest.raises(KeyStoreError, match="not enrolled"):
        pool.device("dev1")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    new = PublicKeys(Ed25519PrivateKey.generate().public_key(), X25519PrivateKey.generate().public_key())
    enrol_device(root, "dev1", new)
    assert pool.device("dev1").key_id == new.key_id != first.key_id
    assert os.stat(root / "pool" / "devices" / "dev1.pub.json")
    assert DeviceKeys.load(root, "dev1").public.key_id == first.key_id  # the device's own files are untouched
