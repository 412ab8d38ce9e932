"""A worker process: N workers on the pool's shared subscription, one backend, one endpoint.

Scaling is the broker's job: every worker (here, in other processes, on other hosts) joins the
MQTT 5 shared subscription and the broker spreads tasks over them. Inside one process the workers
share the backend (an HTTP client or a llama.cpp instance with parallel slots), the task ledger
(so a repeat reaching a sibling is deduplicated), the per-device limiter and the metrics, and
expose one `/healthz` + `/metrics` endpoint.

Each worker is its own MQTT client with its own bounded window of unacknowledged tasks, so N
workers x `concurrency` threads is how much one process runs at once.
"""

from __future__ import annotations

import logging
import threading
import uuid
from pathlib import Path

from cloud.backends.base import Backend
from cloud.config import WorkerSettings
from cloud.ledger import Ledger, open_ledger
from cloud.limits import DeviceLimiter
from cloud.metrics import MetricsEndpoint, WorkerMetrics
from cloud.worker import Worker
from protocol.mqtt import MqttAuth

log = logging.getLogger(__name__)


class WorkerPool:
    def __init__(self, *, broker_url: str, keys_root: Path, backend: Backend, settings: WorkerSettings,
                 mqtt_version: str = "5", auth: MqttAuth | None = None, ledger: Ledger | None = None,
                 metrics: WorkerMetrics | None = None, name: str | None = None) -> None:
        self.settings = settings
        self.metrics = metrics if metrics is not None else WorkerMetrics()
        self.ledger = ledger if ledger is not None else open_ledger(settings.ledger_path, url=settings.ledger_url)
        self.limiter = DeviceLimiter(settings.limits)
        prefix = name or f"worker-{uuid.uuid4().hex[:6]}"
        self.workers = [
            Worker(broker_url=broker_url, keys_root=keys_root, backend=backend, mqtt_version=mqtt_version,
                   worker_id=prefix if settings.workers == 1 else f"{prefix}-{i}", queue_size=settings.inbox,
                   ledger=self.ledger, auth=auth, concurrency=settings.concurrency, grace_s=settings.grace_s,
                   metrics=self.metrics, limiter=self.limiter)
            for i in range(settings.workers)
        ]
        self.endpoint: MetricsEndpoint | None = None

    def health(self) -> tuple[bool, dict[str, object]]:
        connected = sum(w.connected for w in self.workers)
        stopping = any(w.stopping for w in self.workers)
        ok = connected == len(self.workers) and not stopping
        return ok, {"workers": len(self.workers), "connected": connected, "stopping": stopping,
                    "held": sum(w.held for w in self.workers)}

    def start_endpoint(self) -> MetricsEndpoint | None:
        """Open `/healthz` and `/metrics` when `metrics_port` is set (before the workers connect, so a
        probe sees 503 until they are up)."""
        if self.settings.metrics_port is not None and self.endpoint is None:
            self.endpoint = MetricsEndpoint(self.metrics, self.health, self.settings.metrics_host,
                                            self.settings.metrics_port)
        return self.endpoint

    def run(self, stop: threading.Event) -> None:
        """Run every worker until `stop`; each then finishes what it holds (up to `grace_s`)."""
        self.start_endpoint()
        errors: list[BaseException] = []

        def run_one(worker: Worker) -> None:
            try:
                worker.run(stop)
            except BaseException as exc:  # noqa: BLE001 - re-raised below, in the caller's thread
                errors.append(exc)
                stop.set()

        threads = [threading.Thread(target=run_one, args=(w,), name=w.worker_id) for w in self.workers]
        try:
            for t in threads:
                t.start()
            for t in threads:
                # joined in slices: the kernel may deliver SIGTERM to any thread, and Python runs its
                # handler (which sets `stop`) only when the main thread runs again; an untimed join
                # would hold it until the workers ended, which they do only once `stop` is set
                while t.is_alive():
                    t.join(0.2)
        finally:
            if self.endpoint is not None:
                self.endpoint.close()
        if errors:
            raise errors[0]
