"""Contacts: the people the user sends messages to. Personal data: each contact is one sealed card
(name, email, phone, aliases as JSON), looked up by decrypting the cards on the device; only a keyed
hash of the normalised name is in the clear (so adding "Anna Keller" twice updates one card).
Never logged: logs carry contact ids only.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable

from device.errors import UnknownItem
from device.personal.db import Database, epoch
from device.personal.ids import new_id
from device.personal.matching import best_match, normalize
from device.personal.values import Contact

log = logging.getLogger(__name__)


class Contacts:
    def __init__(self, db: Database) -> None:
        self._db = db

    def _card(self, cid: str, blob: bytes) -> Contact:
        data = json.loads(self._db.sealer.open(blob, f"contacts/{cid}/card"))
        return Contact(id=cid, name=data["name"], email=data.get("email"), phone=data.get("phone"),
                       aliases=tuple(data.get("aliases", ())))

    def _seal(self, contact: Contact) -> bytes:
        card = {"name": contact.name, "email": contact.email, "phone": contact.phone,
                "aliases": list(contact.aliases)}
        return self._db.sealer.seal(json.dumps(card, ensure_ascii=False), f"contacts/{contact.id}/card")

    def add(self, name: str, *, email: str | None = None, phone: str | None = None,
            aliases: Iterable[str] = ()) -> Contact:
        """Add a contact, or update the one with the same name (given fields replace, aliases join)."""
        name = " ".join(name.split())
        if not normalize(name):
            raise ValueError("a contact needs a name")
        key = self._db.sealer.lookup(normalize(name))
        with self._db.write() as db:
            row = db.execute("SELECT id, card FROM contacts WHERE name_key = ?", (key,)).fetchone()
            if row is None:
                cid = new_id("contact")
                while db.execute("SELECT 1 FROM contacts WHERE id = ?", (cid,)).fetchone():
                    cid = new_id("contact")
                contact = Contact(id=cid, name=name, email=email, phone=phone, aliases=tuple(dict.fromkeys(aliases)))
                db.execute("INSERT INTO contacts VALUES (?, ?, ?, ?)",
                           (cid, key, self._seal(contact), epoch(self._db.now())))
                log.info("contact added id=%s", cid)
            else:
                old = self._card(row[0], row[1])
                contact = Contact(id=old.id, name=name, email=email or old.email, phone=phone or old.phone,
                                  aliases=tuple(dict.fromkeys((*old.aliases, *aliases))))
                db.execute("UPDATE contacts SET card = ? WHERE id = ?", (self._seal(contact), old.id))
                log.info("contact updated id=%s", old.id)
        return contact

    def all(self, db: sqlite3.Connection | None = None) -> list[Contact]:
        if db is None:
            with self._db.read() as conn:
                return self.all(conn)
        rows = db.execute("SELECT id, card FROM contacts ORDER BY created_at, rowid").fetchall()
        return [self._card(cid, card) for cid, card in rows]

    def get(self, contact_id: str, db: sqlite3.Connection | None = None) -> Contact:
        if db is None:
            with self._db.read() as conn:
                return self.get(contact_id, conn)
        row = db.execute("SELECT id, card FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        if row is None:
            raise UnknownItem(f"no contact with id {contact_id!r}")
        return self._card(row[0], row[1])

    def find(self, name: str, db: sqlite3.Connection | None = None) -> Contact:
        """The contact `name` means (name or alias; see `device.personal.matching`)."""
        return best_match(name, self.all(db), lambda c: (c.name, *c.aliases), lambda c: c.name, what="contact")
