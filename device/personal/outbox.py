"""Messages to a contact, queued on the device until the scheduler hands them to the notifier.

The agent only queues ("tell Anna I'm late"); delivery (mail, SMS, a chat bridge listening on the
notification topic) belongs to whoever the scheduler's `notify` is. A queued message is fired once
like a reminder, through the same delivery table, so a restart neither loses nor repeats it.
"""

from __future__ import annotations

import logging
from typing import Any

from device.personal.contacts import Contacts
from device.personal.db import Database, epoch
from device.personal.ids import new_id
from device.personal.values import Message

log = logging.getLogger(__name__)


class Outbox:
    def __init__(self, db: Database, contacts: Contacts) -> None:
        self._db = db
        self._contacts = contacts

    def _message(self, row: tuple[Any, ...], contact: str) -> Message:
        mid, contact_id, text, queued_at, sent_at = row
        return Message(id=mid, contact_id=contact_id, contact=contact,
                       text=self._db.sealer.open(text, f"messages/{mid}/text"), queued_at=self._db.at(queued_at),
                       sent_at=self._db.moment(sent_at))

    def queue(self, contact: str, text: str, request_id: str | None = None) -> Message:
        """Queue `text` for the contact `contact` names (UnknownItem / AmbiguousItem if it names none or several)."""
        if not text.strip():
            raise ValueError("a message needs a text")
        now = epoch(self._db.now())
        with self._db.write() as db:
            row = None if request_id is None else db.execute(
                "SELECT id, contact_id, text, queued_at, sent_at FROM messages WHERE request_id = ?",
                (request_id,)).fetchone()
            if row is None:
                to = self._contacts.find(contact, db)
                mid = new_id("message")
                while db.execute("SELECT 1 FROM messages WHERE id = ?", (mid,)).fetchone():
                    mid = new_id("message")
                db.execute("INSERT INTO messages (id, contact_id, text, queued_at, state, request_id) "
                           "VALUES (?, ?, ?, ?, 'queued', ?)",
                           (mid, to.id, self._db.sealer.seal(text.strip(), f"messages/{mid}/text"), now, request_id))
        if row is not None:
            log.info("message queue repeated id=%s (same request)", row[0])
            return self._message(row, self._contacts.get(row[1]).name)
        log.info("message queued id=%s contact=%s", mid, to.id)
        return Message(id=mid, contact_id=to.id, contact=to.name, text=text.strip(), queued_at=self._db.at(now))

    def all(self, *, queued_only: bool = True) -> list[Message]:
        where = "WHERE state = 'queued' " if queued_only else ""
        with self._db.read() as db:
            rows = db.execute(f"SELECT id, contact_id, text, queued_at, sent_at FROM messages {where}"
                              "ORDER BY queued_at, rowid").fetchall()
            names = {c.id: c.name for c in self._contacts.all(db)}
        return [self._message(r, names.get(r[1], "?")) for r in rows]
