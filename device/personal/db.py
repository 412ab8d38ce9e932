"""One SQLite connection to the personal database, shared by the store's sections under one lock.

WAL mode, so `tandem reminders list` reads while `tandem serve` writes; `synchronous=FULL`, so a
reminder that was acknowledged survives a power cut. Writes run in `BEGIN IMMEDIATE` transactions
(one writer at a time across processes); SQLite errors become `PersonalStoreError` here, once.
The connection is used from any thread (the agent calls the store from a worker thread, the
scheduler from asyncio's), serialised by a `threading.Lock`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone, tzinfo
from pathlib import Path

from device.errors import PersonalStoreError
from device.personal.schema import migrate
from device.personal.sealing import KEY_CHECK, Sealer

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def create_private(path: Path) -> None:
    """Create the database file 0600 in a 0700 dir before SQLite opens it; tighten an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


class Database:
    """The connection, the lock, the sealer, the clock and the zone every section uses."""

    def __init__(self, path: Path, sealer: Sealer, *, clock: Clock, tz: tzinfo) -> None:
        self.path = Path(path)
        self.sealer = sealer
        self.tz = tz
        self._clock = clock
        self._lock = threading.Lock()
        try:
            create_private(self.path)
            self._conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False,
                                         timeout=10)
        except sqlite3.Error as exc:
            raise PersonalStoreError(f"cannot open the personal database {self.path} ({exc}): check the "
                                     "path and its rights") from exc
        except OSError as exc:
            raise PersonalStoreError(f"cannot create the personal database {self.path} ({exc.strerror}): "
                                     "check the path and its rights") from exc
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            ran = migrate(self._conn)
        except BaseException as exc:
            self._conn.close()
            if isinstance(exc, sqlite3.Error):
                raise PersonalStoreError(f"cannot open the personal database {self.path} ({exc}): check the "
                                         "path, its rights and free disk space") from exc
            raise
        if ran:
            log.info("personal database migrated path=%s ran=%s", self.path, ",".join(ran))
        try:
            self._check_key()
        except BaseException:
            self._conn.close()
            raise

    def _check_key(self) -> None:
        """A sealed marker written on first open: a wrong key is one clear error now, not garbage later."""
        with self.write() as db:
            row = db.execute("SELECT value FROM meta WHERE name = 'key_check'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('key_check', ?)",
                           (self.sealer.seal(KEY_CHECK.decode(), "meta/key_check"),))
                return
        wrong = PersonalStoreError(f"{self.path} does not open with this key: it was written under another "
                                   "vault.key; restore that key, or move the database aside to start empty")
        try:
            marker = self.sealer.open(row[0], "meta/key_check")
        except PersonalStoreError as exc:
            raise wrong from exc
        if marker != KEY_CHECK.decode():
            raise wrong

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT; ROLLBACK on any error)."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise PersonalStoreError(f"personal database write failed ({exc}): check free disk space "
                                         "and that no other program holds the file") from exc

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several SELECTs."""
        with self._lock:
            try:
                self._conn.execute("BEGIN")
                try:
                    yield self._conn
                finally:
                    self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise PersonalStoreError(f"personal database read failed ({exc})") from exc

    def now(self) -> datetime:
        """The clock's time in the store's zone (the clock must give aware datetimes)."""
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the personal store's clock must return timezone-aware datetimes")
        return now.astimezone(self.tz)

    def moment(self, ts: float | None) -> datetime | None:
        return None if ts is None else datetime.fromtimestamp(ts, timezone.utc).astimezone(self.tz)

    def at(self, ts: float) -> datetime:
        return datetime.fromtimestamp(ts, timezone.utc).astimezone(self.tz)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def epoch(moment: datetime) -> float:
    """Unix seconds of an aware datetime (a naive one is a caller's bug)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("times given to the personal store must be timezone-aware")
    return moment.timestamp()
