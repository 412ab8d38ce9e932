"""The personal database's schema: named, append-only migrations, as simonw/llm keeps its log.

A `_migrations` table records which ran. A migration, once released, is never edited: a change is a
new entry at the end, so every older file on a board walks forward to the current schema on open.
A file that records a migration this code does not know was written by a newer tandem and is
refused rather than guessed at.

Text columns are BLOBs sealed by `device.personal.sealing` (none holds user text in the clear).
Times are REAL Unix seconds (UTC); the store turns them into aware datetimes in its zone.
"""

from __future__ import annotations

import sqlite3
import time

from device.errors import PersonalStoreError

MIGRATIONS: list[tuple[str, str]] = [
    ("001_reminders_timers_lists_notes", """
        CREATE TABLE meta (
            name TEXT PRIMARY KEY,
            value BLOB NOT NULL
        );
        CREATE TABLE reminders (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            text BLOB NOT NULL,
            due_at REAL NOT NULL,
            created_at REAL NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            contact BLOB,
            fired_at REAL,
            request_id TEXT UNIQUE
        );
        CREATE INDEX reminders_due ON reminders (state, due_at);
        CREATE TABLE timers (
            id TEXT PRIMARY KEY,
            name BLOB,
            area TEXT,
            seconds INTEGER NOT NULL,
            started_at REAL NOT NULL,
            ends_at REAL,
            remaining_s REAL,
            state TEXT NOT NULL,
            fired_at REAL,
            request_id TEXT UNIQUE
        );
        CREATE INDEX timers_due ON timers (state, ends_at);
        CREATE TABLE lists (
            id TEXT PRIMARY KEY,
            name_key TEXT NOT NULL UNIQUE,
            name BLOB NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE TABLE items (
            id TEXT PRIMARY KEY,
            list_id TEXT NOT NULL REFERENCES lists (id),
            text BLOB NOT NULL,
            done INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            done_at REAL,
            request_id TEXT UNIQUE
        );
        CREATE INDEX items_list ON items (list_id, done);
        CREATE TABLE notes (
            id TEXT PRIMARY KEY,
            text BLOB NOT NULL,
            created_at REAL NOT NULL,
            request_id TEXT UNIQUE
        )
    """),
    ("002_contacts_outbox", """
        CREATE TABLE contacts (
            id TEXT PRIMARY KEY,
            name_key TEXT NOT NULL UNIQUE,
            card BLOB NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE TABLE messages (
            id TEXT PRIMARY KEY,
            contact_id TEXT NOT NULL REFERENCES contacts (id),
            text BLOB NOT NULL,
            queued_at REAL NOT NULL,
            state TEXT NOT NULL DEFAULT 'queued',
            sent_at REAL,
            request_id TEXT UNIQUE
        );
        CREATE INDEX messages_state ON messages (state)
    """),
    ("003_deliveries", """
        CREATE TABLE deliveries (
            kind TEXT NOT NULL,
            item_id TEXT NOT NULL,
            fired_at REAL NOT NULL,
            late_by_s REAL NOT NULL,
            delivered_at REAL,
            attempts INTEGER NOT NULL DEFAULT 0,
            lease_until REAL,
            lease_owner TEXT,
            PRIMARY KEY (kind, item_id)
        );
        CREATE INDEX deliveries_open ON deliveries (delivered_at)
    """),
    ("004_conversations", """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            face TEXT NOT NULL,
            owner TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            expires_at REAL NOT NULL
        );
        CREATE INDEX conversations_updated ON conversations (updated_at);
        CREATE INDEX conversations_expiry ON conversations (expires_at);
        CREATE TABLE turns (
            conversation TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
            n INTEGER NOT NULL,
            at REAL NOT NULL,
            route TEXT NOT NULL,
            record BLOB NOT NULL,
            PRIMARY KEY (conversation, n)
        )
    """),
]
"""(name, SQL) in the order they run. Append only."""


def migrate(db: sqlite3.Connection, migrations: list[tuple[str, str]] | None = None) -> list[str]:
    """Run the migrations `db` lacks, each in its own transaction; returns the names that ran.

    `db` must be in autocommit mode (`isolation_level=None`). `migrations` defaults to `MIGRATIONS`
    (tests pass a prefix of it to make an old file).
    """
    migrations = MIGRATIONS if migrations is None else migrations
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    unknown = done - {name for name, _ in MIGRATIONS}
    if unknown:
        raise PersonalStoreError(f"the personal database has {len(unknown)} migration(s) this tandem does not "
                                 "know: it was written by a newer version; upgrade tandem")
    ran = []
    for name, sql in migrations:
        if name in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(str.strip, sql.split(";")):
                db.execute(statement)
            db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, time.time()))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        ran.append(name)
    return ran
