"""The worker pool's task ledger: who runs each task, and the sealed result to re-send on repeats.

QoS 1 delivers duplicates and devices re-send unanswered tasks byte for byte, so the same task id
reaches the pool several times, possibly at different workers of the shared subscription. The
ledger makes the model run once per task id:

    claim(device, task, worker) -> RUN      first sight, or the previous claim's lease ran out
                                              (its worker died mid-task: run it again)
                                -> RESEND   done before: publish the stored sealed result again
                                -> BUSY     another (live) claim holds it: drop this copy
    complete(device, task, worker, sealed result)

It is SQLite (WAL, `BEGIN IMMEDIATE` per claim), so the workers of one host can share one file and
a restarted worker still knows what it answered; `path=None` keeps it in the worker's memory.
Only sealed results (encrypted to the device) are stored. Rows older than `retention_s` are
pruned: keep it at least the tasks' time-to-live, so that any task still acceptable is known.
"""

from __future__ import annotations

import enum
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from cloud.errors import LedgerError

log = logging.getLogger(__name__)

T = TypeVar("T")


class Action(enum.Enum):
    RUN = "run"
    RESEND = "resend"
    BUSY = "busy"


@dataclass(frozen=True)
class Claim:
    action: Action
    result: bytes | None = None


SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    device_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    claimed_at REAL NOT NULL,
    result BLOB,
    done_at REAL,
    PRIMARY KEY (device_id, task_id)
)
"""


class TaskLedger:
    def __init__(self, path: Path | None = None, *, lease_s: float = 120.0, retention_s: float = 900.0) -> None:
        """`lease_s`: how long a claim blocks other workers; longer than the slowest answer."""
        self.path = path
        self.lease_s = lease_s
        self.retention_s = retention_s
        self._lock = threading.Lock()
        self._next_prune = 0.0
        for attempt in range(20):  # workers of a pool starting together race to set WAL mode
            try:
                self._db = sqlite3.connect(str(path) if path is not None else ":memory:", isolation_level=None,
                                           check_same_thread=False, timeout=10)
                if path is not None:
                    self._db.execute("PRAGMA journal_mode=WAL")
                    self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.execute(SCHEMA)
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 19:
                    raise LedgerError(f"cannot open the task ledger at {path} ({exc}): check the path and "
                                      "its rights") from exc
                self._db.close()
                time.sleep(0.05 * (attempt + 1))
            except sqlite3.Error as exc:
                raise LedgerError(f"cannot open the task ledger at {path} ({exc}): check the path and its "
                                  "rights") from exc

    def _tx(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    out = fn(self._db)
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
                return out
            except sqlite3.Error as exc:
                raise LedgerError(f"task ledger write failed ({exc}): check free disk space") from exc

    def claim(self, device_id: str, task_id: str, owner: str, *, now: float | None = None) -> Claim:
        now = time.time() if now is None else now
        self._maybe_prune(now)

        def go(db: sqlite3.Connection) -> Claim:
            row = db.execute("SELECT owner, claimed_at, result FROM tasks WHERE device_id = ? AND task_id = ?",
                             (device_id, task_id)).fetchone()
            if row is None:
                db.execute("INSERT INTO tasks (device_id, task_id, owner, claimed_at) VALUES (?, ?, ?, ?)",
                           (device_id, task_id, owner, now))
                return Claim(Action.RUN)
            _holder, claimed_at, result = row
            if result is not None:
                return Claim(Action.RESEND, bytes(result))
            if now - claimed_at < self.lease_s:
                return Claim(Action.BUSY)  # running now, here or at a live worker of the pool
            db.execute("UPDATE tasks SET owner = ?, claimed_at = ? WHERE device_id = ? AND task_id = ?",
                       (owner, now, device_id, task_id))
            return Claim(Action.RUN)

        return self._tx(go)

    def complete(self, device_id: str, task_id: str, owner: str, result: bytes, *,
                 now: float | None = None) -> None:
        now = time.time() if now is None else now
        self._tx(lambda db: db.execute(
            "INSERT INTO tasks (device_id, task_id, owner, claimed_at, result, done_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (device_id, task_id) DO UPDATE SET owner = excluded.owner, result = excluded.result, "
            "done_at = excluded.done_at WHERE tasks.result IS NULL",
            (device_id, task_id, owner, now, bytes(result), now)))

    def _maybe_prune(self, now: float) -> None:
        if now < self._next_prune:
            return
        self._next_prune = now + 60
        self._tx(lambda db: db.execute("DELETE FROM tasks WHERE claimed_at < ?", (now - self.retention_s,)))

    def close(self) -> None:
        with self._lock:
            self._db.close()
