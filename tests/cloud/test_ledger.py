"""The worker pool's task ledger: one model run per task id, stored results re-sent, leases."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cloud.ledger import Action, Ledger, MemoryLedger, TaskLedger, open_ledger


@pytest.fixture(params=["sqlite", "memory", "postgres"])
def make_ledger(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Every ledger must make the same transitions (PostgreSQL: a real server, a fresh database)."""
    url = request.getfixturevalue("postgres").new_database() if request.param == "postgres" else None
    made: list[Ledger] = []

    def make(**kw: float) -> Ledger:
        made.append(open_ledger(tmp_path / "l.sqlite" if request.param == "sqlite" else None, url=url, **kw))
        return made[-1]
    yield make
    for ledger in made:
        ledger.close()


def test_first_claim_runs_repeats_are_busy_then_resent(make_ledger) -> None:  # type: ignore[no-untyped-def]
    ledger = make_ledger(lease_s=10)
    assert ledger.claim("d", "t", "w1", now=0).action is Action.RUN
    assert ledger.claim("d", "t", "w2", now=1).action is Action.BUSY
    assert ledger.claim("d", "t", "w1", now=1).action is Action.BUSY  # a QoS 1 copy at the same worker
    ledger.complete("d", "t", "w1", b"sealed", now=2)
    claim = ledger.claim("d", "t", "w2", now=3)
    assert (claim.action, claim.result) == (Action.RESEND, b"sealed")
    assert ledger.claim("other-device", "t", "w2", now=3).action is Action.RUN


def test_a_dead_workers_claim_expires_and_another_runs_it(make_ledger) -> None:  # type: ignore[no-untyped-def]
    ledger = make_ledger(lease_s=5)
    assert ledger.claim("d", "t", "w1", now=0).action is Action.RUN
    assert ledger.claim("d", "t", "w2", now=4).action is Action.BUSY
    assert ledger.claim("d", "t", "w2", now=6).action is Action.RUN
    ledger.complete("d", "t", "w2", b"from w2", now=7)
    ledger.complete("d", "t", "w1", b"late w1", now=8)  # the first stored result wins
    assert ledger.claim("d", "t", "w3", now=9).result == b"from w2"


def test_workers_sharing_one_file_run_each_task_once(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    ledgers = [TaskLedger(path, lease_s=60) for _ in range(4)]
    runs: list[str] = []

    def work(i: int) -> None:
        for n in range(50):
            if ledgers[i].claim("d", f"t{n}", f"w{i}").action is Action.RUN:
                runs.append(f"t{n}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(runs) == sorted(f"t{n}" for n in range(50))


def test_old_rows_are_pruned(make_ledger) -> None:  # type: ignore[no-untyped-def]
    ledger = make_ledger(lease_s=1, retention_s=100)
    ledger.claim("d", "t", "w", now=0)
    ledger.complete("d", "t", "w", b"r", now=0)
    ledger._next_prune = 0
    assert ledger.claim("d", "t2", "w", now=500).action is Action.RUN
    assert ledger.claim("d", "t", "w", now=500).action is Action.RUN  # forgotten: the task expired long ago


def test_peek_tells_run_busy_and_resend_without_claiming(make_ledger) -> None:  # type: ignore[no-untyped-def]
    """Instant backends look up instead of claiming: nothing is written until `complete`."""
    ledger = make_ledger()
    assert ledger.peek("dev", "t1").action is Action.RUN
    assert ledger.peek("dev", "t1").action is Action.RUN  # a look-up claims nothing
    assert ledger.claim("dev", "t2", "slow-worker").action is Action.RUN
    assert ledger.peek("dev", "t2").action is Action.BUSY  # a live claim of a slow sibling
    ledger.complete("dev", "t1", "w", b"sealed-1")
    ledger.complete("dev", "t1", "w2", b"sealed-2")  # the first result stays
    seen = ledger.peek("dev", "t1")
    assert seen.action is Action.RESEND and seen.result == b"sealed-1"


def test_memory_ledger_prunes_in_claim_order_and_stays_bounded() -> None:
    ledger = MemoryLedger(lease_s=5, retention_s=100, max_rows=3)
    assert ledger.claim("d", "a", "w1", now=0).action is Action.RUN
    assert ledger.claim("d", "b", "w1", now=1).action is Action.RUN
    assert ledger.claim("d", "a", "w2", now=10).action is Action.RUN  # w1 died: taken over, now the newest
    ledger._next_prune = 0
    assert ledger.claim("d", "c", "w2", now=105).action is Action.RUN  # prunes b (claimed at 1), keeps a
    assert ledger.peek("d", "b", now=105).action is Action.RUN
    assert ledger.peek("d", "a", now=105).action is Action.BUSY
    for n in range(5):
        ledger.complete("d", f"x{n}", "w", b"r", now=106)
    assert len(ledger) == 3  # the oldest rows went first
    assert ledger.peek("d", "x4", now=106).result == b"r" and ledger.peek("d", "a", now=106).action is Action.RUN


def test_open_ledger_picks_sqlite_for_a_file(tmp_path: Path) -> None:
    assert isinstance(open_ledger(tmp_path / "l.db"), TaskLedger)
    assert isinstance(open_ledger(None), MemoryLedger)
