"""Notes: short texts the user asked the device to keep ("note that the plumber comes at 10")."""

from __future__ import annotations

import logging

from device.personal.db import Database, epoch
from device.personal.ids import new_id
from device.personal.values import Note

log = logging.getLogger(__name__)


class Notes:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, text: str, request_id: str | None = None) -> Note:
        if not text.strip():
            raise ValueError("a note needs a text")
        now = epoch(self._db.now())
        with self._db.write() as db:
            row = None if request_id is None else db.execute(
                "SELECT id, text, created_at FROM notes WHERE request_id = ?", (request_id,)).fetchone()
            if row is None:
                nid = new_id("note")
                while db.execute("SELECT 1 FROM notes WHERE id = ?", (nid,)).fetchone():
                    nid = new_id("note")
                db.execute("INSERT INTO notes VALUES (?, ?, ?, ?)",
                           (nid, self._db.sealer.seal(text.strip(), f"notes/{nid}/text"), now, request_id))
        if row is not None:
            log.info("note add repeated id=%s (same request)", row[0])
            return self._note(row)
        log.info("note added id=%s", nid)
        return Note(id=nid, text=text.strip(), created_at=self._db.at(now))

    def _note(self, row: tuple[str, bytes, float]) -> Note:
        nid, text, created_at = row
        return Note(id=nid, text=self._db.sealer.open(text, f"notes/{nid}/text"), created_at=self._db.at(created_at))

    def all(self) -> list[Note]:
        with self._db.read() as db:
            rows = db.execute("SELECT id, text, created_at FROM notes ORDER BY created_at, rowid").fetchall()
        return [self._note(r) for r in rows]
