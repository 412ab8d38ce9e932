"""The flood fault of `tandem chaos`: hostile clients on every face of `tandem serve` at once.

A service process (`harness.chaos.service_role`: the socket, MQTT and HTTP faces and their admission
control) takes, within about a second:

    socket   `socket_requests` JSON lines (each request about 27 kB) over 20 connections, plus deep-nested and invalid-UTF-8 lines
    mqtt     `mqtt_requests` asks from 100 callers (so the bounded wait, not only the per-caller rate,
             is tested), plus 100k-deep JSON, a wildcard `reply_to` and a
             `reply_to` under another caller's prefix (each must get exactly one error reply, on its own
             prefix)
    http     `http_requests` chat completions from 50 concurrent connections

while a second MQTT caller sends a probe every 100 ms. Measured: `unanswered_requests` (sent minus replies
received, per face; every request must get exactly one reply, refusals included), `p99_probe_ms` (the
probe's reply time during the flood: answered or told "busy"), `max_rss_growth_mb` (the service process's
peak RSS during the flood minus before it, from /proc).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from harness.errors import ChaosError
from protocol.mqtt import connect, make_client

DEVICE = "chaos-svc"
FILLER = " ".join(["lorem"] * 4500)  # ~27 kB per request: the size that grew memory by 115 MB before


@dataclass
class FloodReport:
    sent: dict[str, int] = field(default_factory=dict)
    replies: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    """Replies by kind: ok, busy, rate_limited, error (a bad request's error reply), http_<status>."""
    unanswered_requests: int = 0
    answered_twice: int = 0
    probes: int = 0
    p99_probe_ms: float = 0.0
    max_rss_growth_mb: float = 0.0

    @property
    def ok(self) -> bool:
        return (self.unanswered_requests == 0 and self.answered_twice == 0 and self.probes > 0
                and self.p99_probe_ms <= 2000 and self.max_rss_growth_mb < 50)

    def to_json(self) -> dict[str, object]:
        return dict(asdict(self), ok=self.ok)


def _rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _kind(doc: dict[str, object]) -> str:
    if doc.get("ok"):
        return "ok"
    return str(doc.get("code") or "error")


class Flood:
    def __init__(self, workdir: Path, broker_url: str, *, socket_requests: int = 1000, mqtt_requests: int = 1000,
                 http_requests: int = 300, delay_ms: float = 20.0, settle_s: float = 30.0) -> None:
        self.dir = Path(workdir)
        self.url = broker_url
        self.counts = {"socket": socket_requests, "mqtt": mqtt_requests, "http": http_requests}
        self.delay_ms = delay_ms
        self.settle_s = settle_s
        self.report = FloodReport()
        self._outcomes: Counter[str] = Counter()
        self._lock = threading.Lock()

    # -- the service -------------------------------------------------------------------------------

    def _start_service(self) -> tuple[subprocess.Popen[bytes], str]:
        self.dir.mkdir(parents=True, exist_ok=True)
        ready = self.dir / "service.ready"
        ready.unlink(missing_ok=True)
        self.sock = self.dir / "svc.sock"
        log = open(self.dir / "service.log", "ab")  # noqa: SIM115 - handed to the child
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "harness.chaos.service_role", "--broker", self.url, "--device", DEVICE,
                 "--socket", str(self.sock), "--ready", str(ready), "--delay-ms", str(self.delay_ms)],
                stdout=subprocess.DEVNULL, stderr=log, cwd=Path(__file__).resolve().parents[2])
        finally:
            log.close()
        deadline = time.monotonic() + 60
        while not ready.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise ChaosError(f"the service did not start; see {self.dir / 'service.log'}")
            time.sleep(0.05)
        return proc, str(json.loads(ready.read_text())["http"])

    def _count(self, face: str, kind: str) -> None:
        with self._lock:
            self.report.replies[face] = self.report.replies.get(face, 0) + 1
            self._outcomes[kind] += 1

    # -- the faces ---------------------------------------------------------------------------------

    def _socket_flood(self, deadline: float) -> None:
        n = self.counts["socket"]
        hostile = [b"[" * 100_000 + b"]" * 100_000, b'{"text": "\xff\xfe bad utf-8"}', b"not json at all"]
        per = [n // 20 + (1 if i < n % 20 else 0) for i in range(20)]
        self.report.sent["socket"] = n + len(hostile)

        def one(count: int, extra: list[bytes]) -> None:
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(str(self.sock))
                s.settimeout(max(1.0, deadline - time.monotonic()))
                lines = [json.dumps({"text": f"flood {i} {FILLER}", "id": f"s{i}"}).encode() for i in range(count)] + extra
                s.sendall(b"\n".join(lines) + b"\n")
                reader = s.makefile("rb")
                for _ in range(len(lines)):
                    try:
                        line = reader.readline()
                    except (TimeoutError, OSError):
                        return
                    if not line:
                        return
                    self._count("socket", _kind(json.loads(line)))

        threads = [threading.Thread(target=one, args=(c, hostile if i == 0 else []), daemon=True)
                   for i, c in enumerate(per)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(0.1, deadline - time.monotonic()))

    def _mqtt_flood(self, deadline: float) -> None:
        n = self.counts["mqtt"]
        callers = 100  # many callers: past their own rate limits, the bounded wait itself must say "busy"
        seen: Counter[bytes] = Counter()
        done = threading.Event()
        client = make_client(f"chaos-flooder-{os.getpid()}")

        def on_message(c: object, userdata: object, msg: object) -> None:
            props = getattr(msg, "properties", None)
            corr = getattr(props, "CorrelationData", None) or b"?"
            with self._lock:
                seen[corr] += 1
            self._count("mqtt", _kind(json.loads(msg.payload)))  # type: ignore[attr-defined]
            if sum(seen.values()) >= self.report.sent.get("mqtt", 0):
                done.set()

        client.on_message = on_message
        client.on_connect = lambda c, *a: c.subscribe([(f"tandem/{DEVICE}/reply/+/r", 1),
                                                       (f"tandem/{DEVICE}/reply/+", 1)])
        connect(client, self.url)
        time.sleep(0.3)
        hostile = [b"[" * 100_000 + b"]" * 100_000,
                   json.dumps({"text": "hi", "reply_to": f"tandem/{DEVICE}/reply/+"}).encode(),
                   json.dumps({"text": "hi", "reply_to": f"tandem/{DEVICE}/reply/probe"}).encode()]
        bodies = [json.dumps({"text": f"flood {i} {FILLER}", "id": f"m{i}"}).encode() for i in range(n)] + hostile
        self.report.sent["mqtt"] = len(bodies)
        for i, body in enumerate(bodies):
            caller = f"flooder{i % callers}"
            props = Properties(PacketTypes.PUBLISH)
            props.CorrelationData = str(i).encode()
            if i < n:  # the hostile ones name their own reply topic: the face must answer on the prefix
                props.ResponseTopic = f"tandem/{DEVICE}/reply/{caller}/r"
            client.publish(f"tandem/{DEVICE}/ask/{caller}", body, qos=1, properties=props)
        done.wait(max(0.1, deadline - time.monotonic()))
        client.disconnect()
        client.loop_stop()
        self.report.answered_twice += sum(1 for k, v in seen.items() if v > 1 and k != b"?")

    def _http_flood(self, url: str, deadline: float) -> None:
        import httpx

        n = self.counts["http"]
        self.report.sent["http"] = n

        async def go() -> None:
            limits = httpx.Limits(max_connections=50, max_keepalive_connections=50)
            async with httpx.AsyncClient(base_url=url, limits=limits,
                                         timeout=max(1.0, deadline - time.monotonic())) as client:
                async def one(i: int) -> None:
                    body = {"model": "tandem-local", "messages": [{"role": "user", "content": f"flood {i} {FILLER}"}]}
                    with contextlib.suppress(httpx.HTTPError):
                        r = await client.post("/v1/chat/completions", json=body)
                        self._count("http", f"http_{r.status_code}")

                await asyncio.gather(*(one(i) for i in range(n)))

        asyncio.run(go())

    def _probe(self, stop: threading.Event, latencies: list[float]) -> None:
        client = make_client(f"chaos-probe-{os.getpid()}")
        got = threading.Event()
        client.on_message = lambda c, u, m: got.set()
        client.on_connect = lambda c, *a: c.subscribe(f"tandem/{DEVICE}/reply/probe/#", qos=1)
        connect(client, self.url)
        time.sleep(0.3)
        while not stop.is_set():
            got.clear()
            props = Properties(PacketTypes.PUBLISH)
            props.ResponseTopic = f"tandem/{DEVICE}/reply/probe/p"
            t0 = time.perf_counter()
            client.publish(f"tandem/{DEVICE}/ask/probe", json.dumps({"text": "probe"}).encode(), qos=1,
                           properties=props)
            answered = got.wait(5.0)
            latencies.append((time.perf_counter() - t0) * 1000 if answered else 5000.0)
            stop.wait(0.1)
        client.disconnect()
        client.loop_stop()

    # -- run -----------------------------------------------------------------------------------------

    def run(self) -> FloodReport:
        proc, http_url = self._start_service()
        try:
            time.sleep(0.5)
            before = _rss_mb(proc.pid)
            peak = before
            stop = threading.Event()
            latencies: list[float] = []
            prober = threading.Thread(target=self._probe, args=(stop, latencies), daemon=True)
            prober.start()
            time.sleep(0.5)
            deadline = time.monotonic() + self.settle_s
            floods = [threading.Thread(target=self._socket_flood, args=(deadline,), daemon=True),
                      threading.Thread(target=self._mqtt_flood, args=(deadline,), daemon=True),
                      threading.Thread(target=self._http_flood, args=(http_url, deadline), daemon=True)]
            for t in floods:
                t.start()
            while any(t.is_alive() for t in floods) and time.monotonic() < deadline:
                peak = max(peak, _rss_mb(proc.pid))
                time.sleep(0.05)
            peak = max(peak, _rss_mb(proc.pid))
            stop.set()
            prober.join(10)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        r = self.report
        r.outcomes = dict(sorted(self._outcomes.items()))
        r.unanswered_requests = sum(max(0, r.sent.get(f, 0) - r.replies.get(f, 0)) for f in r.sent)
        r.probes = len(latencies)
        if latencies:
            ordered = sorted(latencies)
            r.p99_probe_ms = round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1)
        r.max_rss_growth_mb = round(max(0.0, peak - before), 1)
        return r
