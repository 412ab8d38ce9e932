"""Faults against real processes (Mosquitto, echo workers, a device process), one kind per test:
every accepted escalation is answered exactly once, none lost, every forgery refused."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from harness.chaos.soak import Chaos, ChaosConfig, ChaosReport


def _run(tmp_path: Path, faults: tuple[str, ...], *, tasks: int = 60, forge: bool = False,
         ledger_on_disk: bool = True) -> ChaosReport:
    # 30 tasks/s with a fault every 0.4 s: each fault lands while escalations are in flight
    config = ChaosConfig(tasks=tasks, faults=faults, rate=30, fault_every_s=0.4, retry_s=1.0, lease_s=0.8,
                         worker_delay_ms=20, forge=forge, time_limit_s=60, seed=5, workdir=tmp_path / "chaos",
                         ledger_on_disk=ledger_on_disk)
    report = Chaos(config).run()
    assert report.finished, report
    assert (report.accepted, report.answered, report.lost, report.answered_twice) == (tasks, tasks, 0, 0), report
    for fault in faults:
        assert report.faults.get(fault, 0) >= 1, report
    return report


def test_broker_stopped_mid_escalation_and_restarted(tmp_path: Path) -> None:
    _run(tmp_path, ("broker",))


def test_device_killed_with_escalations_in_its_spool(tmp_path: Path) -> None:
    _run(tmp_path, ("device",))
    # more than one device process ran, and the spool journal saw each task accepted once
    runs = list((tmp_path / "chaos" / "stats").glob("device-*.json"))
    assert len(runs) >= 2
    with sqlite3.connect(tmp_path / "chaos" / "device-spool.sqlite") as db:
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT task_id) FROM journal WHERE event = 'accepted'"
                          ).fetchone() == (60, 60)


def test_worker_killed_mid_task_with_a_second_worker(tmp_path: Path) -> None:
    _run(tmp_path, ("worker",))
    stats = [json.loads(p.read_text()) for p in (tmp_path / "chaos" / "stats").glob("worker-*.json")]
    assert len(stats) >= 3  # two workers, at least one killed and replaced


def test_tasks_replayed_to_a_restarted_pool_are_not_run_again(tmp_path: Path) -> None:
    report = _run(tmp_path, ("replay-restart",))
    assert report.replays_after_restart > 0 and report.replays_resent >= report.replays_after_restart, report
    assert report.replays_rerun == 0 and report.ok


def test_with_the_ledger_in_memory_the_replays_run_again(tmp_path: Path) -> None:
    """What the fault is for: a pool that forgets on restart runs a captured task again."""
    config = ChaosConfig(tasks=60, faults=("replay-restart",), rate=30, fault_every_s=0.4, retry_s=1.0, lease_s=0.8,
                         worker_delay_ms=20, forge=False, time_limit_s=60, seed=5, workdir=tmp_path / "chaos",
                         ledger_on_disk=False)
    report = Chaos(config).run()
    assert report.replays_after_restart > 0 and report.replays_rerun > 0 and not report.ok, report


def test_duplicate_deliveries_and_forgeries(tmp_path: Path) -> None:
    report = _run(tmp_path, ("dup",), forge=True)
    assert report.duplicates_injected > 0
    assert report.device_duplicates_ignored > 0 or report.worker_results_resent > 0
    assert report.forgeries_tried >= 15 and report.forgeries_rejected == report.forgeries_tried
    assert {"SignatureError", "DecryptError", "MisaddressedError", "MalformedEnvelope", "OversizedEnvelope",
            "ExpiredError", "KeyStoreError"} <= set(report.rejected_by_reason)


def test_the_report_fails_on_loss_double_answers_or_missed_forgeries() -> None:
    good = ChaosReport(accepted=3, answered=3, finished=True, forgeries_tried=2, forgeries_rejected=2)
    assert good.ok
    fields = {k: v for k, v in good.to_json().items() if k != "ok"}
    for change in ({"lost": 1}, {"answered_twice": 1}, {"forgeries_rejected": 1}, {"finished": False},
                   {"replays_rerun": 1}):
        assert not ChaosReport(**{**fields, **change}).ok


def test_cli_refuses_unknown_faults_and_prints_json(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "tandem.cli", "chaos", "--faults", "meteor"], capture_output=True,
                         text=True, timeout=60, check=False)
    assert out.returncode == 2 and "unknown fault" in out.stderr


@pytest.mark.parametrize("tasks", [20])
def test_cli_json_without_faults(tasks: int) -> None:
    out = subprocess.run([sys.executable, "-m", "tandem.cli", "chaos", "--tasks", str(tasks), "--faults", "",
                          "--rate", "100", "--json"], capture_output=True, text=True, timeout=90, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    doc = json.loads(out.stdout)
    assert doc["ok"] and doc["accepted"] == doc["answered"] == tasks and doc["lost"] == 0
