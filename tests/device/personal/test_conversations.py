"""Conversation turns in the personal store: sealed, numbered, hidden once expired, deleted by the next write
or a purge, and a conversation continued after its expiry starts over."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from device.personal.store import PersonalStore
from device.personal.values import Turn


def test_turns_expire_with_the_conversation(tmp_path: Path) -> None:
    now = [datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)]
    store = PersonalStore(tmp_path / "p.sqlite", key=b"k" * 32, clock=lambda: now[0])
    store.add_turn("c1", Turn("What is the capital of France?", "Paris.", "cloud"), face="chat", ttl_s=3600)
    store.add_turn("c1", Turn("And of Canada?", "Ottawa.", "cloud"), face="chat", ttl_s=3600)
    store.add_turn("c2", Turn("Name a colour.", "Blue.", "local"), face="ask", ttl_s=7200)
    assert [t.n for t in store.turns("c1")] == [1, 2] and store.turns("c1", last=1)[0].user == "And of Canada?"
    assert b"Ottawa" not in (tmp_path / "p.sqlite").read_bytes()  # sealed at rest

    now[0] += timedelta(hours=1, minutes=30)  # c1 expired, c2 not
    assert store.turns("c1") == [] and store.conversation("c1") is None
    assert [c.id for c in store.conversations()] == ["c2"] and store.latest_conversation() == "c2"
    with sqlite3.connect(tmp_path / "p.sqlite") as db:  # hidden, not yet deleted: reads take no write lock
        assert db.execute("SELECT COUNT(*) FROM turns WHERE conversation = 'c1'").fetchone()[0] == 2
    assert store.purge_expired_conversations() == 1
    with sqlite3.connect(tmp_path / "p.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM turns WHERE conversation = 'c1'").fetchone()[0] == 0
    again = store.add_turn("c1", Turn("Hello again", "Hi.", "local"), face="chat", ttl_s=3600)
    assert again.n == 1  # continued after its expiry: a new conversation
    store.close()
