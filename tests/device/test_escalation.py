"""The device's escalation client over a real Mosquitto: results, forgeries, no worker, no broker."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from pathlib import Path

import pytest

from cloud.backends.echo import EchoBackend
from cloud.worker import Worker
from device.errors import BrokerUnavailable, EscalationTimeout, NoWorkers
from device.escalation import Escalator
from protocol import topics
from protocol.keys import DeviceKeys
from protocol.messages import SubTask
from tandem.broker import BrokerProcess, free_port
from tests.mqtt_observer import Observer


def _start_worker(broker: BrokerProcess, keys_root: Path) -> tuple[Worker, threading.Event, threading.Thread]:
    worker = Worker(broker_url=broker.url, keys_root=keys_root, backend=EchoBackend())
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    time.sleep(0.3)  # subscribed after CONNACK
    return worker, stop, thread


def test_forged_replayed_and_duplicate_results_are_ignored(mosquitto: BrokerProcess, keys_root: Path) -> None:
    _worker, stop, thread = _start_worker(mosquitto, keys_root)
    observer = Observer(mosquitto.url)

    async def go() -> Escalator:
        esc = Escalator(broker_url=mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"))
        await esc.start()
        record, fut = await esc.submit(SubTask(prompt="ping"))
        assert (await esc.wait(record, fut, 10)).text == "ping"
        result_wire = observer.wait_for(topics.result_topic("dev-a"))[0]
        # the same result again (a QoS 1 duplicate, or a replay): ignored, nothing crashes
        observer.publish(topics.result_topic("dev-a"), result_wire)
        # a tampered result: the response key's AEAD tag catches it (no signature on results)
        env = json.loads(result_wire)
        assert env["header"]["result_mode"] == "response-key" and "signature" not in env
        ct = bytearray(base64.b64decode(env["ciphertext"]))
        ct[-1] ^= 0xFF
        env["ciphertext"] = base64.b64encode(bytes(ct)).decode()
        observer.publish(topics.result_topic("dev-a"), json.dumps(env).encode())
        observer.publish(topics.result_topic("dev-a"), b"{}")
        await asyncio.sleep(0.5)
        # still works after the garbage
        record, fut = await esc.submit(SubTask(prompt="pong"))
        assert (await esc.wait(record, fut, 10)).text == "pong"
        await esc.close()
        return esc

    try:
        esc = asyncio.run(go())
        # A byte-identical result is what a worker re-sends for a retried task (issue 5): it is a
        # deduplicated repeat now, not a refused replay; the device still uses only the first.
        assert esc.duplicates == 1 and esc.rejected["ReplayError"] == 0
        assert esc.rejected["DecryptError"] == 1
        assert esc.rejected["MalformedEnvelope"] == 1
    finally:
        observer.close()
        stop.set()
        thread.join(10)


def test_no_worker_is_reported_not_silently_dropped(own_mosquitto: BrokerProcess, keys_root: Path) -> None:
    async def go() -> None:
        esc = Escalator(broker_url=own_mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"))
        await esc.start()
        try:
            record, fut = await esc.submit(SubTask(prompt="anyone there?"))
            with pytest.raises(NoWorkers, match="tandem worker"):
                await esc.wait(record, fut, 10)
        finally:
            await esc.close()

    asyncio.run(go())


def test_timeout_is_reported(own_mosquitto: BrokerProcess, keys_root: Path) -> None:
    async def go() -> None:
        esc = Escalator(broker_url=own_mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"), mqtt_version="3.1.1")
        await esc.start()
        try:
            record, fut = await esc.submit(SubTask(prompt="anyone there?"))
            with pytest.raises(EscalationTimeout, match="local draft answers instead"):
                await esc.wait(record, fut, 0.5)
        finally:
            await esc.close()

    asyncio.run(go())


def test_broker_down_is_a_clear_error(keys_root: Path) -> None:
    async def go() -> None:
        esc = Escalator(broker_url=f"mqtt://127.0.0.1:{free_port()}", keys=DeviceKeys.load(keys_root, "dev-a"))
        with pytest.raises(BrokerUnavailable, match="cannot reach the MQTT broker"):
            await esc.start()

    asyncio.run(go())
