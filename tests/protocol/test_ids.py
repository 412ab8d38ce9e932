"""Ids a sender mints: sequence numbers that only grow, task ids, wire digests (protocol.ids)."""

from __future__ import annotations

import re
import threading

from protocol.ids import new_task_id, next_seq, wire_digest


def test_next_seq_is_strictly_increasing_and_time_based():
    import time

    before = time.time_ns() // 1000
    seqs = [next_seq() for _ in range(10_000)]
    assert seqs == sorted(set(seqs))
    assert seqs[0] >= before


def test_next_seq_is_thread_safe():
    out: list[int] = []

    def work():
        out.extend(next_seq() for _ in range(2000))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(out)) == len(out) == 8000


def test_new_task_id_is_uuid4_hex():
    ids = {new_task_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) and i[12] == "4" for i in ids)


def test_new_task_id_sets_the_bits_uuid_sets():
    import uuid

    for _ in range(200):
        parsed = uuid.UUID(hex=new_task_id())
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_wire_digest_names_bytes_without_holding_them():
    wire = b'{"header": {"task_id": "secret-looking"}}'
    digest = wire_digest(wire)
    assert re.fullmatch(r"[0-9a-f]{16}", digest)
    assert digest == wire_digest(bytearray(wire)) != wire_digest(wire + b" ")
