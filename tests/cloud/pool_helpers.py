"""Helpers for pool tests: worker processes started through the real CLI, and their /metrics."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tandem.broker import BrokerProcess, free_port

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class WorkerProc:
    """`tandem worker --backend echo` in its own process, with its own /healthz and /metrics."""

    def __init__(self, broker: BrokerProcess, keys_root: Path, tmp: Path, worker_id: str, *,
                 delay_s: float = 0.0, grace_s: float = 5.0, inbox: int | None = None) -> None:
        self.worker_id = worker_id
        self.port = free_port()
        env = dict(os.environ, TANDEM_BROKER_URL=broker.url, TANDEM_KEYS_DIR=str(keys_root),
                   TANDEM_CONFIG=str(tmp / "no-config.toml"), TANDEM_MODELS_DIR=str(tmp / "models"))
        cmd = [sys.executable, "-m", "tandem.cli", "worker", "--backend", "echo", "--id", worker_id,
               "--echo-delay", str(delay_s), "--grace", str(grace_s), "--metrics-port", str(self.port)]
        if inbox is not None:
            env["TANDEM_WORKER__INBOX"] = str(inbox)
        self.log = tmp / f"{worker_id}.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with _OPENER.open(f"http://127.0.0.1:{self.port}{path}", timeout=5) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def wait_healthy(self, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"worker {self.worker_id} exited: {self.log.read_text()[-2000:]}")
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass  # not listening yet
            time.sleep(0.1)
        raise AssertionError(f"worker {self.worker_id} not healthy in {timeout_s} s")

    def metric(self, name: str, **labels: str) -> float:
        """Sum of the samples called `name` whose labels include `labels`."""
        total = 0.0
        for family in text_string_to_metric_families(self.get("/metrics")[1]):
            for sample in family.samples:
                if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                    total += sample.value
        return total

    def answered(self) -> int:
        return int(self.metric("tandem_worker_tasks_total", outcome="answered"))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def wait_until(predicate: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
