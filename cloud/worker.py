"""The cloud worker: take sealed sub-tasks from MQTT, answer them, seal the results back.

Workers share `$share/tandem-workers/tandem/v1/task/+` (MQTT 5) so the broker spreads tasks over
the pool; each worker uses a clean session so that a dead worker holds no tasks. paho's network
thread only enqueues raw messages; one processing thread verifies, opens, runs the backend and
publishes, so a slow model never blocks MQTT keep-alives.

Every refused envelope is logged with its reason and header ids only (never payload text) and
counted in `stats`; nothing a sender can put on the wire crashes the worker.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as mqtt

from cloud.backends import Backend
from cloud.errors import BackendError
from protocol import topics
from protocol.envelope import ReplayGuard, next_seq, open_envelope, peek_header, seal
from protocol.errors import EnvelopeError, KeyStoreError, MisaddressedError
from protocol.keys import PoolKeys
from protocol.messages import Header, SubTask, TaskResult
from protocol.mqtt import connect, make_client

log = logging.getLogger(__name__)

STATUS_TOPIC = "tandem/v1/workers/{worker_id}/status"


@dataclass
class WorkerStats:
    answered: int = 0
    failed: int = 0
    rejected: Counter[str] = field(default_factory=Counter)


class Worker:
    def __init__(
        self,
        *,
        broker_url: str,
        keys_root: Path,
        backend: Backend,
        mqtt_version: str = "5",
        shared: bool = True,
        worker_id: str | None = None,
        queue_size: int = 64,
        result_ttl_s: float = 600.0,
    ) -> None:
        self.broker_url = broker_url
        self.keys = PoolKeys.load(keys_root)
        self.keys_root = keys_root
        self.backend = backend
        self.shared = shared and mqtt_version == "5"
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:8]}"
        self.result_ttl_s = result_ttl_s
        self.stats = WorkerStats()
        self._guard = ReplayGuard()
        # bounded: when full, paho's thread blocks, TCP pushes back and the broker keeps the task
        self._inbox: queue.Queue[tuple[str, bytes]] = queue.Queue(maxsize=queue_size)
        self._client = make_client(self.worker_id, mqtt_version)
        self._client.on_message = self._on_message
        self._client.on_connect = self._on_connect
        status = STATUS_TOPIC.format(worker_id=self.worker_id)
        self._client.will_set(status, b"offline", qos=1, retain=True)

    # -- MQTT thread -----------------------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: object, flags: object, reason: object,
                    props: object) -> None:
        # (re)subscribe on every connect: clean sessions forget subscriptions
        client.subscribe(topics.worker_subscription(self.shared), qos=1)
        client.publish(STATUS_TOPIC.format(worker_id=self.worker_id), b"online", qos=1, retain=True)

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        self._inbox.put((message.topic, bytes(message.payload)))

    # -- processing thread -----------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        connect(self._client, self.broker_url)
        log.info("worker ready id=%s backend=%s model=%s shared=%s", self.worker_id, self.backend.name,
                 self.backend.model, self.shared)
        try:
            while not stop.is_set():
                try:
                    topic, wire = self._inbox.get(timeout=0.2)
                except queue.Empty:
                    continue
                self.handle(topic, wire)
        finally:
            info = self._client.publish(STATUS_TOPIC.format(worker_id=self.worker_id), b"offline", qos=1,
                                        retain=True)
            info.wait_for_publish(timeout=2)
            self._client.disconnect()
            self._client.loop_stop()

    def handle(self, topic: str, wire: bytes) -> None:
        """Verify, open, answer and publish one task; refuse anything forged or malformed."""
        try:
            device_id = topics.device_id_from_topic(topic)
            if peek_header(wire).kind != "task":
                raise MisaddressedError("a result envelope arrived on a task topic")
            device = self.keys.device(device_id)  # unknown (not enrolled) device: KeyStoreError
            header, task = open_envelope(wire, recipient=self.keys.x25519, sender_verify=device.ed25519,
                                         payload_type=SubTask, expect_device_id=device_id, guard=self._guard)
        except (EnvelopeError, KeyStoreError) as exc:
            self.stats.rejected[type(exc).__name__] += 1
            log.warning("rejected envelope reason=%s topic=%s detail=%s", type(exc).__name__, topic, exc)
            return
        self._answer(header, task)

    def _answer(self, header: Header, task: SubTask) -> None:
        t0 = time.perf_counter()
        error = None
        try:
            text = "".join(self.backend.generate(task))
        except BackendError as exc:
            text, error = "", str(exc)
            self.stats.failed += 1
        tokens = int(getattr(self.backend, "last_tokens", 0))
        elapsed = (time.perf_counter() - t0) * 1000
        result = TaskResult(task_id=header.task_id, text=text, model=self.backend.model,
                            backend=self.backend.name, tokens=tokens,
                            timings_ms={"backend": round(elapsed, 1)}, error=error)
        now = time.time()
        device = self.keys.device(header.device_id)
        reply = Header(kind="result", device_id=header.device_id, task_id=header.task_id, seq=next_seq(),
                       issued_at=now, expires_at=now + self.result_ttl_s, key_id=device.key_id)
        wire = seal(reply, result, device.x25519, self.keys.ed25519)
        self._client.publish(topics.result_topic(header.device_id), wire, qos=1)
        if error is None:
            self.stats.answered += 1
        log.info("answered task=%s device=%s tokens=%d ms=%.0f", header.task_id, header.device_id, tokens,
                 elapsed)
