"""The task ledger in PostgreSQL: one ledger for a pool spread over several machines.

A SQLite ledger (`cloud.ledger.TaskLedger`) is shared by the workers of one host. When a pool runs on
several machines, a task repeated by QoS 1, re-sent by its device or replayed by an attacker may reach
a worker on another machine; only a ledger they all share makes the model run once per task id there.

Why PostgreSQL: the ledger's two transitions are single conditional upserts (`INSERT ... ON CONFLICT DO
UPDATE ... WHERE`), which PostgreSQL runs atomically and durably (a claim it acknowledged survives a crash),
with the same statements as the SQLite ledger; it is also what operators of such a pool usually run already.
Redis would need a Lua script per transition, and its default persistence (periodic snapshots) may lose
acknowledged claims, which is exactly the state a replay after a restart must find.

`[worker] ledger_url = "postgresql://user@host/db"` (or `tandem worker --ledger-url`) selects it; the table
`tandem_tasks` is created on first use. Only sealed results (encrypted to the device) are stored; rows older
than `retention_s` are pruned. Needs the `psycopg` package (the `cloud` extra).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from cloud.errors import LedgerError
from cloud.ledger import Action, Claim, known_claim

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS tandem_tasks (
    device_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    claimed_at DOUBLE PRECISION NOT NULL,
    result BYTEA,
    done_at DOUBLE PRECISION,
    PRIMARY KEY (device_id, task_id)
)
"""
_CLAIM = (
    "INSERT INTO tandem_tasks (device_id, task_id, owner, claimed_at) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (device_id, task_id) DO UPDATE SET owner = EXCLUDED.owner, claimed_at = EXCLUDED.claimed_at "
    "WHERE tandem_tasks.result IS NULL AND EXCLUDED.claimed_at - tandem_tasks.claimed_at >= %s"
)
_COMPLETE = (
    "INSERT INTO tandem_tasks (device_id, task_id, owner, claimed_at, result, done_at) VALUES (%s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (device_id, task_id) DO UPDATE SET owner = EXCLUDED.owner, result = EXCLUDED.result, "
    "done_at = EXCLUDED.done_at WHERE tandem_tasks.result IS NULL"
)


class PostgresLedger:
    """The `cloud.ledger.Ledger` transitions on a PostgreSQL table shared by every worker of the pool."""

    def __init__(self, url: str, *, lease_s: float = 120.0, retention_s: float = 900.0) -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise LedgerError("the PostgreSQL ledger needs psycopg: pip install 'tandem-edge[cloud]'") from exc
        self.lease_s = lease_s
        self.retention_s = retention_s
        self._lock = threading.Lock()
        self._next_prune = 0.0
        self._errors: tuple[type[Exception], ...] = (psycopg.Error,)
        try:
            self._db: Any = psycopg.connect(url, autocommit=True, connect_timeout=10)
            self._db.execute(SCHEMA)
        except psycopg.Error as exc:
            raise LedgerError(f"cannot open the PostgreSQL task ledger ({type(exc).__name__}: {exc}): check "
                              "[worker] ledger_url, that the server runs and the role may create tables") from exc

    def _run(self, sql: str, args: tuple[object, ...]) -> Any:
        with self._lock:
            try:
                return self._db.execute(sql, args)
            except self._errors as exc:
                raise LedgerError(f"PostgreSQL task ledger failed ({type(exc).__name__}: {exc}): check the "
                                  "server; the worker answers no task it cannot record") from exc

    def claim(self, device_id: str, task_id: str, owner: str, *, now: float | None = None) -> Claim:
        now = time.time() if now is None else now
        self._maybe_prune(now)
        if self._run(_CLAIM, (device_id, task_id, owner, now, self.lease_s)).rowcount == 1:
            return Claim(Action.RUN)
        return known_claim(self._result(device_id, task_id))

    def peek(self, device_id: str, task_id: str, *, now: float | None = None) -> Claim:
        self._maybe_prune(time.time() if now is None else now)
        row = self._run("SELECT result FROM tandem_tasks WHERE device_id = %s AND task_id = %s",
                        (device_id, task_id)).fetchone()
        return Claim(Action.RUN) if row is None else known_claim(row[0])

    def _result(self, device_id: str, task_id: str) -> bytes | None:
        row = self._run("SELECT result FROM tandem_tasks WHERE device_id = %s AND task_id = %s",
                        (device_id, task_id)).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    def complete(self, device_id: str, task_id: str, owner: str, result: bytes, *,
                 now: float | None = None) -> None:
        now = time.time() if now is None else now
        self._run(_COMPLETE, (device_id, task_id, owner, now, bytes(result), now))

    def _maybe_prune(self, now: float) -> None:
        if now < self._next_prune:
            return
        self._next_prune = now + 60
        self._run("DELETE FROM tandem_tasks WHERE claimed_at < %s", (now - self.retention_s,))

    def close(self) -> None:
        with self._lock:
            self._db.close()
