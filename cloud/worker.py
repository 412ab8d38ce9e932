"""The cloud worker: take sealed sub-tasks from MQTT, answer them, seal the results back.

Workers share `$share/tandem-workers/tandem/v1/task/+` (MQTT 5) so the broker spreads tasks over
the pool; each worker uses a clean session so that a dead worker holds no tasks. paho's network
thread only enqueues raw messages; one processing thread verifies, opens, runs the backend and
publishes, so a slow model never blocks MQTT keep-alives.

Flow control: tasks are acknowledged (MQTT PUBACK) only once handled, and the worker announces
MQTT 5 Receive Maximum = `queue_size`, so the broker sends it at most that many unacknowledged
tasks and keeps the rest; `concurrency` threads take them from the inbox, which is as large.
Brokers that over-send (Mosquitto 2.0.11 sends a whole window more after each PUBACK) meet the
bounded inbox: paho's thread then waits for a free slot and TCP pushes back, so memory stays
bounded either way (that wait lasts at most one task; keep tasks well under 1.5 x keepalive).
A full worker therefore stops taking tasks instead of queueing them in memory. On stop it
unsubscribes, finishes what it holds for up to `grace_s`, and releases the rest unacknowledged:
devices re-send them (a broker that re-dispatches a shared subscription's unacknowledged messages
hands them to another worker at once). Optional per-device limits
(`cloud.limits`) answer over-limit tasks with an error result; `metrics` counts everything.

Every refused envelope is logged with its reason and header ids only (never payload text) and
counted in `stats`; nothing a sender can put on the wire crashes the worker.

Repeats are normal: QoS 1 redelivers and devices re-send unanswered tasks byte for byte. After
the envelope checks (an exact repeat passes the replay guard, anything else replayed does not),
the task ledger (`cloud.ledger`) decides: run the model once, re-send the stored sealed result,
or drop a copy that another claim is running. Tasks sealed to the pool's previous key are
accepted during a rotation's overlap and answered with that previous pair.

Schema-3 tasks (what devices send now) are encrypted under the device's session key and carry the
session's signed ticket (`protocol.session`): the worker checks a ticket once and caches the key.

A task that offers tools (`SubTask.tools`) is planned, not answered: the backend's `plan` picks a
call (or none) that goes back in `TaskResult.tool_call` (`cloud.planning`); the worker never executes
it, and a backend that cannot plan answers an error result, not prose.

Results go back the way the task asks (`protocol.envelope`): a schema-2 "response-key" task is
answered under the key it carries (ChaCha20-Poly1305, no HPKE, no signature); the key lives only
in this worker's memory while it answers, and the ledger stores the encrypted result only. Older
("sealed") tasks get an HPKE-sealed, signed result as before.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from cloud.backends.base import Backend
from cloud.errors import BackendError
from cloud.ledger import Action, Ledger, open_ledger
from cloud.limits import DeviceLimiter
from cloud.metrics import WorkerMetrics
from cloud.planning import plan_task
from protocol import topics
from protocol.envelope import open_envelope, parse_envelope, seal
from protocol.errors import EnvelopeError, KeyStoreError, MisaddressedError, TandemError
from protocol.ids import next_seq, wire_digest
from protocol.keys import PoolKeys, fingerprint
from protocol.messages import Header, KeyedSubTask, SubTask, TaskResult
from protocol.mqtt import MqttAuth, connect, make_client
from protocol.replay import ReplayGuard
from protocol.response import answer
from protocol.session import SessionCache

BROKER_DROPPED_TOPIC = "$SYS/broker/publish/messages/dropped"
"""Mosquitto's count of messages it dropped (per-client queue limits), published every `sys_interval`."""
log = logging.getLogger(__name__)

STATUS_TOPIC = "tandem/v1/workers/{worker_id}/status"


@dataclass
class WorkerStats:
    answered: int = 0
    failed: int = 0
    resent: int = 0
    """Repeats answered from the ledger's stored result (no model run)."""
    busy: int = 0
    """Repeats dropped because a live claim is running the task."""
    limited: int = 0
    """Tasks answered with an error because their device is over its rate limit or quota."""
    rejected: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class _Reply:
    """How a task's result goes back: under its response key (schema 2, "response-key"), or
    HPKE-sealed to the device and signed with the pool pair the task was sealed to ("sealed")."""

    response_key: bytes | None = field(default=None, repr=False)
    signer: Ed25519PrivateKey | None = None
    device_x25519: X25519PublicKey | None = None

    def seal(self, task: Header, result: TaskResult, ttl_s: float) -> bytes:
        if self.response_key is not None:
            return answer(task, result, self.response_key, ttl_s=ttl_s)
        assert self.signer is not None and self.device_x25519 is not None
        now = time.time()
        header = Header(schema_version=task.schema_version, kind="result", device_id=task.device_id,
                        task_id=task.task_id, seq=next_seq(), issued_at=now, expires_at=now + ttl_s,
                        key_id=fingerprint(self.device_x25519))
        return seal(header, result, self.device_x25519, self.signer)


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
        ledger: Ledger | None = None,
        auth: MqttAuth | None = None,
        on_event: Callable[[str, str], None] | None = None,
        concurrency: int = 1,
        grace_s: float = 20.0,
        metrics: WorkerMetrics | None = None,
        limiter: DeviceLimiter | None = None,
    ) -> None:
        """`ledger`: shared by the workers of a host (None: one in this worker's memory).
        `on_event(name, ref)`: "answered", "resent", "busy" with the task id, "rejected:<Reason>"
        with the refused envelope's `wire_digest` (for monitors).
        `queue_size`: tasks held unacknowledged at most; `concurrency`: tasks run at once;
        `grace_s`: how long a stopping worker finishes what it holds (see the module docstring)."""
        self.broker_url = broker_url
        self.keys = PoolKeys.load(keys_root)
        self.keys_root = keys_root
        self.backend = backend
        self.shared = shared and mqtt_version == "5"
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:8]}"
        self.result_ttl_s = result_ttl_s
        self.stats = WorkerStats()
        self.ledger = ledger if ledger is not None else open_ledger(None, retention_s=result_ttl_s)
        self.auth = auth
        self.on_event = on_event
        self._keys_loaded_at = time.monotonic()
        self._guard = ReplayGuard()
        self._sessions = SessionCache()
        # bounded: when full, paho's thread blocks, TCP pushes back and the broker keeps the task
        self._inbox: queue.Queue[tuple[str, bytes, tuple[int, int, int]]] = queue.Queue(maxsize=queue_size)
        self.concurrency = max(1, concurrency)
        self._inline = bool(getattr(backend, "inline", False))
        self.grace_s = grace_s
        self.metrics = metrics
        self.limiter = limiter if limiter is not None and limiter.active else None
        self.connected = False
        self.stopping = False
        self._held = 0
        self._held_lock = threading.Lock()
        self._generation = 0  # bumped per connection: a PUBACK never goes to a later session's mid
        if metrics is not None:
            metrics.track_held(lambda: self._held)
        self._client = make_client(self.worker_id, mqtt_version)
        self._client.manual_ack_set(True)  # PUBACK once handled: the broker's window bounds what we hold
        self._connect_props: Properties | None = None
        if mqtt_version == "5":
            # MQTT 5 Receive Maximum: the broker sends at most `queue_size` unacknowledged tasks, so the
            # inbox never fills and paho's thread never blocks (paho keeps it for reconnects).
            self._connect_props = Properties(PacketTypes.CONNECT)
            self._connect_props.ReceiveMaximum = min(queue_size, 65535)
        self._client.on_message = self._on_message
        self._client.message_callback_add(BROKER_DROPPED_TOPIC, self._on_broker_dropped)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        status = STATUS_TOPIC.format(worker_id=self.worker_id)
        self._client.will_set(status, b"offline", qos=1, retain=True)

    # -- MQTT thread -----------------------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: object, flags: object, reason: object,
                    props: object) -> None:
        self._generation += 1
        self.connected = not getattr(reason, "is_failure", False)
        if self.metrics is not None and self.connected:
            self.metrics.connected.inc()
        if self.stopping:
            return
        # (re)subscribe on every connect: clean sessions forget subscriptions
        client.subscribe(topics.worker_subscription(self.shared), qos=1)
        if self.metrics is not None:  # the broker's own count of what it dropped: drops show in /metrics
            client.subscribe(BROKER_DROPPED_TOPIC, qos=0)
        client.publish(STATUS_TOPIC.format(worker_id=self.worker_id), b"online", qos=1, retain=True)

    def _on_disconnect(self, client: mqtt.Client, userdata: object, flags: object, reason: object,
                       props: object) -> None:
        if self.connected and self.metrics is not None:
            self.metrics.connected.dec()
        self.connected = False

    def _on_broker_dropped(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        try:
            dropped = int(bytes(message.payload).strip() or b"0")
        except ValueError:
            log.info("broker $SYS dropped count unreadable bytes=%d", len(message.payload))
            return
        if self.metrics is not None:
            self.metrics.broker_dropped.set(dropped)

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        self._hold(+1)
        ack = (self._generation, message.mid, message.qos)
        if self._inline:
            # a backend that answers at once (echo): no hand-off to a processing thread, whose two
            # thread switches would cost more than the task; PUBACK once handled, as below
            done = self._once(ack)
            try:
                self.handle(message.topic, bytes(message.payload), before_publish=done)
            except TandemError as exc:
                log.error("task failed in the worker error=%s detail=%s", type(exc).__name__, exc)
            finally:
                done()
            return
        # never blocks while the inbox is at least the broker's in-flight window (see the docstring);
        # if it does, paho stops reading and TCP pushes back: still bounded
        self._inbox.put((message.topic, bytes(message.payload), ack))

    def _hold(self, delta: int) -> None:
        with self._held_lock:
            self._held += delta

    @property
    def held(self) -> int:
        """Tasks received and not yet acknowledged (waiting in the inbox or running)."""
        return self._held

    def _once(self, ack: tuple[int, int, int]) -> Callable[[], None]:
        """PUBACK `ack` on the first call only (before the result is published, or when handling ends)."""
        pending = [ack]

        def done() -> None:
            if pending:
                self._ack(pending.pop())
        return done

    def _ack(self, ack: tuple[int, int, int]) -> None:
        generation, mid, qos = ack
        if qos > 0 and generation == self._generation:
            self._client.ack(mid, qos)
        self._hold(-1)

    # -- processing thread -----------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Take tasks until `stop` is set, then shut down gracefully (see the module docstring)."""
        connect(self._client, self.broker_url, auth=self.auth, properties=self._connect_props)
        log.info("worker ready id=%s backend=%s model=%s shared=%s concurrency=%d", self.worker_id,
                 self.backend.name, self.backend.model, self.shared, self.concurrency)
        draining, abandon = threading.Event(), threading.Event()
        threads = [threading.Thread(target=self._process, args=(draining, abandon), daemon=True,
                                    name=f"{self.worker_id}-{i}") for i in range(self.concurrency)]
        for t in threads:
            t.start()
        try:
            while not stop.wait(0.2) and any(t.is_alive() for t in threads):
                pass
        finally:
            self._shutdown(threads, draining, abandon)

    def _process(self, draining: threading.Event, abandon: threading.Event) -> None:
        while not abandon.is_set():
            try:
                topic, wire, ack = self._inbox.get(timeout=0.1)
            except queue.Empty:
                if draining.is_set():
                    return
                continue
            done = self._once(ack)
            try:
                self.handle(topic, wire, before_publish=done)
            except TandemError as exc:  # e.g. the ledger's disk is full: report, keep serving
                log.error("task failed in the worker error=%s detail=%s", type(exc).__name__, exc)
            finally:
                done()

    def _shutdown(self, threads: list[threading.Thread], draining: threading.Event,
                  abandon: threading.Event) -> None:
        self.stopping = True
        if self.connected:
            self._client.unsubscribe(topics.worker_subscription(self.shared))  # take no new tasks
        draining.set()
        deadline = time.monotonic() + self.grace_s
        for t in threads:
            t.join(max(deadline - time.monotonic(), 0.0))
        abandon.set()
        released = 0
        while True:  # tasks not started within the grace period: released unacknowledged
            try:
                self._inbox.get_nowait()
            except queue.Empty:
                break
            released += 1
            self._hold(-1)
        if released or any(t.is_alive() for t in threads):
            log.warning("worker stopping id=%s released=%d unanswered task(s) (devices re-send them)",
                        self.worker_id, released + sum(t.is_alive() for t in threads))
        info = self._client.publish(STATUS_TOPIC.format(worker_id=self.worker_id), b"offline", qos=1,
                                    retain=True)
        if self.connected:
            info.wait_for_publish(timeout=2)
        self._client.disconnect()
        self._client.loop_stop()

    def handle(self, topic: str, wire: bytes, *, before_publish: Callable[[], None] | None = None) -> None:
        """Verify, open, answer and publish one task; refuse anything forged or malformed.

        `before_publish` (the PUBACK) runs once the result is stored in the ledger, just before it is
        published: publishing is the last step, so in the MQTT thread nothing delays the result."""
        try:
            device_id = topics.device_id_from_topic(topic)
            env = parse_envelope(wire)  # parsed once: the header picks the keys, then it is opened
            if env.header.kind != "task":
                raise MisaddressedError("a result envelope arrived on a task topic")
            device = self.keys.device(device_id)  # unknown (not enrolled) device: KeyStoreError
            signer: Ed25519PrivateKey | None = None
            if env.session_task:  # schema 3: the session's ticket is checked once, then one AEAD open
                header, payload = self._sessions.open_task(env, recipient_for=self._recipient,
                                                           sender_verify=device.ed25519, expect_device_id=device_id)
            else:
                signer, recipient = self._pool_pair(env.header.key_id)
                payload_type: Any = KeyedSubTask if env.header.result_mode == "response-key" else SubTask
                header, payload = open_envelope(env, recipient=recipient, sender_verify=device.ed25519,
                                                payload_type=payload_type, expect_device_id=device_id)
            self._guard.check_and_record(header, allow_repeat=True)
        except (EnvelopeError, KeyStoreError) as exc:
            self.stats.rejected[type(exc).__name__] += 1
            digest = wire_digest(wire)
            log.warning("rejected envelope reason=%s topic=%s digest=%s detail=%s", type(exc).__name__, topic,
                        digest, exc)
            self._emit(f"rejected:{type(exc).__name__}", digest)
            if self.metrics is not None:
                self.metrics.rejected.labels(type(exc).__name__).inc()
            return
        if isinstance(payload, KeyedSubTask):
            task, reply = payload.task, _Reply(response_key=payload.key_bytes())
        else:
            assert signer is not None  # set by the schema 1/2 branch, the only one yielding a SubTask
            task, reply = payload, _Reply(signer=signer, device_x25519=device.x25519)
        # an instant backend needs no claim (a look-up, nothing written; see TaskLedger.peek)
        claim = (self.ledger.peek(header.device_id, header.task_id) if self._inline
                 else self.ledger.claim(header.device_id, header.task_id, self.worker_id))
        if claim.action is Action.RESEND:
            assert claim.result is not None
            self.stats.resent += 1
            if self.metrics is not None:
                self.metrics.tasks.labels(self.backend.name, "resent").inc()
            log.info("re-sent stored result task=%s device=%s", header.task_id, header.device_id)
            self._emit("resent", header.task_id)
            if before_publish is not None:
                before_publish()
            self._client.publish(topics.result_topic(header.device_id), claim.result, qos=1)
        elif claim.action is Action.BUSY:
            self.stats.busy += 1
            if self.metrics is not None:
                self.metrics.tasks.labels(self.backend.name, "busy").inc()
            log.info("dropped a copy of a running task=%s device=%s", header.task_id, header.device_id)
            self._emit("busy", header.task_id)
        else:
            self._answer(header, task, reply, before_publish)

    def _emit(self, event: str, ref: str) -> None:
        if self.on_event is not None:
            self.on_event(event, ref)

    def _pool_pair(self, key_id: str) -> tuple[Ed25519PrivateKey, X25519PrivateKey]:
        """The pool pair a task is sealed to; re-reads the key files (at most every 2 s) on a miss,
        so a rotation made while the worker runs is picked up."""
        try:
            return self.keys.pair_for(key_id)
        except MisaddressedError:
            if time.monotonic() - self._keys_loaded_at < 2.0:
                raise
            self.keys = PoolKeys.load(self.keys_root)
            self._keys_loaded_at = time.monotonic()
            return self.keys.pair_for(key_id)

    def _recipient(self, key_id: str) -> X25519PrivateKey:
        return self._pool_pair(key_id)[1]

    def _answer(self, header: Header, task: SubTask, reply: _Reply,
                before_publish: Callable[[], None] | None) -> None:
        t0 = time.perf_counter()
        error = None
        outcome = "answered"
        tool_call = None
        refusal = self.limiter.admit(header.device_id) if self.limiter is not None else None
        if refusal is not None:
            text, error, outcome = "", refusal, "limited"
            self.stats.limited += 1
            log.info("limited task=%s device=%s reason=%s", header.task_id, header.device_id, refusal)
        else:
            try:
                if task.tools is not None:  # a planner: a call (or none), never prose; nothing is executed
                    text, tool_call = "", plan_task(self.backend, task)
                else:
                    text = "".join(self.backend.generate(task))
            except BackendError as exc:
                text, error, outcome = "", str(exc), "failed"
                self.stats.failed += 1
        tokens = int(getattr(self.backend, "last_tokens", 0)) if refusal is None else 0
        if self.limiter is not None and tokens:
            self.limiter.spend(header.device_id, tokens)
        elapsed = (time.perf_counter() - t0) * 1000
        result = TaskResult(task_id=header.task_id, text=text, model=self.backend.model,
                            backend=self.backend.name, tokens=tokens,
                            timings_ms={"backend": round(elapsed, 1)}, error=error, tool_call=tool_call)
        wire = reply.seal(header, result, self.result_ttl_s)
        self.ledger.complete(header.device_id, header.task_id, self.worker_id, wire)  # before it leaves
        # counted before it leaves too, so whoever sees the result sees it counted
        if self.metrics is not None:
            self.metrics.task_done(self.backend.name, outcome, time.perf_counter() - t0, tokens,
                                   None if outcome != "failed" else "BackendError")
        if error is None:
            self.stats.answered += 1
            self._emit("answered", header.task_id)
        log.info("answered task=%s device=%s tokens=%d ms=%.0f", header.task_id, header.device_id, tokens,
                 elapsed)
        if before_publish is not None:
            before_publish()  # safe: the result is in the ledger, a re-sent task gets it from there
        self._client.publish(topics.result_topic(header.device_id), wire, qos=1)
