"""Timers as Home Assistant's timer intents know them: start, cancel, cancel all, pause, unpause,
add or take away time, and status, each found by name, area or starting duration.

A running timer stores when it ends; a paused one how many seconds it had left. `seconds` keeps the
duration it was started with, which is how people name it ("the 5 minute timer"). A timer that has
run out stays "running" with 0 s left until the scheduler fires it ("finished").
"""

from __future__ import annotations

import logging
import math
import sqlite3
from datetime import datetime
from typing import Any, cast

from device.errors import UnknownItem
from device.personal.db import Database, epoch
from device.personal.ids import new_id
from device.personal.matching import normalize
from device.personal.values import Timer, TimerState

log = logging.getLogger(__name__)

COLUMNS = "id, name, area, seconds, started_at, ends_at, remaining_s, state, fired_at"
ACTIVE = "state IN ('running', 'paused')"


def timer_name(name: str) -> str:
    """How timer names compare: "the Pasta Timer" = "pasta"."""
    words = normalize(name).split()
    if len(words) > 1 and words[-1] in ("timer", "timers"):
        words.pop()
    return " ".join(words)


class Timers:
    def __init__(self, db: Database) -> None:
        self._db = db

    def row(self, row: tuple[Any, ...], now: float) -> Timer:
        tid, name, area, seconds, started_at, ends_at, remaining_s, state, fired_at = row
        if state == "running":
            left = max(0.0, ends_at - now)
        elif state == "paused":
            left = remaining_s
        else:
            left = 0.0
        return Timer(id=tid, seconds=seconds, remaining_s=math.ceil(left), state=cast(TimerState, state),
                     started_at=self._db.at(started_at), ends_at=self._db.moment(ends_at),
                     name=self._db.sealer.open_optional(name, f"timers/{tid}/name"), area=area,
                     fired_at=self._db.moment(fired_at))

    def _select(self, where: str, args: tuple[Any, ...] = ()) -> list[Timer]:
        now = epoch(self._db.now())
        with self._db.read() as db:
            rows = db.execute(f"SELECT {COLUMNS} FROM timers WHERE {where} ORDER BY started_at, rowid",
                              args).fetchall()
        return [self.row(r, now) for r in rows]

    def get(self, timer_id: str) -> Timer:
        found = self._select("id = ?", (timer_id,))
        if not found:
            raise UnknownItem(f"no timer with id {timer_id!r}: `tandem timers list` shows the active ones")
        return found[0]

    def start(self, seconds: int, *, name: str | None = None, area: str | None = None,
              request_id: str | None = None) -> Timer:
        if seconds <= 0:
            raise ValueError("a timer needs a positive number of seconds")
        now = epoch(self._db.now())
        with self._db.write() as db:
            row = None if request_id is None else db.execute(
                "SELECT id FROM timers WHERE request_id = ?", (request_id,)).fetchone()
            if row is None:
                tid = self._insert(db, seconds, name, area, now, request_id)
        if row is not None:
            log.info("timer start repeated id=%s (same request)", row[0])
            return self.get(row[0])
        log.info("timer started id=%s seconds=%d", tid, seconds)
        return self.get(tid)

    def _insert(self, db: sqlite3.Connection, seconds: int, name: str | None, area: str | None, now: float,
                request_id: str | None) -> str:
        tid = new_id("timer")
        while db.execute("SELECT 1 FROM timers WHERE id = ?", (tid,)).fetchone():
            tid = new_id("timer")
        db.execute("INSERT INTO timers (id, name, area, seconds, started_at, ends_at, state, request_id) "
                   "VALUES (?, ?, ?, ?, ?, ?, 'running', ?)",
                   (tid, self._db.sealer.seal_optional(name, f"timers/{tid}/name"), area, int(seconds), now,
                    now + seconds, request_id))
        return tid

    def active(self) -> list[Timer]:
        return self._select(ACTIVE)

    def find(self, *, name: str | None = None, area: str | None = None, seconds: int | None = None) -> list[Timer]:
        """Active timers that match every given criterion (name: same words, ignoring case, articles
        and a trailing "timer"; area: the same, on the area the timer was started in; seconds: its
        starting duration)."""
        found = self.active()
        if name is not None:
            found = [t for t in found if t.name is not None and timer_name(t.name) == timer_name(name)]
        if area is not None:
            found = [t for t in found if t.area is not None and normalize(t.area) == normalize(area)]
        if seconds is not None:
            found = [t for t in found if t.seconds == seconds]
        return found

    def _change(self, timer_id: str, sql: str, args: tuple[Any, ...], what: str) -> Timer:
        with self._db.write() as db:
            state = db.execute("SELECT state FROM timers WHERE id = ?", (timer_id,)).fetchone()
            if state is None or state[0] not in ("running", "paused"):
                raise UnknownItem(f"no active timer with id {timer_id!r} (it finished or was cancelled): "
                                  "`tandem timers list` shows the active ones")
            db.execute(sql, (*args, timer_id))
        log.info("timer %s id=%s", what, timer_id)
        return self.get(timer_id)

    def cancel(self, timer_id: str) -> Timer:
        return self._change(timer_id, "UPDATE timers SET state = 'cancelled' WHERE id = ?", (), "cancelled")

    def cancel_all(self) -> int:
        with self._db.write() as db:
            count = db.execute(f"UPDATE timers SET state = 'cancelled' WHERE {ACTIVE}").rowcount
        log.info("timers cancelled count=%d", count)
        return count

    def pause(self, timer_id: str) -> Timer:
        now = epoch(self._db.now())
        return self._change(timer_id, "UPDATE timers SET state = 'paused', remaining_s = max(0, ends_at - ?), "
                            "ends_at = NULL WHERE state = 'running' AND id = ?", (now,), "paused")

    def unpause(self, timer_id: str) -> Timer:
        now = epoch(self._db.now())
        return self._change(timer_id, "UPDATE timers SET state = 'running', ends_at = ? + remaining_s, "
                            "remaining_s = NULL WHERE state = 'paused' AND id = ?", (now,), "unpaused")

    def add_time(self, timer_id: str, seconds: int) -> Timer:
        """Add (negative: take away) seconds; taking away more than is left makes it run out now."""
        now = epoch(self._db.now())
        return self._change(
            timer_id,
            "UPDATE timers SET ends_at = CASE WHEN state = 'running' THEN max(?, ends_at + ?) END, "
            "remaining_s = CASE WHEN state = 'paused' THEN max(0, remaining_s + ?) END WHERE id = ?",
            (now, seconds, seconds), "changed")

    def due(self, now: datetime) -> list[Timer]:
        return self._select("state = 'running' AND ends_at <= ?", (epoch(now),))

    def mark_fired(self, timer_id: str, fired_at: datetime) -> None:
        """For a caller that delivers by itself (the `Scheduler` claims and records in one step instead)."""
        with self._db.write() as db:
            changed = db.execute("UPDATE timers SET state = 'finished', fired_at = ? WHERE id = ? "
                                 "AND state = 'running'", (epoch(fired_at), timer_id)).rowcount
        if not changed:
            self.get(timer_id)
