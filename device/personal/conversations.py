"""Conversations: the turns of every face's conversations, so a follow-up ("and of Canada?") is read
against what came before, and `tandem logs` can show them.

Each turn's texts (the request, the answer, the system prompt, the redacted parts) are sealed together
as one JSON record bound to its place (`turns/<conversation>/<n>`); in the clear are only the
conversation's id (a name the user or the face chose), its face, its owner (a caller key), turn numbers,
times and routes. A conversation expires `ttl_s` after its last turn (the vault's expiry: a
conversation outlives neither its placeholders nor its usefulness); reads skip expired ones, and the next
write deletes them (a read never takes the write lock).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sqlite3
import time
from dataclasses import replace

from device.errors import PersonalStoreError
from device.personal.db import Database, epoch
from device.personal.values import ConversationInfo, Turn

log = logging.getLogger(__name__)

ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
FIRST_WORDS = 60  # characters of the first request `tandem logs` lists a conversation by


def new_conversation_id(face: str) -> str:
    """A fresh id for a conversation a face opens without a name: "chat-20261203-091500-k3f9"."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    return check_id(f"{face}-{stamp}-{secrets.token_hex(2)}")


def check_id(conversation: str) -> str:
    if not ID_RE.fullmatch(conversation):
        raise PersonalStoreError("a conversation id is 1-64 letters, digits, '-' or '_'")
    return conversation


class Conversations:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add_turn(self, conversation: str, turn: Turn, *, face: str, owner: str | None, ttl_s: float) -> Turn:
        """Append `turn` to `conversation` (created on its first turn); returns it numbered and dated."""
        check_id(conversation)
        now = epoch(self._db.now())
        with self._db.write() as db:
            self._purge(db, now)
            row = db.execute("SELECT COALESCE(MAX(n), 0) FROM turns WHERE conversation = ?", (conversation,)).fetchone()
            n = int(row[0]) + 1
            db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                       "updated_at = excluded.updated_at, expires_at = excluded.expires_at",
                       (conversation, face, owner, now, now, now + ttl_s))
            sealed = self._db.sealer.seal(json.dumps(turn.record(), ensure_ascii=False), _place(conversation, n))
            db.execute("INSERT INTO turns VALUES (?, ?, ?, ?, ?)", (conversation, n, now, turn.route, sealed))
        log.info("turn kept conversation_turn=%d route=%s", n, turn.route)
        return replace(turn, n=n, at=self._db.at(now))

    def turns(self, conversation: str, *, last: int | None = None) -> list[Turn]:
        """The conversation's turns, oldest first (`last`: only the most recent so many); [] when it has
        none or expired."""
        check_id(conversation)
        sql = ("SELECT n, at, record FROM turns WHERE conversation = ? AND conversation IN "
               "(SELECT id FROM conversations WHERE expires_at > ?) ORDER BY n DESC")
        args: tuple[object, ...] = (conversation, epoch(self._db.now()))
        if last is not None:
            sql += " LIMIT ?"
            args += (max(0, last),)
        with self._db.read() as db:
            rows = db.execute(sql, args).fetchall()
        return [self._turn(conversation, *row) for row in reversed(rows)]

    def info(self, conversation: str) -> ConversationInfo | None:
        check_id(conversation)
        found = self._list("AND c.id = ?", (conversation,))
        return found[0] if found else None

    def all(self, *, limit: int | None = None) -> list[ConversationInfo]:
        """Stored conversations, the most recently continued first."""
        return self._list("", (), limit)

    def latest(self, *, face: str | None = None) -> str | None:
        """The id of the conversation continued last (of `face`, if given), or None."""
        with self._db.read() as db:
            row = db.execute("SELECT id FROM conversations WHERE expires_at > ? AND (? IS NULL OR face = ?) "
                             "ORDER BY updated_at DESC, rowid DESC LIMIT 1",
                             (epoch(self._db.now()), face, face)).fetchone()
        return None if row is None else str(row[0])

    def delete(self, conversation: str) -> bool:
        check_id(conversation)
        with self._db.write() as db:
            gone = db.execute("DELETE FROM conversations WHERE id = ?", (conversation,)).rowcount
        return bool(gone)

    def purge_expired(self) -> int:
        with self._db.write() as db:
            return self._purge(db, epoch(self._db.now()))

    # -- internals --------------------------------------------------------------------------------

    def _purge(self, db: sqlite3.Connection, now: float) -> int:
        gone = db.execute("DELETE FROM conversations WHERE expires_at <= ?", (now,)).rowcount
        if gone:
            log.info("conversations expired count=%d", gone)
        return int(gone)

    def _list(self, where: str, args: tuple[object, ...], limit: int | None = None) -> list[ConversationInfo]:
        """The unexpired conversations, `where` ("AND ...") narrowing them."""
        sql = ("SELECT c.id, c.face, c.owner, c.created_at, c.updated_at, c.expires_at, "
               "(SELECT COUNT(*) FROM turns t WHERE t.conversation = c.id), "
               "(SELECT record FROM turns t WHERE t.conversation = c.id ORDER BY n LIMIT 1) "
               f"FROM conversations c WHERE c.expires_at > ? {where} ORDER BY c.updated_at DESC, c.rowid DESC")
        if limit is not None:
            sql += f" LIMIT {max(0, int(limit))}"
        with self._db.read() as db:
            rows = db.execute(sql, (epoch(self._db.now()), *args)).fetchall()
        infos = []
        for cid, face, owner, created, updated, expires, count, first in rows:
            opening = ""
            if first is not None:
                opening = _one_line(json.loads(self._db.sealer.open(first, _place(cid, 1)))["user"])
            infos.append(ConversationInfo(cid, face, owner, int(count), self._db.at(created), self._db.at(updated),
                                          self._db.at(expires), opening))
        return infos

    def _turn(self, conversation: str, n: int, at: float, record: bytes) -> Turn:
        try:
            data = json.loads(self._db.sealer.open(record, _place(conversation, n)))
            return Turn(user=str(data["user"]), answer=str(data["answer"]), route=str(data["route"]),
                        system=data.get("system"), shareable=bool(data.get("shareable", True)),
                        parts=tuple(data.get("parts") or ()), n=n, at=self._db.at(at))
        except (ValueError, KeyError, TypeError) as exc:
            raise PersonalStoreError(f"turn {n} of a stored conversation is malformed: the database was edited; "
                                     "delete the conversation (`tandem logs rm ID`)") from exc


def _place(conversation: str, n: int) -> str:
    return f"turns/{conversation}/{n}"


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= FIRST_WORDS else line[:FIRST_WORDS - 1].rstrip() + "…"
