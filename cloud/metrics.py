"""Prometheus metrics of a worker process and its `/healthz` + `/metrics` HTTP endpoint.

One `WorkerMetrics` per process, shared by its workers (each metric carries no worker label:
Prometheus scrapes per process, and the pool is the sum of its processes). Every metric lives in
its own `CollectorRegistry`, so tests and the benchmark can run several pools in one process.

    tandem_worker_tasks_total{backend,outcome}      answered | failed | resent | busy | limited
    tandem_worker_task_seconds{backend}             histogram, opened task -> sealed result published
    tandem_worker_tokens_total{backend}             generated tokens
    tandem_worker_backend_errors_total{backend,error}
    tandem_worker_rejected_envelopes_total{reason}  forged, replayed, malformed, unknown device, ...
    tandem_worker_held_tasks                        received and not yet acknowledged (all workers)
    tandem_worker_connected                         workers connected to the broker
    tandem_broker_publish_messages_dropped          what the broker says it dropped (Mosquitto's
                                                    $SYS/broker/publish/messages/dropped: queue limits hit),
                                                    -1 until it reports (or when the ACL hides $SYS)

`/healthz` answers 200 while every worker of the process is connected and not shutting down,
else 503, with a small JSON body; it never carries task data.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from cloud.errors import EndpointError

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class WorkerMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.tasks = Counter("tandem_worker_tasks", "Tasks handled, by outcome.", ["backend", "outcome"], registry=r)
        self.latency = Histogram("tandem_worker_task_seconds", "Opened task to published sealed result.",
                                 ["backend"], buckets=LATENCY_BUCKETS, registry=r)
        self.tokens = Counter("tandem_worker_tokens", "Tokens generated.", ["backend"], registry=r)
        self.backend_errors = Counter("tandem_worker_backend_errors", "Backend failures, by error type.",
                                      ["backend", "error"], registry=r)
        self.rejected = Counter("tandem_worker_rejected_envelopes", "Envelopes refused, by reason.", ["reason"],
                                registry=r)
        self.held = Gauge("tandem_worker_held_tasks", "Tasks received and not yet acknowledged.", registry=r)
        self._held_sources: list[Callable[[], int]] = []
        self.held.set_function(lambda: sum(source() for source in list(self._held_sources)))
        self.connected = Gauge("tandem_worker_connected", "Workers connected to the broker.", registry=r)
        self.broker_dropped = Gauge("tandem_broker_publish_messages_dropped",
                                    "Messages the broker dropped (queue limits), as its $SYS report says.",
                                    registry=r)
        self.broker_dropped.set(-1)

        # labelled children looked up once (labels() takes a lock and builds a key on every call)
        self._children: dict[tuple[str, str], tuple[Counter, Histogram, Counter]] = {}

    def track_held(self, source: Callable[[], int]) -> None:
        """Count `source()` (a worker's held tasks) in `tandem_worker_held_tasks`, read at scrape time
        rather than updated twice per task."""
        self._held_sources.append(source)

    def task_done(self, backend: str, outcome: str, seconds: float, tokens: int, error: str | None = None) -> None:
        children = self._children.get((backend, outcome))
        if children is None:
            children = self._children[(backend, outcome)] = (
                self.tasks.labels(backend, outcome), self.latency.labels(backend), self.tokens.labels(backend))
        count, latency, token_count = children
        count.inc()
        latency.observe(seconds)
        if tokens:
            token_count.inc(tokens)
        if error is not None:
            self.backend_errors.labels(backend, error).inc()

    def value(self, name: str, labels: dict[str, str] | None = None) -> float:
        """Current value of one sample (tests and the benchmark), 0 when absent."""
        return self.registry.get_sample_value(name, labels or {}) or 0.0


Health = Callable[[], tuple[bool, dict[str, object]]]


class MetricsEndpoint:
    """`/healthz` and `/metrics` on a small threaded HTTP server in a daemon thread."""

    def __init__(self, metrics: WorkerMetrics, health: Health, host: str = "127.0.0.1", port: int = 0) -> None:
        registry = metrics.registry

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/metrics":
                    self._send(200, generate_latest(registry), CONTENT_TYPE_LATEST)
                elif path == "/healthz":
                    ok, detail = health()
                    body = json.dumps({"status": "ok" if ok else "unavailable", **detail}).encode()
                    self._send(200 if ok else 503, body, "application/json")
                else:
                    self._send(404, b"not found: try /healthz or /metrics\n", "text/plain")

            def _send(self, code: int, body: bytes, content_type: str) -> None:
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                log.debug("http %s", format % args)

        try:
            self._server = ThreadingHTTPServer((host, port), Handler)
        except OSError as exc:
            raise EndpointError(f"the metrics endpoint cannot listen on {host}:{port} ({exc.strerror or exc}): "
                                "pick another worker.metrics_port") from exc
        self._server.daemon_threads = True
        self.host, self.port = host, int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics-http", daemon=True)
        self._thread.start()
        log.info("metrics endpoint http://%s:%d/metrics and /healthz", self.host, self.port)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
