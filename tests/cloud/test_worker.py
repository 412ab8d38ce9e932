"""The worker over a real Mosquitto: answers sealed tasks, refuses forged and replayed ones."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from pathlib import Path

from cloud.backends.echo import EchoBackend
from cloud.worker import Worker
from device.escalation import Escalator
from protocol import topics
from protocol.keys import DeviceKeys, init_keys
from protocol.messages import SubTask
from tandem.broker import BrokerProcess
from tests.mqtt_observer import Observer


async def _escalate(broker: BrokerProcess, keys_root: Path, device_id: str, prompt: str) -> str:
    esc = Escalator(broker_url=broker.url, keys=DeviceKeys.load(keys_root, device_id))
    await esc.start()
    try:
        record, fut = await esc.submit(SubTask(prompt=prompt))
        result = await esc.wait(record, fut, 10)
        return result.text
    finally:
        await esc.close()


def _wait_rejected(worker: Worker, reason: str, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.stats.rejected[reason]:
            return
        time.sleep(0.02)
    raise AssertionError(f"worker did not reject with {reason}: {dict(worker.stats.rejected)}")


def test_round_trip_and_nothing_in_clear(mosquitto: BrokerProcess, keys_root: Path, echo_pool: Worker) -> None:
    observer = Observer(mosquitto.url)
    try:
        prompt = "Explain how a condensing boiler works, secret-marker-7731."
        assert asyncio.run(_escalate(mosquitto, keys_root, "dev-a", prompt)) == prompt
        task_wires = observer.wait_for("tandem/v1/task/dev-a")
        result_wires = observer.wait_for("tandem/v1/result/dev-a")
        for wire in task_wires + result_wires:
            assert b"secret-marker-7731" not in wire
            ct = base64.b64decode(json.loads(wire)["ciphertext"])
            assert b"secret-marker-7731" not in ct
        assert echo_pool.stats.answered == 1
    finally:
        observer.close()


def test_replayed_and_tampered_tasks_are_refused(mosquitto: BrokerProcess, keys_root: Path,
                                                 echo_pool: Worker) -> None:
    observer = Observer(mosquitto.url)
    try:
        asyncio.run(_escalate(mosquitto, keys_root, "dev-a", "first"))
        wire = observer.wait_for("tandem/v1/task/dev-a")[0]
        topic = topics.task_topic("dev-a")

        # Replay byte for byte: since issue 5 that is what a device retry looks like, so the worker
        # re-sends its stored (sealed) result instead of running the model again.
        observer.publish(topic, wire)
        deadline = time.monotonic() + 5
        while echo_pool.stats.resent < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert echo_pool.stats.resent == 1

        env = json.loads(wire)
        ct = bytearray(base64.b64decode(env["ciphertext"]))
        ct[-1] ^= 0x01
        env["ciphertext"] = base64.b64encode(bytes(ct)).decode()
        observer.publish(topic, json.dumps(env).encode())
        _wait_rejected(echo_pool, "DecryptError")  # a session task: its AEAD tag under the session key

        observer.publish(topic, b"\xff\xfe not json")
        _wait_rejected(echo_pool, "MalformedEnvelope")

        # a correctly sealed task of dev-a replayed on another enrolled device's topic
        init_keys(keys_root, "dev-b")
        observer.publish(topics.task_topic("dev-b"), wire)
        _wait_rejected(echo_pool, "MisaddressedError")

        time.sleep(0.3)
        results = observer.on("tandem/v1/result/dev-a")
        assert len(results) == 2 and results[0] == results[1], "a refused task must get no answer"
        assert echo_pool.stats.answered == 1
    finally:
        observer.close()


def test_unenrolled_device_is_refused(mosquitto: BrokerProcess, keys_root: Path, echo_pool: Worker,
                                      tmp_path: Path) -> None:
    # a device with its own pool keys, never enrolled with this pool
    other = tmp_path / "other-keys"
    init_keys(other, "dev-x")
    rogue = DeviceKeys.load(other, "dev-x")
    pool = DeviceKeys.load(keys_root, "dev-a").pool
    forged = DeviceKeys(device_id="dev-x", ed25519=rogue.ed25519, x25519=rogue.x25519, pool=pool)

    async def go() -> None:
        esc = Escalator(broker_url=mosquitto.url, keys=forged)
        await esc.start()
        try:
            await esc.submit(SubTask(prompt="hello"))
        finally:
            await asyncio.sleep(0.2)
            await esc.close()

    asyncio.run(go())
    _wait_rejected(echo_pool, "KeyStoreError")


def test_mqtt_311_round_trip(mosquitto: BrokerProcess, keys_root: Path) -> None:
    worker = Worker(broker_url=mosquitto.url, keys_root=keys_root, backend=EchoBackend(), mqtt_version="3.1.1")
    assert not worker.shared  # no $share on 3.1.1: a plain subscription
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    time.sleep(0.3)

    async def go() -> str:
        esc = Escalator(broker_url=mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"), mqtt_version="3.1.1")
        await esc.start()
        try:
            record, fut = await esc.submit(SubTask(prompt="over 3.1.1"))
            return (await esc.wait(record, fut, 10)).text
        finally:
            await esc.close()

    try:
        assert asyncio.run(go()) == "over 3.1.1"
    finally:
        stop.set()
        thread.join(10)
