"""The device's durable escalation spool: SQLite in WAL mode, written before anything is published.

paho keeps unsent QoS 1 messages only in memory, so an escalation that must survive a broker
outage or a `kill -9` of the device process needs our own disk copy. Life of one escalation:

    add()       BEGIN IMMEDIATE; size check; INSERT pending; journal 'accepted'; COMMIT   (fsync)
                -> only now is the envelope published
    (retries)   the same sealed bytes, same task id, with backoff (`device.escalation`)
    complete()  BEGIN; DELETE pending; INSERT done('answered', sealed result); journal; COMMIT
    expire()    the same, outcome 'expired': the caller answers locally with a notice
    abandon()   the same, outcome 'abandoned': the caller stopped waiting (its own timeout)

Each transition out of `pending` is one transaction guarded by `DELETE ... WHERE task_id = ?`
having deleted exactly one row, so a task is answered at most once however many results arrive,
and a result is never lost between "removed from pending" and "stored".

Only sealed bytes are stored (the task envelope sealed to the pool, the result envelope encrypted
to this device) plus, for schema-2 tasks, the task's response key wrapped under a key derived
from the device's private key (`device.response_keys`): the spool holds no plaintext and no key
in clear. The database file is created 0600 (SQLite gives its -wal and -shm files the same mode). The size bound (`max_tasks`, `max_bytes`) refuses new
escalations with `SpoolFull`; accepted ones are never dropped. Rows read back are validated
(`SpoolRecord`); a row that does not parse is reported and kept for inspection, never deleted.

Migrations are named and append-only (a `_migrations` table records which ran), as in simonw/llm.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from device.errors import SpoolCorrupt, SpoolError, SpoolFull
from protocol.envelope import peek_header
from protocol.errors import EnvelopeError
from protocol.messages import KEY_ID_PATTERN, MAX_WIRE_BYTES, TASK_ID_PATTERN, Header

log = logging.getLogger(__name__)

Outcome = Literal["answered", "expired", "abandoned"]

MIGRATIONS: list[tuple[str, str]] = [
    ("001_pending_done_journal", """
        CREATE TABLE pending (
            task_id TEXT PRIMARY KEY,
            wire BLOB NOT NULL,
            key_id TEXT NOT NULL,
            created_at REAL NOT NULL,
            expires_at REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_attempt_at REAL
        );
        CREATE TABLE done (
            task_id TEXT PRIMARY KEY,
            outcome TEXT NOT NULL,
            result BLOB,
            finished_at REAL NOT NULL
        );
        CREATE INDEX done_finished ON done (finished_at);
        CREATE TABLE journal (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task_id TEXT NOT NULL,
            event TEXT NOT NULL,
            at REAL NOT NULL
        );
        CREATE INDEX journal_at ON journal (at);
    """),
    ("002_response_keys", """
        ALTER TABLE pending ADD COLUMN response_key BLOB;
        ALTER TABLE done ADD COLUMN response_key BLOB
    """),
]


def _create_private(path: Path) -> None:
    """Create the database file 0600 (in a 0700 dir) before SQLite opens it; tighten an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


class SpoolRecord(BaseModel):
    """One pending escalation as read back from disk; its wire must agree with its columns."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, hide_input_in_errors=True)

    schema_version: Literal[1] = 1
    task_id: str = Field(pattern=TASK_ID_PATTERN)
    wire: bytes = Field(min_length=1, max_length=MAX_WIRE_BYTES)
    key_id: str = Field(pattern=KEY_ID_PATTERN)
    created_at: float = Field(allow_inf_nan=False)
    expires_at: float = Field(allow_inf_nan=False)
    attempts: int = Field(ge=0)
    response_key: bytes | None = Field(default=None, max_length=256, repr=False)
    """The task's response key, wrapped (`device.response_keys`); None for a schema-1 task."""

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> SpoolRecord:
        """Validate a `pending` row (task_id, wire, key_id, created_at, expires_at, attempts,
        response_key).

        Raises SpoolCorrupt (naming fields, never values) for anything that does not parse or
        whose sealed header disagrees with its columns.
        """
        names = ("task_id", "wire", "key_id", "created_at", "expires_at", "attempts", "response_key")
        if not isinstance(row, (tuple, list)) or len(row) not in (len(names) - 1, len(names)):
            raise SpoolCorrupt("spool row has the wrong shape: the database was edited or is from a "
                               "newer tandem; move it aside to start a fresh spool")
        doc = dict(zip(names, row))  # a 6-column row (no response_key) is a schema-1 task's
        for key in ("created_at", "expires_at"):
            if isinstance(doc[key], int) and not isinstance(doc[key], bool):
                doc[key] = float(doc[key])  # SQLite REAL columns may hand back whole numbers as int
        try:
            record = cls.model_validate(doc)
        except ValidationError as exc:
            fields = sorted({str(e["loc"][0]) for e in exc.errors(include_input=False) if e["loc"]})
            raise SpoolCorrupt(f"spool row does not validate (fields: {', '.join(fields) or '?'}): "
                               "kept in the database for inspection") from exc
        try:
            header = peek_header(record.wire)
        except EnvelopeError as exc:
            raise SpoolCorrupt(f"spool row {record.task_id} holds no valid envelope ({type(exc).__name__}): "
                               "kept in the database for inspection") from exc
        if (header.kind, header.task_id, header.key_id, header.expires_at) != (
                "task", record.task_id, record.key_id, record.expires_at):
            raise SpoolCorrupt(f"spool row {record.task_id} disagrees with its sealed header: kept in the "
                               "database for inspection")
        return record

    @property
    def header(self) -> Header:
        return peek_header(self.wire)


class Spool:
    """Durable store of accepted escalations. `path=None` keeps it in memory (tests, no state dir)."""

    def __init__(self, path: Path | None = None, *, max_tasks: int = 1000, max_bytes: int = 64 * 2**20,
                 retention_s: float = 86_400.0, synchronous: Literal["FULL", "NORMAL"] = "FULL") -> None:
        if max_tasks < 1 or max_bytes < 1:
            raise ValueError("max_tasks and max_bytes must be positive")
        self.path = path
        self.max_tasks = max_tasks
        self.max_bytes = max_bytes
        self.retention_s = retention_s
        self._lock = threading.Lock()
        try:
            if path is not None:
                _create_private(Path(path))
            self._db = sqlite3.connect(str(path) if path is not None else ":memory:",
                                       isolation_level=None, check_same_thread=False, timeout=10)
            if path is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._migrate()
        except sqlite3.Error as exc:
            raise SpoolError(f"cannot open the escalation spool at {path} ({exc}): check the path, its "
                             "rights and free disk space") from exc
        except OSError as exc:
            raise SpoolError(f"cannot create the escalation spool at {path} ({exc.strerror}): check the path "
                             "and its rights") from exc

    def _migrate(self) -> None:
        with self._tx() as db:
            db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at REAL)")
            done = {r[0] for r in db.execute("SELECT name FROM _migrations")}
            for name, sql in MIGRATIONS:
                if name in done:
                    continue
                for statement in filter(str.strip, sql.split(";")):
                    db.execute(statement)
                db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, time.time()))

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise SpoolError(f"escalation spool write failed ({exc}): check free disk space") from exc

    def _read(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise SpoolError(f"escalation spool read failed ({exc})") from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- transitions -----------------------------------------------------------------------------

    def add(self, header: Header, wire: bytes, *, response_key: bytes | None = None,
            now: float | None = None) -> None:
        """Store an accepted escalation, durably, before it is published. SpoolFull at the bound.
        `response_key`: the task's response key, already wrapped (never a key in clear)."""
        now = time.time() if now is None else now
        with self._tx() as db:
            count, size = db.execute("SELECT COUNT(*), COALESCE(SUM(LENGTH(wire)), 0) FROM pending").fetchone()
            if count + 1 > self.max_tasks or size + len(wire) > self.max_bytes:
                raise SpoolFull(
                    f"the escalation spool is full ({count} tasks, {size} bytes; bound {self.max_tasks} "
                    f"tasks / {self.max_bytes} bytes): this part is answered on the device; accepted "
                    "escalations are kept and retried until answered or expired"
                )
            db.execute("INSERT INTO pending (task_id, wire, key_id, created_at, expires_at, response_key) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       (header.task_id, bytes(wire), header.key_id, now, header.expires_at, response_key))
            db.execute("INSERT INTO journal (task_id, event, at) VALUES (?, 'accepted', ?)", (header.task_id, now))

    def attempted(self, task_id: str, attempts: int, *, now: float | None = None) -> None:
        with self._tx() as db:
            db.execute("UPDATE pending SET attempts = ?, last_attempt_at = ? WHERE task_id = ?",
                       (attempts, time.time() if now is None else now, task_id))

    def _finish(self, task_id: str, outcome: Outcome, result: bytes | None, now: float | None) -> bool:
        now = time.time() if now is None else now
        with self._tx() as db:
            gone = db.execute("DELETE FROM pending WHERE task_id = ? RETURNING response_key", (task_id,)).fetchall()
            if len(gone) != 1:
                return False
            db.execute("INSERT OR REPLACE INTO done (task_id, outcome, result, finished_at, response_key) "
                       "VALUES (?, ?, ?, ?, ?)", (task_id, outcome, result, now, gone[0][0]))
            db.execute("INSERT INTO journal (task_id, event, at) VALUES (?, ?, ?)", (task_id, outcome, now))
        return True

    def complete(self, task_id: str, result_wire: bytes, *, now: float | None = None) -> bool:
        """Store the sealed result and remove the task, atomically. False: not pending (a duplicate)."""
        return self._finish(task_id, "answered", bytes(result_wire), now)

    def expire(self, task_id: str, *, now: float | None = None) -> bool:
        return self._finish(task_id, "expired", None, now)

    def abandon(self, task_id: str, *, now: float | None = None) -> bool:
        return self._finish(task_id, "abandoned", None, now)

    # -- reads -----------------------------------------------------------------------------------

    def pending(self) -> tuple[list[SpoolRecord], list[str]]:
        """Pending escalations, oldest first, and the task ids of rows that do not parse."""
        good: list[SpoolRecord] = []
        bad: list[str] = []
        rows = self._read("SELECT task_id, wire, key_id, created_at, expires_at, attempts, response_key "
                          "FROM pending ORDER BY created_at")
        for row in rows:
            try:
                good.append(SpoolRecord.from_row(row))
            except SpoolCorrupt as exc:
                bad.append(str(row[0])[:64])
                log.error("spool row unreadable reason=%s", exc)
        return good, bad

    def response_key(self, task_id: str) -> bytes | None:
        """The wrapped response key of a pending or finished (not yet pruned) task; None if the task is
        unknown or was sent in schema 1."""
        for table in ("pending", "done"):
            rows = self._read(f"SELECT response_key FROM {table} WHERE task_id = ?", (task_id,))
            if rows:
                return None if rows[0][0] is None else bytes(rows[0][0])
        return None

    def outcome(self, task_id: str) -> str | None:
        rows = self._read("SELECT outcome FROM done WHERE task_id = ?", (task_id,))
        return str(rows[0][0]) if rows else None

    def result(self, task_id: str) -> bytes | None:
        rows = self._read("SELECT result FROM done WHERE task_id = ? AND outcome = 'answered'", (task_id,))
        return bytes(rows[0][0]) if rows else None

    def counts(self) -> dict[str, int]:
        """pending, and journal events by name (accepted, answered, expired, abandoned)."""
        out = {"pending": int(self._read("SELECT COUNT(*) FROM pending")[0][0])}
        for event, n in self._read("SELECT event, COUNT(*) FROM journal GROUP BY event"):
            out[str(event)] = int(n)
        return out

    def prune(self, *, now: float | None = None) -> int:
        """Forget finished tasks and journal lines older than `retention_s`; returns rows removed."""
        cutoff = (time.time() if now is None else now) - self.retention_s
        with self._tx() as db:
            n = db.execute("DELETE FROM done WHERE finished_at < ?", (cutoff,)).rowcount
            n += db.execute("DELETE FROM journal WHERE at < ?", (cutoff,)).rowcount
        return n
