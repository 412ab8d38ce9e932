"""Send redacted sub-tasks to the worker pool and await their sealed results (asyncio side).

Every escalation goes through the durable spool (`device.spool`): it is sealed, written to disk,
and only then published. Until its result is stored it is re-sent, byte for byte (same task id,
same seq, same signature), after `RetryPolicy.first_s`, then with exponential backoff, and at once
after every reconnect to the broker: this covers a broker outage, a result published while the
device was offline (its session is clean) and a worker that died mid-task (another member of the
shared subscription takes the re-send). After its expiry the escalation fails with
`EscalationExpired` and the caller answers locally with a notice. `start()` re-sends whatever an
earlier process left in the spool (`recovered`).

paho's network thread never touches agent state: its callbacks hop onto the event loop with
`call_soon_threadsafe`, where results are opened, checked against replays and matched to their
pending task. A result counts once: the spool moves a task out of `pending` in one transaction,
so a second result (QoS 1 duplicate, a worker's stored result re-sent, a second worker's answer)
is ignored and counted in `duplicates`. A result that authenticates under its task's key but does
not fit the protocol (an out-of-bounds tool call) fails its task at once (`ResultRefused`). Refused envelopes are counted in `rejected` by reason and
logged with ids only, never plaintext. Spool calls are short SQLite transactions run on the loop
thread: that keeps "written before published" a plain sequence.

Tasks go out in wire schema 3 (`protocol.session`): encrypted under the device's session key, with
the session's ticket (signed and HPKE-sealed once per session) inside. They ask for a
"response-key" result (`protocol.envelope`): each carries a fresh
random response key, and its result comes back encrypted under that key, so the device opens a
result with one ChaCha20-Poly1305 decryption instead of an HPKE open and an Ed25519 verify. The
key stays in memory while the task is in flight and, wrapped (`device.response_keys`), in the
spool, so a result arriving after a restart still opens and a late duplicate still authenticates.
A result in any other mode for a keyed task is refused (no downgrade); tasks an older tandem left
in the spool (schema 1, no key) still take HPKE-sealed, signed results.

`SentRecord` is what the user is shown of each escalation: exactly the payload that left the
device (before sealing), which holds placeholders, never the vault's values.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import paho.mqtt.client as mqtt

from device.errors import (
    BrokerUnavailable,
    EscalationExpired,
    EscalationTimeout,
    NoWorkers,
    ResultRefused,
    SpoolCorrupt,
    SpoolError,
)
from device.response_keys import ResponseKeyWrap
from device.spool import Spool, SpoolRecord
from protocol import topics
from protocol.envelope import open_envelope, parse_envelope
from protocol.errors import EnvelopeError, InvalidResult, MisaddressedError
from protocol.ids import new_task_id, wire_digest
from protocol.keys import DeviceKeys
from protocol.messages import SubTask, TaskResult
from protocol.mqtt import NO_MATCHING_SUBSCRIBERS, BrokerConnectError, MqttAuth, connect, make_client
from protocol.replay import ReplayGuard
from protocol.response import new_response_key, open_result
from protocol.session import SessionSealer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SentRecord:
    task_id: str
    topic: str
    payload: dict[str, Any]  # the SubTask exactly as sealed ({} for one recovered from the spool)
    wire_bytes: int


@dataclass(frozen=True)
class RetryPolicy:
    """When an unanswered escalation is re-sent: `first_s` after a send, then times `factor`."""

    first_s: float = 5.0
    """No result this long after a send: the task is re-sent (same id), then after 10, 20, 40 s ... up to
    `max_s`. Early is safe: the pool's ledger drops a copy of a task a worker is still running (BUSY) and
    re-sends the stored result of one it finished (RESEND), and the device takes only the first result; so a
    result lost by the broker (a full queue, a restart) comes back in seconds, not after a minute."""
    factor: float = 2.0
    max_s: float = 300.0
    jitter: float = 0.1
    """Fraction of random spread, so a fleet does not re-send in lockstep after an outage."""

    def delay(self, attempts: int) -> float:
        base = min(self.first_s * self.factor ** max(attempts - 1, 0), self.max_s)
        return base * (1 + random.uniform(-self.jitter, self.jitter))


@dataclass
class _Inflight:
    record: SpoolRecord
    fut: asyncio.Future[TaskResult]
    attempts: int = 0
    next_at: float = 0.0
    sent: SentRecord | None = field(default=None)
    response_key: bytes | None = field(default=None, repr=False)
    """The task's response key in clear (memory only); None for a schema-1 task."""


class Escalator:
    def __init__(self, *, broker_url: str, keys: DeviceKeys, mqtt_version: str = "5", ttl_s: float = 600.0,
                 spool: Spool | None = None, retry: RetryPolicy | None = None,
                 no_workers: Literal["fail", "retry"] = "fail", auth: MqttAuth | None = None,
                 tick_s: float = 0.1, on_event: Callable[[str, str], None] | None = None) -> None:
        """`spool`: the durable spool (None: an in-memory one, nothing survives the process).
        `no_workers`: "fail" reports MQTT 5's "no matching subscribers" at once (interactive use);
        "retry" keeps the task and re-sends it until a worker appears or it expires.
        `on_event(event, ref)`: "answered", "expired", "duplicate", "resent" with the task id, and
        "rejected:<Reason>" with the refused envelope's `wire_digest`."""
        self.broker_url = broker_url
        self.keys = keys
        self.ttl_s = ttl_s
        self.retry = retry or RetryPolicy()
        self.no_workers = no_workers
        self.auth = auth
        self.tick_s = tick_s
        self.on_event = on_event
        self.rejected: Counter[str] = Counter()
        self.duplicates = 0
        self.resent = 0
        self.recovered: dict[str, asyncio.Future[TaskResult]] = {}
        """Futures of escalations an earlier process left in the spool, by task id (after start)."""
        self._own_spool = spool is None
        self.spool = spool if spool is not None else Spool(None)
        self._client = make_client(f"{keys.device_id}-{new_task_id()[:8]}", mqtt_version)
        self._wrap = ResponseKeyWrap(keys.x25519)
        self._sealer = SessionSealer(keys.device_id, keys.ed25519)  # one signed ticket per session
        self._guard = ReplayGuard()
        self._inflight: dict[str, _Inflight] = {}
        self._mids: dict[int, str] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._connected = False

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.on_publish = self._on_publish
        try:
            await asyncio.to_thread(connect, self._client, self.broker_url, auth=self.auth)
        except BrokerConnectError as exc:
            self._loop = None
            raise BrokerUnavailable(str(exc)) from exc
        records, corrupt = self.spool.pending()
        if corrupt:
            log.error("spool holds %d unreadable row(s); they are kept and not re-sent", len(corrupt))
        now = time.time()
        for record in records:
            fut = self._loop.create_future()
            key = None
            if record.response_key is not None:
                try:
                    key = self._wrap.unwrap(record.task_id, record.response_key)
                except SpoolCorrupt as exc:  # still re-sent; its result cannot open, so it expires
                    log.error("recovered task=%s without its response key: %s", record.task_id, exc)
            self._inflight[record.task_id] = _Inflight(record, fut, attempts=record.attempts, next_at=now,
                                                       response_key=key)
            self.recovered[record.task_id] = fut
        if records:
            log.info("recovered %d escalation(s) from the spool", len(records))
        self._ticker = asyncio.create_task(self._tick_forever())

    async def close(self) -> None:
        """Stop sending and disconnect. Unanswered escalations stay in the spool for the next start."""
        if self._ticker is not None:
            self._ticker.cancel()
            try:
                await self._ticker
            except asyncio.CancelledError:
                pass
        if self._loop is not None:
            await asyncio.to_thread(self._disconnect)
        for inflight in self._inflight.values():
            if not inflight.fut.done():
                inflight.fut.cancel()
        self._inflight.clear()
        if self._own_spool:
            self.spool.close()

    def _disconnect(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    # -- paho thread: hop to the loop ------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: object, flags: object, reason: object,
                    props: object) -> None:
        if getattr(reason, "is_failure", False):
            return
        client.subscribe(topics.result_topic(self.keys.device_id), qos=1)
        if self._loop is not None:  # SUBSCRIBE goes out before any re-send: results have a route
            self._loop.call_soon_threadsafe(self._connected_now, True)

    def _on_disconnect(self, client: mqtt.Client, userdata: object, flags: object, reason: object,
                       props: object) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._connected_now, False)

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._deliver, bytes(message.payload))

    def _on_publish(self, client: mqtt.Client, userdata: object, mid: int, reason: Any, props: object) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._published, mid, int(getattr(reason, "value", 0) or 0))

    # -- event loop --------------------------------------------------------------------------------

    def _emit(self, event: str, task_id: str) -> None:
        if self.on_event is not None:
            self.on_event(event, task_id)

    def _connected_now(self, up: bool) -> None:
        was, self._connected = self._connected, up
        if up and not was:
            now = time.time()
            for inflight in self._inflight.values():  # results sent while we were away are gone
                inflight.next_at = now

    def _published(self, mid: int, reason: int) -> None:
        task_id = self._mids.pop(mid, None)
        if task_id is None or reason != NO_MATCHING_SUBSCRIBERS:
            return
        if self.no_workers == "retry":
            log.info("no worker subscribed yet task=%s: kept in the spool, re-sent later", task_id)
            return
        inflight = self._inflight.pop(task_id, None)
        if inflight is None:
            return
        self.spool.abandon(task_id)
        if not inflight.fut.done():
            inflight.fut.set_exception(NoWorkers(
                "the broker reports no worker subscribed to tasks: start one with `tandem worker` "
                "(the local draft answers meanwhile)"))

    def _deliver(self, wire: bytes) -> None:
        try:
            env = parse_envelope(wire)
            inflight = self._inflight.get(env.header.task_id)
            key = self._response_key(env.header.task_id, inflight)
            if key is not None:  # a keyed task: only a result under its key opens (no downgrade)
                header, result = open_result(env, response_key=key, expect_device_id=self.keys.device_id)
            elif env.response_keyed:
                raise MisaddressedError(
                    f"result {env.header.task_id} is under a response key, but this device holds none for "
                    "that task (not sent by it, or finished and pruned): dropped")
            else:  # a schema-1 task (left in the spool by an older tandem): HPKE-sealed and signed
                pool = self.keys.pool_for(inflight.record.key_id) if inflight is not None else self.keys.pool
                header, result = open_envelope(
                    env, recipient=self.keys.x25519, sender_verify=pool.ed25519,
                    payload_type=TaskResult, expect_device_id=self.keys.device_id,
                )
            repeat = self._guard.check_and_record(header, allow_repeat=True)
        except EnvelopeError as exc:
            self.rejected[type(exc).__name__] += 1
            digest = wire_digest(wire)
            log.warning("rejected result envelope reason=%s digest=%s detail=%s", type(exc).__name__, digest, exc)
            self._emit(f"rejected:{type(exc).__name__}", digest)
            if isinstance(exc, InvalidResult):
                self._refuse(exc)
            return
        inflight = self._inflight.get(header.task_id)
        if repeat or inflight is None or not self.spool.complete(header.task_id, wire):
            self.duplicates += 1
            log.info("ignored result for finished or unknown task=%s", header.task_id)
            self._emit("duplicate", header.task_id)
            return
        del self._inflight[header.task_id]
        self._emit("answered", header.task_id)
        if not inflight.fut.done():
            inflight.fut.set_result(result)

    def _refuse(self, exc: InvalidResult) -> None:
        """A result that opened under its task's key but does not fit the protocol: the worker answered
        and a re-send would get the same stored result, so the task fails now, not at its expiry."""
        inflight = self._inflight.pop(exc.task_id, None)
        if inflight is None:
            return
        self.spool.abandon(exc.task_id)
        if not inflight.fut.done():
            inflight.fut.set_exception(ResultRefused(f"{exc}; nothing of it was used"))

    def _response_key(self, task_id: str, inflight: _Inflight | None) -> bytes | None:
        """The response key of one of our tasks: in flight (memory), else from the spool (answered
        tasks keep theirs until pruned, so late duplicates authenticate); None if schema 1 or unknown."""
        if inflight is not None:
            return inflight.response_key
        try:
            blob = self.spool.response_key(task_id)
            return None if blob is None else self._wrap.unwrap(task_id, blob)
        except SpoolError as exc:  # SpoolCorrupt included: the result is then refused, not opened
            log.error("cannot read the response key of task=%s: %s", task_id, exc)
            return None

    def _send(self, inflight: _Inflight, now: float) -> None:
        inflight.attempts += 1
        inflight.next_at = now + self.retry.delay(inflight.attempts)
        info = self._client.publish(topics.task_topic(self.keys.device_id), inflight.record.wire, qos=1)
        self._mids[info.mid] = inflight.record.task_id
        if inflight.attempts > 1:
            self.resent += 1
            self._emit("resent", inflight.record.task_id)
            self.spool.attempted(inflight.record.task_id, inflight.attempts, now=now)
            log.info("re-sent task=%s attempt=%d", inflight.record.task_id, inflight.attempts)

    def _tick(self, now: float) -> None:
        for task_id, inflight in list(self._inflight.items()):
            if now >= inflight.record.expires_at:
                del self._inflight[task_id]
                if self.spool.expire(task_id, now=now):
                    self._emit("expired", task_id)
                    log.warning("escalation expired task=%s attempts=%d", task_id, inflight.attempts)
                if not inflight.fut.done():
                    inflight.fut.set_exception(EscalationExpired(
                        f"task {task_id} got no result before it expired ({inflight.attempts} attempt(s)): "
                        "the device answered instead; check the broker and the workers"))
            elif self._connected and now >= inflight.next_at:
                self._send(inflight, now)

    async def _tick_forever(self) -> None:
        next_prune = 0.0
        while True:
            now = time.time()
            self._tick(now)
            if now >= next_prune:
                self.spool.prune(now=now)
                next_prune = now + 600
            await asyncio.sleep(self.tick_s)

    async def submit(self, task: SubTask) -> tuple[SentRecord, asyncio.Future[TaskResult]]:
        """Seal, spool and publish one sub-task; the future resolves with its result.

        Raises BrokerUnavailable before `start()`, SpoolFull at the spool's size bound.
        """
        if self._loop is None:
            raise BrokerUnavailable("the escalation client is not connected (start() was not called or "
                                    "failed): the device answers on its own")
        now = time.time()
        key = new_response_key()
        header, wire = self._sealer.seal_task(task, key, self.keys.pool, ttl_s=self.ttl_s, now=now)
        wrapped = self._wrap.wrap(header.task_id, key)
        self.spool.add(header, wire, response_key=wrapped, now=now)  # durable before it leaves
        record = SpoolRecord(task_id=header.task_id, wire=wire, key_id=header.key_id, created_at=now,
                             expires_at=header.expires_at, attempts=0, response_key=wrapped)
        inflight = _Inflight(record, self._loop.create_future(), next_at=now, response_key=key)
        self._inflight[header.task_id] = inflight
        if self._connected:
            self._send(inflight, now)
        sent = SentRecord(header.task_id, topics.task_topic(self.keys.device_id), task.model_dump(mode="json"),
                          len(wire))
        return sent, inflight.fut

    async def wait(self, record: SentRecord, fut: asyncio.Future[TaskResult],
                   timeout_s: float | None = None) -> TaskResult:
        """The result, or EscalationError: NoWorkers, EscalationExpired, or EscalationTimeout once
        `timeout_s` passes (the escalation is then abandoned: a late result is ignored)."""
        try:
            return await asyncio.wait_for(fut, timeout_s)
        except asyncio.TimeoutError as exc:
            inflight = self._inflight.pop(record.task_id, None)
            if inflight is not None:
                self.spool.abandon(record.task_id)
            raise EscalationTimeout(
                f"no result for task {record.task_id} within {timeout_s:.0f} s: is a worker running "
                "(`tandem worker`)? The local draft answers instead"
            ) from exc
