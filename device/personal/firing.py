"""What came due, claimed once and delivered until the notifier has it.

`claim(now)` is one write transaction: every pending reminder or alarm whose time has come becomes
"fired", every running timer that ran out "finished", every queued message "sending", and for each
a row goes into `deliveries` (primary key kind + item id, so the database itself refuses a second
firing). The scheduler then hands `undelivered()` to its notifier and records `delivered(...)`.
A crash after the claim loses nothing (the delivery row waits for the next start); a crash
between the notifier's return and `delivered` hands that one item over once more, with the same
id, which is the one repeat a notifier may see and de-duplicates on.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from typing import Any

from device.personal.contacts import Contacts
from device.personal.db import Database, epoch
from device.personal.values import Fired

log = logging.getLogger(__name__)

DUE_REMINDERS = "SELECT kind, id, due_at FROM reminders WHERE state = 'pending' AND due_at <= ?"
DUE_TIMERS = "SELECT id, ends_at FROM timers WHERE state = 'running' AND ends_at <= ?"
QUEUED_MESSAGES = "SELECT id, queued_at FROM messages WHERE state = 'queued'"
FIRE = {
    "reminders": "UPDATE reminders SET state = 'fired', fired_at = :at WHERE id = :id",
    "timers": "UPDATE timers SET state = 'finished', fired_at = :at WHERE id = :id",
    "messages": "UPDATE messages SET state = 'sending' WHERE id = :id",
}


class Deliveries:
    def __init__(self, db: Database, contacts: Contacts) -> None:
        self._db = db
        self._contacts = contacts

    def claim(self, now: datetime) -> int:
        """Fire everything due at `now` (see the module docstring); returns how many were claimed."""
        at = epoch(now)
        with self._db.write() as db:
            claimed = 0
            due: list[tuple[float, str, str, str]] = []  # (due, table, kind, id): fired in order of due time
            for kind, item_id, due_at in db.execute(DUE_REMINDERS, (at,)).fetchall():
                due.append((due_at, "reminders", kind, item_id))
            for item_id, ends_at in db.execute(DUE_TIMERS, (at,)).fetchall():
                due.append((ends_at, "timers", "timer", item_id))
            for item_id, queued_at in db.execute(QUEUED_MESSAGES).fetchall():
                due.append((queued_at, "messages", "message", item_id))
            for due_at, table, kind, item_id in sorted(due):
                db.execute(FIRE[table], {"at": at, "id": item_id})
                claimed += self._insert(db, kind, item_id, at, 0.0 if table == "messages" else at - due_at)
        if claimed:
            log.info("personal items fired count=%d", claimed)
        return claimed

    @staticmethod
    def _insert(db: sqlite3.Connection, kind: str, item_id: str, at: float, late_by_s: float) -> int:
        return db.execute("INSERT OR IGNORE INTO deliveries (kind, item_id, fired_at, late_by_s) VALUES (?, ?, ?, ?)",
                          (kind, item_id, at, max(0.0, late_by_s))).rowcount

    def undelivered(self, late_after_s: float) -> list[Fired]:
        """Fired items the notifier has not taken yet, oldest first (a view: nothing is leased)."""
        with self._db.read() as db:
            rows = db.execute("SELECT kind, item_id, fired_at, late_by_s FROM deliveries "
                              "WHERE delivered_at IS NULL ORDER BY fired_at, rowid").fetchall()
            return [self._fired(db, *row, late_after_s=late_after_s) for row in rows]

    def take(self, now: datetime, *, owner: str, lease_s: float, late_after_s: float) -> list[Fired]:
        """Lease the undelivered items no one else holds to `owner` until `now + lease_s`, in one
        transaction: two schedulers on one file never hand the same item to their notifiers."""
        at = epoch(now)
        with self._db.write() as db:
            rows = db.execute("SELECT kind, item_id, fired_at, late_by_s FROM deliveries WHERE delivered_at IS NULL "
                              "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY fired_at, rowid", (at,)).fetchall()
            for kind, item_id, _, _ in rows:
                db.execute("UPDATE deliveries SET lease_until = ?, lease_owner = ?, attempts = attempts + 1 "
                           "WHERE kind = ? AND item_id = ?", (at + lease_s, owner, kind, item_id))
            return [self._fired(db, *row, late_after_s=late_after_s) for row in rows]

    def _fired(self, db: sqlite3.Connection, kind: str, item_id: str, fired_at: float, late_by_s: float, *,
               late_after_s: float) -> Fired:
        s = self._db.sealer
        late, fired = late_by_s > late_after_s, self._db.at(fired_at)
        if kind == "timer":
            name, area, seconds, ends_at = db.execute(
                "SELECT name, area, seconds, ends_at FROM timers WHERE id = ?", (item_id,)).fetchone()
            text = s.open_optional(name, f"timers/{item_id}/name")
            extra: dict[str, Any] = {"name": text, "area": area, "seconds": seconds}
            return Fired(kind="timer", id=item_id, text=text or "", due=self._db.at(ends_at), late=late,
                         late_by_s=late_by_s, fired_at=fired, extra=extra)
        if kind == "message":
            contact_id, text, queued_at = db.execute(
                "SELECT contact_id, text, queued_at FROM messages WHERE id = ?", (item_id,)).fetchone()
            return Fired(kind="message", id=item_id, text=s.open(text, f"messages/{item_id}/text"),
                         due=self._db.at(queued_at), late=late, late_by_s=late_by_s, fired_at=fired,
                         contact=self._contacts.get(contact_id, db).name, contact_id=contact_id)
        text, due_at, contact = db.execute(
            "SELECT text, due_at, contact FROM reminders WHERE id = ?", (item_id,)).fetchone()
        return Fired(kind="alarm" if kind == "alarm" else "reminder", id=item_id,
                     text=s.open(text, f"reminders/{item_id}/text"), due=self._db.at(due_at), late=late,
                     late_by_s=late_by_s, fired_at=fired,
                     contact=s.open_optional(contact, f"reminders/{item_id}/contact"))

    def delivered(self, fired: Fired, at: datetime) -> None:
        with self._db.write() as db:
            db.execute("UPDATE deliveries SET delivered_at = ?, lease_until = NULL WHERE kind = ? AND item_id = ?",
                       (epoch(at), fired.kind, fired.id))
            if fired.kind == "message":
                db.execute("UPDATE messages SET state = 'sent', sent_at = ? WHERE id = ?", (epoch(at), fired.id))

    def failed(self, fired: Fired, retry_at: datetime) -> None:
        """The notifier did not take it: keep the lease until `retry_at`, then anyone may try again."""
        with self._db.write() as db:
            db.execute("UPDATE deliveries SET lease_until = ? WHERE kind = ? AND item_id = ? AND delivered_at IS NULL",
                       (epoch(retry_at), fired.kind, fired.id))

    def next_due(self) -> datetime | None:
        with self._db.read() as db:
            row = db.execute("SELECT min(t) FROM (SELECT min(due_at) AS t FROM reminders WHERE state = 'pending' "
                             "UNION ALL SELECT min(ends_at) FROM timers WHERE state = 'running')").fetchone()
            queued = db.execute("SELECT 1 FROM messages WHERE state = 'queued' LIMIT 1").fetchone()
        if queued is not None:
            return self._db.now()
        return self._db.moment(row[0])
