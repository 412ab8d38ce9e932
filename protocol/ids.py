"""Identifiers a sender mints and a receiver logs: sequence numbers, task ids, wire digests.

`next_seq` gives every header a sequence number that only grows, across restarts and without any
state on disk, which is what `protocol.replay.ReplayGuard` relies on. `new_task_id` names a task
(and a session ticket) with 122 random bits. `wire_digest` names raw wire bytes in logs and
counters without holding any of their content.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time

__all__ = ["new_task_id", "next_seq", "wire_digest"]

_seq_lock = threading.Lock()
_last_seq = 0


def next_seq() -> int:
    """Monotonic sequence number that survives restarts without state: microseconds since epoch,
    bumped by one when called faster than the clock ticks."""
    global _last_seq
    with _seq_lock:
        _last_seq = max(time.time_ns() // 1000, _last_seq + 1)
        return _last_seq


def new_task_id() -> str:
    """`uuid.uuid4().hex`, written out: 122 random bits with the version and variant bits set as
    RFC 4122 does (uuid.UUID's constructor costs more than the rest of sealing a task's header)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return raw.hex()


def wire_digest(wire: bytes) -> str:
    """A short id of raw wire bytes (first 8 bytes of sha256, hex): names a refused envelope in
    logs and counters without any of its content."""
    return hashlib.sha256(bytes(wire)).hexdigest()[:16]
