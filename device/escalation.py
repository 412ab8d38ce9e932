"""Send redacted sub-tasks to the worker pool and await their sealed results (asyncio side).

paho's network thread never touches agent state: its callbacks hop onto the event loop with
`call_soon_threadsafe`, where results are opened, checked against replays and matched to the
pending future of their task id. A second result for a finished task is ignored.

`SentRecord` is what the user is shown of each escalation: exactly the payload that left the
device (before sealing), which holds placeholders, never the vault's values.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt

from device.errors import BrokerUnavailable, EscalationError, EscalationTimeout, NoWorkers
from protocol import topics
from protocol.envelope import ReplayGuard, new_task_id, next_seq, open_envelope, seal
from protocol.errors import EnvelopeError, ProtocolError
from protocol.keys import DeviceKeys
from protocol.messages import Header, SubTask, TaskResult
from protocol.mqtt import NO_MATCHING_SUBSCRIBERS, BrokerConnectError, connect, make_client

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SentRecord:
    task_id: str
    topic: str
    payload: dict[str, Any]  # the SubTask exactly as sealed
    wire_bytes: int


class Escalator:
    def __init__(self, *, broker_url: str, keys: DeviceKeys, mqtt_version: str = "5", ttl_s: float = 600.0):
        self.broker_url = broker_url
        self.keys = keys
        self.ttl_s = ttl_s
        self.rejected: Counter[str] = Counter()
        self.duplicates = 0
        self._client = make_client(f"{keys.device_id}-{new_task_id()[:8]}", mqtt_version)
        self._guard = ReplayGuard()
        self._pending: dict[str, asyncio.Future[TaskResult]] = {}
        self._mids: dict[int, str] = {}
        self._done: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._client.on_publish = self._on_publish
        try:
            await asyncio.to_thread(connect, self._client, self.broker_url)
        except BrokerConnectError as exc:
            raise BrokerUnavailable(str(exc)) from exc

    async def close(self) -> None:
        await asyncio.to_thread(self._disconnect)

    def _disconnect(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    # -- paho thread: hop to the loop ------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: object, flags: object, reason: object,
                    props: object) -> None:
        client.subscribe(topics.result_topic(self.keys.device_id), qos=1)

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._deliver, bytes(message.payload))

    def _on_publish(self, client: mqtt.Client, userdata: object, mid: int, reason: Any, props: object) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._published, mid, int(getattr(reason, "value", 0) or 0))

    # -- event loop --------------------------------------------------------------------------------

    def _published(self, mid: int, reason: int) -> None:
        task_id = self._mids.pop(mid, None)
        if task_id is None or reason != NO_MATCHING_SUBSCRIBERS:
            return
        fut = self._pending.pop(task_id, None)
        if fut is not None and not fut.done():
            fut.set_exception(NoWorkers("the broker reports no worker subscribed to tasks: start one with "
                                        "`tandem worker` (the local draft answers meanwhile)"))

    def _deliver(self, wire: bytes) -> None:
        try:
            header, result = open_envelope(
                wire, recipient=self.keys.x25519, sender_verify=self.keys.pool.ed25519,
                payload_type=TaskResult, expect_device_id=self.keys.device_id, guard=self._guard,
            )
        except EnvelopeError as exc:
            self.rejected[type(exc).__name__] += 1
            log.warning("rejected result envelope reason=%s detail=%s", type(exc).__name__, exc)
            return
        fut = self._pending.pop(header.task_id, None)
        if fut is None or result.task_id != header.task_id:
            self.duplicates += 1
            log.info("ignored result for finished or unknown task=%s", header.task_id)
            return
        self._done.add(header.task_id)
        if not fut.done():
            fut.set_result(result)

    async def submit(self, task: SubTask) -> tuple[SentRecord, asyncio.Future[TaskResult]]:
        """Seal and publish one sub-task; the future resolves with its result."""
        if self._loop is None:
            raise BrokerUnavailable("not connected to the broker (start() failed or was not called)")
        now = time.time()
        task_id = new_task_id()
        header = Header(kind="task", device_id=self.keys.device_id, task_id=task_id, seq=next_seq(),
                        issued_at=now, expires_at=now + self.ttl_s, key_id=self.keys.pool.key_id)
        try:
            wire = seal(header, task, self.keys.pool.x25519, self.keys.ed25519)
        except ProtocolError as exc:  # e.g. OversizedEnvelope: the part stays on the device
            raise EscalationError(f"cannot seal this part for the cloud: {exc}") from exc
        fut: asyncio.Future[TaskResult] = self._loop.create_future()
        self._pending[task_id] = fut
        topic = topics.task_topic(self.keys.device_id)
        info = self._client.publish(topic, wire, qos=1)
        self._mids[info.mid] = task_id
        return SentRecord(task_id, topic, task.model_dump(mode="json"), len(wire)), fut

    async def wait(self, record: SentRecord, fut: asyncio.Future[TaskResult], timeout_s: float) -> TaskResult:
        try:
            return await asyncio.wait_for(fut, timeout_s)
        except asyncio.TimeoutError as exc:
            self._pending.pop(record.task_id, None)
            raise EscalationTimeout(
                f"no result for task {record.task_id} within {timeout_s:.0f} s: is a worker running "
                "(`tandem worker`)? The local draft answers instead"
            ) from exc
