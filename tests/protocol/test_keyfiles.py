"""The key files' own module (protocol.keyfiles): formats, atomic writes, mode checks, layout.

The key sets built on them are tested through `protocol.keys` in test_keys.py; these tests call the
file functions directly, for the cases the key sets never reach."""

from __future__ import annotations

import json
import logging
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from protocol.errors import KeyStoreError
from protocol.keyfiles import (
    device_dir,
    parse_overlap,
    pool_dir,
    read_private_key,
    write_overlap,
    write_private_key,
    write_public_file,
)
from protocol.keys import PublicKeys


def _raw(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def test_a_private_key_is_written_0600_once_and_read_back(tmp_path):
    first, second = X25519PrivateKey.generate(), X25519PrivateKey.generate()
    path = tmp_path / "x25519.key"
    assert write_private_key(path, first) is True
    assert write_private_key(path, second) is False  # an existing key is never replaced
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_private_key(path, "x25519", "hint") == _raw(first)
    assert [p.name for p in tmp_path.iterdir()] == ["x25519.key"]  # no temporary file left behind
    with pytest.raises(KeyStoreError, match="not a valid tandem ed25519 private key file"):
        read_private_key(path, "ed25519", "hint")  # the document says which kind it holds


def test_a_private_key_that_is_not_a_regular_file_is_refused(tmp_path):
    (tmp_path / "ed25519.key").mkdir()
    with pytest.raises(KeyStoreError, match="not a regular file: replace it with a key file \\(make one\\)"):
        read_private_key(tmp_path / "ed25519.key", "ed25519", "make one")
    with pytest.raises(KeyStoreError, match="no private key at .*: make one"):
        read_private_key(tmp_path / "missing.key", "ed25519", "make one")


def test_a_public_file_is_replaced_atomically_and_a_change_is_logged(tmp_path, caplog):
    a = PublicKeys(Ed25519PrivateKey.generate().public_key(), X25519PrivateKey.generate().public_key())
    b = PublicKeys(Ed25519PrivateKey.generate().public_key(), X25519PrivateKey.generate().public_key())
    path = tmp_path / "pool.pub.json"
    write_public_file(path, a.to_json())
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    with caplog.at_level(logging.WARNING, logger="protocol.keyfiles"):
        write_public_file(path, a.to_json())  # same keys: left alone, nothing logged
        assert not caplog.records
        write_public_file(path, b.to_json())
    assert "its keys differ" in caplog.text
    assert PublicKeys.from_json(path.read_bytes()) == b
    assert [p.name for p in tmp_path.iterdir()] == ["pool.pub.json"]


def test_an_overlap_document_round_trips(tmp_path):
    path = tmp_path / "overlap.json"
    write_overlap(path, "0123456789abcdef", 1234.5)
    assert json.loads(path.read_text()) == {"schema_version": 1, "key_id": "0123456789abcdef", "until": 1234.5}
    assert parse_overlap(path.read_bytes()) == ("0123456789abcdef", 1234.5)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_the_layout_checks_device_ids_before_they_become_paths(tmp_path):
    assert device_dir(tmp_path, "kitchen-pi") == tmp_path / "device" / "kitchen-pi"
    assert pool_dir(tmp_path) == tmp_path / "pool"
    for bad in ("../pool", "a/b", "", "x" * 65):
        with pytest.raises(KeyStoreError, match="invalid device id"):
            device_dir(tmp_path, bad)
