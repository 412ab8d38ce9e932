"""Reminders and alarms: a text, a due time, perhaps whom it is for; pending until fired or cancelled.

An alarm is a reminder of kind "alarm" ("wake me at 6:30"): the same table and the same firing,
so the notifier can ring instead of speak. A `request_id` makes adding idempotent: the agent's
retry of the same call returns the row the first attempt wrote.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from typing import Any, cast

from device.errors import UnknownItem
from device.personal.db import Database, epoch
from device.personal.ids import new_id
from device.personal.values import Reminder, ReminderKind, ReminderState

log = logging.getLogger(__name__)

KINDS: tuple[ReminderKind, ...] = ("reminder", "alarm")
COLUMNS = "id, kind, text, due_at, created_at, state, contact, fired_at"


class Reminders:
    def __init__(self, db: Database) -> None:
        self._db = db

    def row(self, row: tuple[Any, ...]) -> Reminder:
        rid, kind, text, due_at, created_at, state, contact, fired_at = row
        s = self._db.sealer
        return Reminder(id=rid, kind=kind, text=s.open(text, f"reminders/{rid}/text"), due=self._db.at(due_at),
                        created_at=self._db.at(created_at), state=cast(ReminderState, state),
                        contact=s.open_optional(contact, f"reminders/{rid}/contact"),
                        fired_at=self._db.moment(fired_at))

    def add(self, text: str, due: datetime, *, kind: str = "reminder", contact: str | None = None,
            request_id: str | None = None) -> Reminder:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        if not text.strip():
            raise ValueError("a reminder needs a text")
        due_at = epoch(due)
        with self._db.write() as db:
            if request_id is not None:
                row = db.execute(f"SELECT {COLUMNS} FROM reminders WHERE request_id = ?", (request_id,)).fetchone()
                if row is not None:
                    log.info("reminder add repeated id=%s (same request)", row[0])
                    return self.row(row)
            rid = self._insert(db, kind, text, due_at, contact, request_id)
            row = db.execute(f"SELECT {COLUMNS} FROM reminders WHERE id = ?", (rid,)).fetchone()
        log.info("reminder added id=%s kind=%s", rid, kind)
        return self.row(row)

    def _insert(self, db: sqlite3.Connection, kind: str, text: str, due_at: float, contact: str | None,
                request_id: str | None) -> str:
        s = self._db.sealer
        rid = new_id(kind)
        while db.execute("SELECT 1 FROM reminders WHERE id = ?", (rid,)).fetchone():
            rid = new_id(kind)
        db.execute("INSERT INTO reminders (id, kind, text, due_at, created_at, state, contact, request_id) "
                   "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                   (rid, kind, s.seal(text, f"reminders/{rid}/text"), due_at, epoch(self._db.now()),
                    s.seal_optional(contact, f"reminders/{rid}/contact"), request_id))
        return rid

    def all(self, *, pending_only: bool = True) -> list[Reminder]:
        where = "WHERE state = 'pending' " if pending_only else ""
        with self._db.read() as db:
            rows = db.execute(f"SELECT {COLUMNS} FROM reminders {where}ORDER BY due_at, created_at, rowid").fetchall()
        return [self.row(r) for r in rows]

    def get(self, reminder_id: str) -> Reminder:
        with self._db.read() as db:
            row = db.execute(f"SELECT {COLUMNS} FROM reminders WHERE id = ?", (reminder_id,)).fetchone()
        if row is None:
            raise UnknownItem(f"no reminder or alarm with id {reminder_id!r}: `tandem reminders list --all` "
                              "shows them")
        return self.row(row)

    def cancel(self, reminder_id: str) -> Reminder:
        """Cancel a pending one; a fired or already cancelled one is returned as it is (see `state`)."""
        with self._db.write() as db:
            changed = db.execute("UPDATE reminders SET state = 'cancelled' WHERE id = ? AND state = 'pending'",
                                 (reminder_id,)).rowcount
        if changed:
            log.info("reminder cancelled id=%s", reminder_id)
        return self.get(reminder_id)

    def due(self, now: datetime) -> list[Reminder]:
        with self._db.read() as db:
            rows = db.execute(f"SELECT {COLUMNS} FROM reminders WHERE state = 'pending' AND due_at <= ? "
                              "ORDER BY due_at, rowid", (epoch(now),)).fetchall()
        return [self.row(r) for r in rows]

    def mark_fired(self, reminder_id: str, fired_at: datetime) -> None:
        """For a caller that delivers by itself (the `Scheduler` claims and records in one step instead)."""
        with self._db.write() as db:
            changed = db.execute("UPDATE reminders SET state = 'fired', fired_at = ? WHERE id = ? "
                                 "AND state = 'pending'", (epoch(fired_at), reminder_id)).rowcount
        if not changed:
            self.get(reminder_id)  # unknown id: UnknownItem; already fired or cancelled: nothing to do
