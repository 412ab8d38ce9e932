"""Shopping and to-do lists, as Home Assistant's list intents use them: add, complete, remove, show.

A list is found by its name without case, articles or a trailing "list" ("the Shopping List" =
"shopping"), through a keyed hash (`Sealer.lookup`), so list names are not stored in the clear
either. A list is created by the first item added to it. Items are matched as `matching` says;
completing an item that is already done is a repeat and returns it unchanged.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from device.errors import UnknownItem
from device.personal.db import Database, epoch
from device.personal.ids import new_id
from device.personal.matching import best_match, normalize
from device.personal.values import ListItem

log = logging.getLogger(__name__)

SHOPPING_LIST = "Shopping List"
"""The list Home Assistant's HassShoppingListAddItem / HassShoppingListCompleteItem act on."""
_LIST_WORDS = ("list", "liste")


def list_key(name: str) -> str:
    """How a list name is compared: "The Shopping List" -> "shopping"."""
    words = normalize(name).split()
    if len(words) > 1 and words[-1] in _LIST_WORDS:
        words.pop()
    return " ".join(words)


class Lists:
    def __init__(self, db: Database) -> None:
        self._db = db

    def _list_id(self, db: sqlite3.Connection, name: str) -> str | None:
        key = list_key(name)
        if not key:
            raise UnknownItem("no list named: say which list")
        row = db.execute("SELECT id FROM lists WHERE name_key = ?", (self._db.sealer.lookup(key),)).fetchone()
        return None if row is None else str(row[0])

    def _item(self, row: tuple[Any, ...], list_name: str) -> ListItem:
        iid, text, done, created_at, done_at = row
        return ListItem(id=iid, list_name=list_name, text=self._db.sealer.open(text, f"items/{iid}/text"),
                        done=bool(done), created_at=self._db.at(created_at), done_at=self._db.moment(done_at))

    def _name(self, db: sqlite3.Connection, list_id: str) -> str:
        row = db.execute("SELECT name FROM lists WHERE id = ?", (list_id,)).fetchone()
        return self._db.sealer.open(row[0], f"lists/{list_id}/name")

    def _rows(self, db: sqlite3.Connection, list_id: str, where: str = "") -> list[tuple[Any, ...]]:
        return db.execute(f"SELECT id, text, done, created_at, done_at FROM items WHERE list_id = ? {where} "
                          "ORDER BY created_at, rowid", (list_id,)).fetchall()

    def add(self, list_name: str, item: str, request_id: str | None = None) -> ListItem:
        if not item.strip():
            raise ValueError("a list item needs a text")
        s = self._db.sealer
        now = epoch(self._db.now())
        with self._db.write() as db:
            if request_id is not None:
                row = db.execute("SELECT id, text, done, created_at, done_at, list_id FROM items "
                                 "WHERE request_id = ?", (request_id,)).fetchone()
                if row is not None:
                    log.info("list item add repeated id=%s (same request)", row[0])
                    return self._item(row[:5], self._name(db, row[5]))
            list_id = self._list_id(db, list_name)
            if list_id is None:
                list_id = new_id("list")
                db.execute("INSERT INTO lists VALUES (?, ?, ?, ?)", (list_id, s.lookup(list_key(list_name)),
                           s.seal(list_name.strip(), f"lists/{list_id}/name"), now))
                log.info("list created id=%s", list_id)
            iid = new_id("item")
            while db.execute("SELECT 1 FROM items WHERE id = ?", (iid,)).fetchone():
                iid = new_id("item")
            db.execute("INSERT INTO items (id, list_id, text, done, created_at, request_id) "
                       "VALUES (?, ?, ?, 0, ?, ?)",
                       (iid, list_id, s.seal(item.strip(), f"items/{iid}/text"), now, request_id))
            name = self._name(db, list_id)
        log.info("list item added id=%s list=%s", iid, list_id)
        return ListItem(id=iid, list_name=name, text=item.strip(), done=False, created_at=self._db.at(now))

    def _existing(self, db: sqlite3.Connection, list_name: str) -> str:
        list_id = self._list_id(db, list_name)
        if list_id is None:
            raise UnknownItem("there is no list by that name: `tandem lists show` names the lists")
        return list_id

    def _match(self, db: sqlite3.Connection, list_id: str, item: str) -> ListItem:
        name = self._name(db, list_id)
        open_items = [self._item(r, name) for r in self._rows(db, list_id, "AND done = 0")]
        try:
            return best_match(item, open_items, lambda i: (i.text,), lambda i: i.text, what="item")
        except UnknownItem:
            done = [self._item(r, name) for r in self._rows(db, list_id, "AND done = 1")]
            return best_match(item, done, lambda i: (i.text,), lambda i: i.text, what="item")

    def complete(self, list_name: str, item: str) -> ListItem:
        now = epoch(self._db.now())
        with self._db.write() as db:
            found = self._match(db, self._existing(db, list_name), item)
            if found.done:
                return found
            db.execute("UPDATE items SET done = 1, done_at = ? WHERE id = ?", (now, found.id))
        log.info("list item completed id=%s", found.id)
        return ListItem(id=found.id, list_name=found.list_name, text=found.text, done=True,
                        created_at=found.created_at, done_at=self._db.at(now))

    def remove(self, list_name: str, item: str) -> ListItem:
        with self._db.write() as db:
            found = self._match(db, self._existing(db, list_name), item)
            db.execute("DELETE FROM items WHERE id = ?", (found.id,))
        log.info("list item removed id=%s", found.id)
        return found

    def items(self, list_name: str, *, include_done: bool = False) -> list[ListItem]:
        with self._db.read() as db:
            list_id = self._existing(db, list_name)
            name = self._name(db, list_id)
            return [self._item(r, name) for r in self._rows(db, list_id, "" if include_done else "AND done = 0")]

    def names(self) -> list[str]:
        with self._db.read() as db:
            rows = db.execute("SELECT id, name FROM lists ORDER BY created_at, rowid").fetchall()
        return [self._db.sealer.open(name, f"lists/{lid}/name") for lid, name in rows]
