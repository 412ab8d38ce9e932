"""Drops are visible: when Mosquitto drops messages at a client's queue limit, the worker's /metrics says
so (`tandem_broker_publish_messages_dropped`, from the broker's own $SYS counter)."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

from cloud.backends.echo import EchoBackend
from cloud.metrics import WorkerMetrics
from cloud.worker import Worker
from protocol.keys import init_keys
from protocol.mqtt import connect, make_client
from tandem.broker import BrokerProcess, free_port, mosquitto_path, wait_listening


def _tight_broker(workdir: Path) -> BrokerProcess:
    """Mosquitto with tiny per-client queues and a $SYS report every second."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "mosquitto.conf"
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nuser root\n"
                      "max_inflight_messages 1\nmax_queued_messages 3\nsys_interval 1\n")
    with open(workdir / "broker.log", "ab") as log:
        proc = subprocess.Popen([mosquitto_path() or "mosquitto", "-c", str(config)], stderr=log,
                                stdout=subprocess.DEVNULL)
    wait_listening("127.0.0.1", port, proc, workdir)
    return BrokerProcess("mosquitto", "127.0.0.1", port, proc, workdir, config)


def test_the_broker_s_drops_show_in_the_worker_s_metrics(tmp_path: Path) -> None:
    broker = _tight_broker(tmp_path / "broker")
    init_keys(tmp_path / "keys", "dev-a")
    metrics = WorkerMetrics()
    worker = Worker(broker_url=broker.url, keys_root=tmp_path / "keys", backend=EchoBackend(), metrics=metrics)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    stuck = make_client("stuck-subscriber", "5")
    stuck.manual_ack_set(True)  # receives and never acknowledges: its queue fills, then the broker drops
    stuck.on_connect = lambda c, *a: c.subscribe("flood/#", qos=1)
    sender = make_client("flooder", "5")
    try:
        connect(stuck, broker.url)
        connect(sender, broker.url)
        time.sleep(0.3)
        assert metrics.value("tandem_broker_publish_messages_dropped") <= 0  # nothing dropped yet
        for i in range(50):
            sender.publish(f"flood/{i}", b"x", qos=1)
        deadline = time.monotonic() + 10
        while metrics.value("tandem_broker_publish_messages_dropped") <= 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert metrics.value("tandem_broker_publish_messages_dropped") >= 40
    finally:
        for client in (stuck, sender):
            client.disconnect()
            client.loop_stop()
        stop.set()
        thread.join(10)
        broker.stop()


