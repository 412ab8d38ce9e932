"""`tandem worker` keeps its task ledger on disk by default: a task captured on the broker and replayed
after the worker restarted is answered from the stored result, and the model does not run again."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from device.escalation import Escalator
from protocol import topics
from protocol.keys import DeviceKeys, init_keys
from protocol.messages import SubTask
from tandem.broker import BrokerProcess
from tests.mqtt_observer import Observer

DEVICE = "dev-restart"


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as err:
        proc = subprocess.Popen([sys.executable, "-m", "tandem.cli", "--log-level", "info", "worker", "--backend",
                                 "echo"], env=env, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 60
    while log.read_bytes().count(b"worker ready") < 1 + log.read_bytes().count(b"== restart"):
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "worker did not start"
        time.sleep(0.1)
    return proc


async def _ask(url: str, keys: Path) -> str:
    """One escalation from the device, answered by whichever worker is up."""
    esc = Escalator(broker_url=url, keys=DeviceKeys.load(keys, DEVICE), ttl_s=600)
    await esc.start()
    try:
        record, fut = await esc.submit(SubTask(prompt="Explain how a heat pump works."))
        return (await esc.wait(record, fut, 20)).text
    finally:
        await esc.close()


def test_a_replay_after_a_worker_restart_is_answered_from_the_ledger(mosquitto: BrokerProcess, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    init_keys(keys, DEVICE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    env.update(TANDEM_BROKER_URL=mosquitto.url, TANDEM_KEYS_DIR=str(keys), TANDEM_CONFIG=str(tmp_path / "none.toml"),
               XDG_STATE_HOME=str(tmp_path / "state"))
    log = tmp_path / "worker.log"
    log.write_bytes(b"")
    observer = Observer(mosquitto.url)
    proc = _start(env, log)
    try:
        assert "heat pump" in asyncio.run(_ask(mosquitto.url, keys))
        (wire,) = observer.wait_for(topics.task_topic(DEVICE), 1)
        assert (tmp_path / "state" / "tandem" / "worker" / "ledger.sqlite").exists()
        proc.terminate()
        proc.wait(15)
        with open(log, "ab") as f:
            f.write(b"\n== restart\n")
        proc = _start(env, log)
        observer.publish(topics.task_topic(DEVICE), wire)  # the captured task, byte for byte
        deadline = time.monotonic() + 15
        while b"re-sent stored result" not in log.read_bytes():
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.1)
        time.sleep(0.5)
        assert log.read_text().count("answered task=") == 1, "the model must run once per task, restarts included"
    finally:
        observer.close()
        proc.terminate()
        proc.wait(15)


def test_a_pool_on_two_machines_shares_its_ledger_in_postgresql(mosquitto: BrokerProcess, tmp_path: Path,
                                                                 postgres: object) -> None:
    """Two `tandem worker --ledger-url` processes with their own state dirs (two machines): a task answered
    by the first and replayed after it is gone is answered by the second from the shared ledger."""
    keys = tmp_path / "keys"
    init_keys(keys, DEVICE)
    url = postgres.new_database()  # type: ignore[attr-defined]
    base = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    base.update(TANDEM_BROKER_URL=mosquitto.url, TANDEM_KEYS_DIR=str(keys), TANDEM_CONFIG=str(tmp_path / "none.toml"),
                TANDEM_WORKER__LEDGER_URL=url)
    envs = [{**base, "XDG_STATE_HOME": str(tmp_path / f"machine-{i}")} for i in (1, 2)]
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    for log in logs:
        log.write_bytes(b"")
    observer = Observer(mosquitto.url)
    first = _start(envs[0], logs[0])
    second: subprocess.Popen[bytes] | None = None
    try:
        assert "heat pump" in asyncio.run(_ask(mosquitto.url, keys))
        (wire,) = observer.wait_for(topics.task_topic(DEVICE), 1)
        first.kill()  # machine 1 is gone
        first.wait(15)
        second = _start(envs[1], logs[1])
        observer.publish(topics.task_topic(DEVICE), wire)
        deadline = time.monotonic() + 15
        while b"re-sent stored result" not in logs[1].read_bytes():
            assert time.monotonic() < deadline, logs[1].read_text()[-2000:]
            time.sleep(0.1)
        answered = sum(log.read_text().count("answered task=") for log in logs)
        assert answered == 1, "the model must run once per task across the pool's machines"
        assert not (tmp_path / "machine-2" / "tandem" / "worker").exists()  # no local ledger file: the shared one
    finally:
        observer.close()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(15)
