"""The worker pool's task ledger: who runs each task, and the sealed result to re-send on repeats.

QoS 1 delivers duplicates and devices re-send unanswered tasks byte for byte, so the same task id
reaches the pool several times, possibly at different workers of the shared subscription. The
ledger makes the model run once per task id:

    claim(device, task, worker) -> RUN      first sight, or the previous claim's lease ran out
                                              (its worker died mid-task: run it again)
                                -> RESEND   done before: publish the stored sealed result again
                                -> BUSY     another (live) claim holds it: drop this copy
    complete(device, task, worker, sealed result)
    peek(device, task)                  instant backends only: RUN/RESEND/BUSY without a claim

`TaskLedger` is SQLite (WAL, synchronous=NORMAL), so the workers of one host can share one file
and a restarted worker still knows what it answered. Without a file, `MemoryLedger` keeps the same
transitions in a dict under a lock (`open_ledger(None)`): an in-memory SQLite would cost each task
two statements, the largest part of an echo worker's time per task, for no durability.
Each transition is one atomic statement on the hot path (SQLite runs every statement in its own
transaction under the database's write lock), and the sqlite3 module keeps them prepared:

    claim     INSERT ... ON CONFLICT DO UPDATE (take over) WHERE no result AND lease ran out
              -> a row changed: RUN; else one SELECT tells RESEND (result stored) from BUSY
    complete  INSERT ... ON CONFLICT DO UPDATE SET result WHERE no result yet (first result wins)

so exactly-once holds across processes without an explicit BEGIN IMMEDIATE ... COMMIT (which
cost three more round trips into SQLite per transition). WAL with synchronous=NORMAL may lose the
last commits on power loss (not on a process crash): a task then runs again on its next delivery,
and the device still takes only its first result.
Only sealed results (encrypted to the device) are stored. Rows older than `retention_s` are
pruned: keep it at least the tasks' time-to-live, so that any task still acceptable is known.
"""

from __future__ import annotations

import enum
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cloud.errors import LedgerError

log = logging.getLogger(__name__)


class Action(enum.Enum):
    RUN = "run"
    RESEND = "resend"
    BUSY = "busy"


@dataclass(frozen=True)
class Claim:
    action: Action
    result: bytes | None = None


def known_claim(result: bytes | None) -> Claim:
    """A known task that this caller must not run: its stored result to re-send, or a live claim."""
    return Claim(Action.RESEND, bytes(result)) if result is not None else Claim(Action.BUSY)


class Ledger(Protocol):
    """What a worker needs of a ledger (`TaskLedger` on a file, `MemoryLedger` in memory)."""

    def claim(self, device_id: str, task_id: str, owner: str, *, now: float | None = None) -> Claim: ...

    def peek(self, device_id: str, task_id: str, *, now: float | None = None) -> Claim: ...

    def complete(self, device_id: str, task_id: str, owner: str, result: bytes, *,
                 now: float | None = None) -> None: ...

    def close(self) -> None: ...


def open_ledger(path: Path | None, *, lease_s: float = 120.0, retention_s: float = 900.0,
                url: str | None = None) -> Ledger:
    """A PostgreSQL ledger at `url` (shared by a pool on several machines, `cloud.ledger_postgres`), a SQLite
    ledger at `path` (shared by the workers of a host), or one in this process's memory."""
    if url is not None:
        from cloud.ledger_postgres import PostgresLedger

        return PostgresLedger(url, lease_s=lease_s, retention_s=retention_s)
    if path is None:
        return MemoryLedger(lease_s=lease_s, retention_s=retention_s)
    return TaskLedger(path, lease_s=lease_s, retention_s=retention_s)


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

_CLAIM = (
    "INSERT INTO tasks (device_id, task_id, owner, claimed_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (device_id, task_id) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at "
    "WHERE tasks.result IS NULL AND excluded.claimed_at - tasks.claimed_at >= ?5"
)
_COMPLETE = (
    "INSERT INTO tasks (device_id, task_id, owner, claimed_at, result, done_at) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (device_id, task_id) DO UPDATE SET owner = excluded.owner, result = excluded.result, "
    "done_at = excluded.done_at WHERE tasks.result IS NULL"
)


class TaskLedger:
    def __init__(self, path: Path | None = None, *, lease_s: float = 120.0, retention_s: float = 900.0) -> None:
        """`lease_s`: how long a claim blocks other workers; longer than the slowest answer."""
        self.path = path
        self.lease_s = lease_s
        self.retention_s = retention_s
        self._lock = threading.Lock()
        self._next_prune = 0.0
        if path is not None:
            try:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the default lives in the state dir
            except OSError as exc:
                raise LedgerError(f"cannot create the task ledger's directory {path.parent} ({exc}): check its "
                                  "rights or set [worker] ledger_path") from exc
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

    def _one(self, sql: str, args: tuple[object, ...]) -> sqlite3.Cursor:
        """One statement in its own (autocommit) transaction."""
        with self._lock:
            try:
                return self._db.execute(sql, args)
            except sqlite3.Error as exc:
                raise LedgerError(f"task ledger write failed ({exc}): check free disk space") from exc

    def claim(self, device_id: str, task_id: str, owner: str, *, now: float | None = None) -> Claim:
        now = time.time() if now is None else now
        self._maybe_prune(now)
        # first sight inserts; a claim whose lease ran out (its worker died) is taken over; a row with
        # a result or a live claim is left alone. One statement: atomic against every other worker.
        if self._one(_CLAIM, (device_id, task_id, owner, now, self.lease_s)).rowcount == 1:
            return Claim(Action.RUN)
        row = self._row(device_id, task_id)
        # None or no result: running now, here or at a live worker of the pool (or pruned this instant:
        # a task that old has expired, so dropping the copy is right too)
        return known_claim(row[0] if row is not None else None)

    def peek(self, device_id: str, task_id: str, *, now: float | None = None) -> Claim:
        """For instant backends (`Backend.inline`), which need no claim: RESEND (a stored result),
        BUSY (a live claim of a slow worker sharing this ledger) or RUN, with one read and no write
        transaction. Two workers that both see RUN both answer (at no cost, the device keeps the
        first result); `complete` stores the first."""
        self._maybe_prune(time.time() if now is None else now)
        row = self._row(device_id, task_id)
        return Claim(Action.RUN) if row is None else known_claim(row[0])

    def _row(self, device_id: str, task_id: str) -> tuple[bytes | None] | None:
        """(result,) of a task's row, None if the ledger does not know it."""
        with self._lock:
            try:
                row: tuple[bytes | None] | None = self._db.execute(
                    "SELECT result FROM tasks WHERE device_id = ? AND task_id = ?", (device_id, task_id)).fetchone()
            except sqlite3.Error as exc:
                raise LedgerError(f"task ledger read failed ({exc})") from exc
        return row

    def complete(self, device_id: str, task_id: str, owner: str, result: bytes, *,
                 now: float | None = None) -> None:
        now = time.time() if now is None else now
        self._one(_COMPLETE, (device_id, task_id, owner, now, bytes(result), now))

    def _maybe_prune(self, now: float) -> None:
        if now < self._next_prune:
            return
        self._next_prune = now + 60
        self._one("DELETE FROM tasks WHERE claimed_at < ?", (now - self.retention_s,))

    def close(self) -> None:
        with self._lock:
            self._db.close()


@dataclass
class _Row:
    owner: str
    claimed_at: float
    result: bytes | None = None


class MemoryLedger:
    """The ledger of one worker process, in a dict: the same transitions as `TaskLedger`.

    Rows are kept in claim order (a take-over moves its row to the end), so pruning pops from the
    front; `max_rows` bounds memory under a sustained flood as well (the oldest rows go first: a
    repeat of a forgotten task runs again, and the device keeps the first result it gets).
    """

    def __init__(self, *, lease_s: float = 120.0, retention_s: float = 900.0, max_rows: int = 100_000) -> None:
        self.lease_s = lease_s
        self.retention_s = retention_s
        self.max_rows = max_rows
        self._rows: dict[tuple[str, str], _Row] = {}
        self._lock = threading.Lock()
        self._next_prune = 0.0

    def __len__(self) -> int:
        return len(self._rows)

    def claim(self, device_id: str, task_id: str, owner: str, *, now: float | None = None) -> Claim:
        now = time.time() if now is None else now
        key = (device_id, task_id)
        with self._lock:
            self._prune(now)
            row = self._rows.get(key)
            if row is None or (row.result is None and now - row.claimed_at >= self.lease_s):
                self._rows.pop(key, None)  # a take-over moves to the end: pruning stays in claim order
                self._rows[key] = _Row(owner, now)
                self._bound()
                return Claim(Action.RUN)
            return known_claim(row.result)

    def peek(self, device_id: str, task_id: str, *, now: float | None = None) -> Claim:
        """As `TaskLedger.peek`: RESEND, BUSY or RUN, and nothing recorded."""
        with self._lock:
            self._prune(time.time() if now is None else now)
            row = self._rows.get((device_id, task_id))
        return Claim(Action.RUN) if row is None else known_claim(row.result)

    def complete(self, device_id: str, task_id: str, owner: str, result: bytes, *,
                 now: float | None = None) -> None:
        now = time.time() if now is None else now
        key = (device_id, task_id)
        with self._lock:
            row = self._rows.get(key)
            if row is None:
                self._rows[key] = _Row(owner, now, bytes(result))
                self._bound()
            elif row.result is None:  # the first stored result wins
                row.owner, row.result = owner, bytes(result)

    def _prune(self, now: float) -> None:
        if now < self._next_prune:
            return
        self._next_prune = now + 60
        cutoff = now - self.retention_s
        while self._rows:
            key, row = next(iter(self._rows.items()))
            if row.claimed_at >= cutoff:
                break
            del self._rows[key]

    def _bound(self) -> None:
        while len(self._rows) > self.max_rows:
            del self._rows[next(iter(self._rows))]

    def close(self) -> None:
        with self._lock:
            self._rows.clear()
