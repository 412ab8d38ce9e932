"""`tandem bench worker`: the pool's transport and crypto cost, through a real Mosquitto.

Everything runs on loopback and is started by the command: a Mosquitto on a free port, and echo
workers as real `tandem worker` processes (one process each, as a pool scales: one Python process
is bound by its GIL). Two measurements:

* throughput: `--tasks` pre-sealed tasks, at most 256 outstanding, timed until every sealed result
  is back, for 1, 2 and 4 workers (fresh processes per row, after a warm-up);
* overhead: sequential round trips, interleaved so a noisy neighbour slows both alike:
  sealed = seal on the device (a session task, `protocol.session`: ChaCha20-Poly1305 under the
  session key, its signed HPKE ticket inside, a fresh response key in the payload) + publish +
  worker (opens it, replay guard, ledger, echo, result under the response key) + result back +
  open on the device; plain = the same payload published to a plain MQTT echo responder (another
  process, replies from its callback) and back, both at QoS 1. The session's ticket is checked
  once per worker (at warm-up), as in a real pool.
  Two readings of "encryption overhead under 2x the plain round trip" are reported: the ratio
  sealed/plain (`ratio_p50`, the stricter) and (sealed - plain)/plain (`overhead_over_plain_p50`).

Bounded: every wait has a deadline; a row that runs out reports what arrived, marked incomplete.
Run as a module (`python -m harness.bench.worker URL`) it is the plain echo responder.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from harness.errors import BenchError
from tandem.processes import stop_processes

PLAIN_REQ = "bench/plain/req"
PLAIN_REP = "bench/plain/rep"
DEVICE = "bench-dev"
WINDOW = 256
"""Most tasks outstanding at once in the throughput rows."""


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def _ms(values: list[float]) -> dict[str, float]:
    return {"p50": round(_pct(values, 0.50) * 1000, 3), "p99": round(_pct(values, 0.99) * 1000, 3),
            "mean": round(statistics.fmean(values) * 1000, 3)}


class _Collector:
    """Counts messages on one topic; lets a caller wait for a count or for the next message."""

    def __init__(self, url: str, topic: str, name: str) -> None:
        from protocol.mqtt import connect, make_client

        self.count = 0
        self.last: bytes = b""
        self._cond = threading.Condition()
        self.client = make_client(name)
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *a: subscribed.set()
        connect(self.client, url)
        self.client.subscribe(topic, qos=1)
        if not subscribed.wait(5):
            raise BenchError(f"could not subscribe to {topic}")

    def _on_message(self, client: object, userdata: object, msg: Any) -> None:
        with self._cond:
            self.count += 1
            self.last = bytes(msg.payload)
            self._cond.notify_all()

    def wait_count(self, n: int, deadline: float) -> bool:
        with self._cond:
            while self.count < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _spawn_workers(n: int, url: str, keys: Path, tmp: Path, tag: str) -> list[subprocess.Popen[bytes]]:
    env = dict(os.environ, TANDEM_BROKER_URL=url, TANDEM_KEYS_DIR=str(keys), TANDEM_CONFIG=str(tmp / "none.toml"),
               TANDEM_MODELS_DIR=str(tmp / "models"))
    procs = []
    for i in range(n):
        with open(tmp / f"worker-{tag}-{i}.log", "wb") as log:  # the child keeps its own descriptor
            procs.append(subprocess.Popen([sys.executable, "-m", "tandem.cli", "worker", "--backend", "echo",
                                           "--grace", "1", "--id", f"bench-{tag}-{i}"], env=env,
                                          stdout=subprocess.DEVNULL, stderr=log))
    return procs


def _wait_online(url: str, ids: set[str], deadline: float) -> None:
    from tandem.assembly.runtime import workers_online

    while time.monotonic() < deadline:
        if ids <= set(workers_online(url, 0.3)):
            return
    raise BenchError(f"workers {sorted(ids)} did not come online")


def _seal_task(sealer: Any, keys: Any, task: Any, ttl_s: float) -> tuple[bytes, bytes]:
    """(wire, response key) of one task as a device seals it (`device.escalation`: a session task)."""
    from protocol.response import new_response_key

    key = new_response_key()
    return sealer.seal_task(task, key, keys.pool, ttl_s=ttl_s)[1], key


def _seal_tasks(keys_root: Path, n: int, prompt: str) -> list[bytes]:
    from protocol.keys import DeviceKeys
    from protocol.messages import SubTask
    from protocol.session import SessionSealer

    keys = DeviceKeys.load(keys_root, DEVICE)
    task = SubTask(prompt=prompt, max_tokens=16)
    sealer = SessionSealer(DEVICE, keys.ed25519)
    return [_seal_task(sealer, keys, task, 3600)[0] for _ in range(n)]


def _throughput(url: str, keys: Path, tmp: Path, workers: int, wires: list[bytes], warmup: list[bytes],
                timeout_s: float) -> dict[str, Any]:
    from protocol import topics
    from protocol.mqtt import connect, make_client

    procs = _spawn_workers(workers, url, keys, tmp, f"t{workers}")
    results = _Collector(url, topics.result_topic(DEVICE), f"bench-results-{workers}")
    sender = make_client(f"bench-sender-{workers}")
    connect(sender, url)
    try:
        _wait_online(url, {f"bench-t{workers}-{i}" for i in range(workers)}, time.monotonic() + 60)
        for w in warmup:
            sender.publish(topics.task_topic(DEVICE), w, qos=1)
        results.wait_count(len(warmup), time.monotonic() + timeout_s)
        base = results.count
        deadline = time.monotonic() + timeout_s
        t0 = time.perf_counter()
        for i, w in enumerate(wires):
            # closed loop: at most WINDOW tasks outstanding, as a fleet of devices waiting for answers
            # (an open-loop flood overruns Mosquitto's per-client queue, max_queued_messages 1000, which
            # drops the excess)
            if i >= WINDOW and not results.wait_count(base + i - WINDOW + 1, deadline):
                break
            sender.publish(topics.task_topic(DEVICE), w, qos=1)
        complete = results.wait_count(base + len(wires), deadline)
        elapsed = time.perf_counter() - t0
        done = results.count - base
        row = {"workers": workers, "tasks": done, "seconds": round(elapsed, 3),
               "tasks_per_s": round(done / elapsed, 1)}
        if not complete:
            row["incomplete"] = True
        return row
    finally:
        sender.disconnect()
        sender.loop_stop()
        results.close()
        stop_processes(procs, grace_s=10)


def _overhead(url: str, keys_root: Path, tmp: Path, samples: int, prompt: str, timeout_s: float) -> dict[str, Any]:
    from protocol import topics
    from protocol.keys import DeviceKeys
    from protocol.messages import SubTask
    from protocol.mqtt import connect, make_client
    from protocol.response import open_result
    from protocol.session import SessionSealer

    keys = DeviceKeys.load(keys_root, DEVICE)
    sealer = SessionSealer(DEVICE, keys.ed25519)
    task = SubTask(prompt=prompt, max_tokens=16)
    plain_payload = task.model_dump_json().encode()
    procs = _spawn_workers(1, url, keys_root, tmp, "rtt")
    responder = subprocess.Popen([sys.executable, "-m", "harness.bench.worker", url], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL)
    results = _Collector(url, topics.result_topic(DEVICE), "bench-rtt-results")
    replies = _Collector(url, PLAIN_REP, "bench-rtt-replies")
    sender = make_client("bench-rtt-sender")
    connect(sender, url)
    sealed_rtt: list[float] = []
    plain_rtt: list[float] = []
    seal_s: list[float] = []
    open_s: list[float] = []
    deadline = time.monotonic() + timeout_s
    try:
        _wait_online(url, {"bench-rtt-0"}, time.monotonic() + 60)
        assert responder.stdout is not None
        responder.stdout.readline()  # "ready"
        warm = 20
        for i in range(samples + warm):
            if time.monotonic() > deadline:
                break
            # plain: the same JSON, no crypto, QoS 1 both ways
            n = replies.count
            t0 = time.perf_counter()
            sender.publish(PLAIN_REQ, plain_payload, qos=1)
            if not replies.wait_count(n + 1, deadline):
                break
            t1 = time.perf_counter()
            # sealed: seal, publish, worker, result back, verify + open
            n = results.count
            t2 = time.perf_counter()
            wire, response_key = _seal_task(sealer, keys, task, 600)
            t3 = time.perf_counter()
            sender.publish(topics.task_topic(DEVICE), wire, qos=1)
            if not results.wait_count(n + 1, deadline):
                break
            t4 = time.perf_counter()
            _, result = open_result(results.last, response_key=response_key, expect_device_id=DEVICE)
            t5 = time.perf_counter()
            if result.text != task.prompt:
                raise BenchError("the echo worker answered something else")
            if i >= warm:
                plain_rtt.append(t1 - t0)
                sealed_rtt.append(t5 - t2)
                seal_s.append(t3 - t2)
                open_s.append(t5 - t4)
    finally:
        sender.disconnect()
        sender.loop_stop()
        results.close()
        replies.close()
        stop_processes([responder], grace_s=10)
        if responder.stdout is not None:
            responder.stdout.close()
        stop_processes(procs, grace_s=10)
    if not plain_rtt:
        raise BenchError("no round trip completed in time")
    plain, sealed = _ms(plain_rtt), _ms(sealed_rtt)
    return {"samples": len(plain_rtt), "plain_rtt_ms": plain, "sealed_rtt_ms": sealed,
            "device_seal_ms": _ms(seal_s), "device_verify_open_ms": _ms(open_s),
            "ratio_p50": round(sealed["p50"] / plain["p50"], 2), "ratio_p99": round(sealed["p99"] / plain["p99"], 2),
            "overhead_over_plain_p50": round((sealed["p50"] - plain["p50"]) / plain["p50"], 2)}


def run_bench(*, tasks: int, workers: tuple[int, ...], samples: int, timeout_s: float) -> dict[str, Any]:
    """The report: ``broker``, ``cpus``, ``throughput`` (one row per worker count), ``overhead``, ``targets``."""
    from protocol.keys import init_keys
    from tandem.broker import mosquitto_path, start_broker

    if mosquitto_path() is None:
        raise BenchError("mosquitto is not installed (apt-get install mosquitto)")
    prompt = "Explain how a condensing boiler works to <PERSON_1>."  # a typical short redacted sub-task
    with tempfile.TemporaryDirectory(prefix="tandem-bench-worker-") as d:
        tmp = Path(d)
        keys = tmp / "keys"
        init_keys(keys, DEVICE)
        broker = start_broker(prefer="mosquitto-only", workdir=tmp / "broker")
        try:
            wires = _seal_tasks(keys, tasks + 50, prompt)
            rows = [_throughput(broker.url, keys, tmp, n, wires[50:], wires[:50], timeout_s) for n in workers]
            overhead = _overhead(broker.url, keys, tmp, samples, prompt, timeout_s)
        finally:
            broker.stop()
    one = next((r for r in rows if r["workers"] == 1), None)
    return {
        "broker": "mosquitto (loopback, started by the command)",
        "cpus": os.cpu_count(),
        "throughput": rows,
        "overhead": overhead,
        "targets": {
            "one_worker_tasks_per_s_ge_1000": bool(one and one["tasks_per_s"] >= 1000 and not one.get("incomplete")),
            "sealed_over_plain_p50_lt_2": overhead["ratio_p50"] < 2.0,
            "overhead_over_plain_p50_lt_2": overhead["overhead_over_plain_p50"] < 2.0,
        },
    }


def _plain_responder(url: str) -> None:
    """A plain MQTT echo: every request goes straight back from paho's callback (no crypto)."""
    from protocol.mqtt import connect, make_client

    client = make_client(f"bench-plain-{os.getpid()}")

    def echo(c: Any, u: object, m: Any) -> None:
        c.publish(PLAIN_REP, m.payload, qos=1)

    client.on_message = echo
    subscribed = threading.Event()
    client.on_subscribe = lambda *a: subscribed.set()
    connect(client, url)
    client.subscribe(PLAIN_REQ, qos=1)
    subscribed.wait(5)
    print("ready", flush=True)
    stop = threading.Event()
    import signal

    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.wait(0.2):  # timed: the handler runs only when the main thread wakes
        pass
    client.disconnect()
    client.loop_stop()


if __name__ == "__main__":
    _plain_responder(sys.argv[1])
