"""The durable spool on its own: transitions, the size bound, reopening, and unreadable rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from device.errors import SpoolCorrupt, SpoolFull
from device.spool import Spool, SpoolRecord
from protocol.envelope import make_header, seal
from protocol.messages import Header, SubTask

POOL = X25519PrivateKey.generate().public_key()
DEV = Ed25519PrivateKey.generate()


def _sealed(prompt: str = "p", ttl_s: float = 600) -> tuple[Header, bytes]:
    header = make_header("task", "dev1", POOL, ttl_s=ttl_s)
    return header, seal(header, SubTask(prompt=prompt), POOL, DEV)


def test_a_task_is_answered_once_and_its_sealed_result_kept(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s.sqlite")
    header, wire = _sealed()
    spool.add(header, wire)
    assert [r.task_id for r in spool.pending()[0]] == [header.task_id]
    assert spool.complete(header.task_id, b"sealed-result")
    assert not spool.complete(header.task_id, b"another result")  # a second result changes nothing
    assert not spool.expire(header.task_id)
    assert spool.result(header.task_id) == b"sealed-result"
    assert spool.counts() == {"pending": 0, "accepted": 1, "answered": 1}


def test_the_spool_survives_reopening_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    spool = Spool(path)
    kept = [_sealed(f"t{i}") for i in range(3)]
    for header, wire in kept:
        spool.add(header, wire)
    spool.complete(kept[0][0].task_id, b"r")
    # no close(): as after kill -9
    again = Spool(path)
    records, corrupt = again.pending()
    assert [r.task_id for r in records] == [h.task_id for h, _ in kept[1:]] and corrupt == []
    assert records[0].wire == kept[1][1]
    assert again.outcome(kept[0][0].task_id) == "answered"
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_size_bound_refuses_new_tasks_and_keeps_accepted_ones(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s.sqlite", max_tasks=2)
    first = [_sealed() for _ in range(2)]
    for header, wire in first:
        spool.add(header, wire)
    with pytest.raises(SpoolFull, match="answered on the device"):
        spool.add(*_sealed())
    assert len(spool.pending()[0]) == 2
    spool.complete(first[0][0].task_id, b"r")
    spool.add(*_sealed())  # room again
    small = Spool(None, max_bytes=100)
    with pytest.raises(SpoolFull):
        small.add(*_sealed())


def test_expired_and_abandoned_are_final(tmp_path: Path) -> None:
    spool = Spool(None)
    a, b = _sealed(), _sealed()
    spool.add(*a)
    spool.add(*b)
    assert spool.expire(a[0].task_id) and spool.abandon(b[0].task_id)
    assert not spool.complete(a[0].task_id, b"late")
    assert (spool.outcome(a[0].task_id), spool.outcome(b[0].task_id)) == ("expired", "abandoned")
    assert spool.result(a[0].task_id) is None


def test_an_unreadable_row_is_reported_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    spool = Spool(path)
    header, wire = _sealed()
    spool.add(header, wire)
    good_h, good_w = _sealed()
    spool.add(good_h, good_w)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE pending SET wire = ? WHERE task_id = ?", (b"garbage", header.task_id))
    records, corrupt = Spool(path).pending()
    assert [r.task_id for r in records] == [good_h.task_id]
    assert corrupt == [header.task_id]
    assert Spool(path).counts()["pending"] == 2  # kept for inspection, not dropped


def test_record_must_agree_with_its_sealed_header() -> None:
    header, wire = _sealed()
    row = (header.task_id, wire, header.key_id, 1.0, header.expires_at, 0)
    assert SpoolRecord.from_row(row).task_id == header.task_id
    with pytest.raises(SpoolCorrupt, match="disagrees"):
        SpoolRecord.from_row((header.task_id, wire, header.key_id, 1.0, header.expires_at + 1, 0))
    other, _ = _sealed()
    with pytest.raises(SpoolCorrupt, match="disagrees"):
        SpoolRecord.from_row((other.task_id, wire, header.key_id, 1.0, header.expires_at, 0))
    with pytest.raises(SpoolCorrupt, match="fields: task_id"):
        SpoolRecord.from_row(("nope", wire, header.key_id, 1.0, header.expires_at, 0))


def test_response_keys_are_stored_wrapped_in_a_private_file(tmp_path: Path) -> None:
    import os
    import stat

    from device.response_keys import ResponseKeyWrap
    from protocol.response import new_response_key

    path = tmp_path / "state" / "s.sqlite"
    spool = Spool(path)
    wrap = ResponseKeyWrap(X25519PrivateKey.generate())
    header, wire = _sealed()
    key = new_response_key()
    spool.add(header, wire, response_key=wrap.wrap(header.task_id, key))
    assert wrap.unwrap(header.task_id, spool.pending()[0][0].response_key or b"") == key
    assert spool.complete(header.task_id, b"result")
    assert wrap.unwrap(header.task_id, spool.response_key(header.task_id) or b"") == key  # kept for late duplicates
    spool.close()
    for f in (path, path.with_name("s.sqlite-wal")):
        if f.exists():
            assert stat.S_IMODE(os.stat(f).st_mode) == 0o600
            assert key not in f.read_bytes()
    with pytest.raises(SpoolCorrupt, match="does not open"):
        ResponseKeyWrap(X25519PrivateKey.generate()).unwrap(header.task_id, wrap.wrap(header.task_id, key))
    with pytest.raises(SpoolCorrupt, match="does not open"):
        wrap.unwrap("f" * 32, wrap.wrap(header.task_id, key))  # bound to its task
    assert "ResponseKeyWrap(<hidden>)" == repr(wrap)
