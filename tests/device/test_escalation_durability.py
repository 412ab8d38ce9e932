"""The escalation client with its durable spool, in-process against real Mosquitto instances:
expiry, the size bound, a restart that re-sends, a broker outage in the middle."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloud.backends.echo import EchoBackend
from cloud.worker import Worker
from device.errors import EscalationExpired, SpoolFull
from device.escalation import Escalator, RetryPolicy
from device.spool import Spool
from protocol.keys import DeviceKeys
from protocol.messages import SubTask
from tandem.broker import BrokerProcess


@pytest.fixture
def worker_on(keys_root: Path) -> Iterator[object]:
    started: list[tuple[threading.Event, threading.Thread]] = []

    def start(broker: BrokerProcess) -> Worker:
        worker = Worker(broker_url=broker.url, keys_root=keys_root, backend=EchoBackend())
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        thread.start()
        started.append((stop, thread))
        return worker

    yield start
    for stop, thread in started:
        stop.set()
        thread.join(10)


def test_expiry_gives_a_typed_error_and_a_final_outcome(own_mosquitto: BrokerProcess, keys_root: Path) -> None:
    spool = Spool(None)

    async def go() -> str:
        esc = Escalator(broker_url=own_mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"), mqtt_version="3.1.1",
                        ttl_s=0.6, spool=spool, retry=RetryPolicy(first_s=0.2))
        await esc.start()
        try:
            record, fut = await esc.submit(SubTask(prompt="nobody listens"))
            with pytest.raises(EscalationExpired, match="device answered instead"):
                await esc.wait(record, fut)
            assert esc.resent >= 1  # it was re-sent (same id) before it expired
            return record.task_id
        finally:
            await esc.close()

    task_id = asyncio.run(go())
    assert spool.outcome(task_id) == "expired"


def test_spool_full_refuses_with_a_typed_error(own_mosquitto: BrokerProcess, keys_root: Path) -> None:
    async def go() -> None:
        esc = Escalator(broker_url=own_mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"), mqtt_version="3.1.1",
                        spool=Spool(None, max_tasks=1))
        await esc.start()
        try:
            await esc.submit(SubTask(prompt="one"))
            with pytest.raises(SpoolFull):
                await esc.submit(SubTask(prompt="two"))
            assert esc.spool.counts()["pending"] == 1
        finally:
            await esc.close()

    asyncio.run(go())


def test_a_restarted_device_re_sends_its_spool_with_the_same_task_id(
        own_mosquitto: BrokerProcess, keys_root: Path, tmp_path: Path, worker_on: object) -> None:
    path = tmp_path / "spool.sqlite"

    async def before() -> str:  # no worker yet: the task stays in the spool when the process ends
        esc = Escalator(broker_url=own_mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"), mqtt_version="3.1.1",
                        spool=Spool(path))
        await esc.start()
        record, _ = await esc.submit(SubTask(prompt="survives"))
        await esc.close()
        return record.task_id

    async def after(task_id: str) -> str:
        esc = Escalator(broker_url=own_mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"), spool=Spool(path),
                        no_workers="retry", retry=RetryPolicy(first_s=0.3))  # the worker may still be subscribing
        await esc.start()
        try:
            assert list(esc.recovered) == [task_id]
            return (await asyncio.wait_for(esc.recovered[task_id], 10)).text
        finally:
            await esc.close()

    task_id = asyncio.run(before())
    worker_on(own_mosquitto)  # type: ignore[operator]
    assert asyncio.run(after(task_id)) == "survives"
    assert Spool(path).outcome(task_id) == "answered"


def test_broker_outage_in_the_middle_of_an_escalation(own_mosquitto: BrokerProcess, keys_root: Path,
                                                      worker_on: object) -> None:
    worker_on(own_mosquitto)  # type: ignore[operator]

    async def go() -> list[str]:
        esc = Escalator(broker_url=own_mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"), no_workers="retry",
                        retry=RetryPolicy(first_s=0.5, max_s=1))
        await esc.start()
        try:
            await asyncio.sleep(0.3)
            own_mosquitto.stop()
            sent = [await esc.submit(SubTask(prompt=f"during outage {i}")) for i in range(3)]
            await asyncio.to_thread(own_mosquitto.restart)
            return [(await esc.wait(record, fut, 15)).text for record, fut in sent]
        finally:
            await esc.close()

    assert asyncio.run(go()) == [f"during outage {i}" for i in range(3)]
