"""`tandem chaos`: escalations against real processes on loopback while things break.

It starts a Mosquitto (loopback only), `workers` echo workers sharing one task ledger, and a device
process that escalates `tasks` synthetic sub-tasks through its durable spool (all subprocesses of
`harness.chaos.roles`). While the device is still submitting, it cycles through the faults asked
for, one at a time, plus a batch of forgeries after each round:

    broker   stop Mosquitto, wait, start it again on the same port (in-flight messages are lost)
    worker   kill -9 a worker (its queued tasks die with it), start a replacement
    device   kill -9 the device process with escalations in its spool, start it again
    dup      re-publish captured task and result envelopes byte for byte (QoS 1 duplicates)
    flood    hostile clients on every face of a `tandem serve` process at once (`harness.chaos.flood`):
             every request answered exactly once, a probe within 2 s, memory flat
    replay-restart  kill -9 every worker, start the pool again, then replay captured tasks it already
             answered: the on-disk ledger must re-send their stored results, never run the model again
    forge    tampered, re-addressed, rogue-signed, expired, oversized and garbage envelopes

Then it waits for the device to finish and counts from the device's spool journal (one row per
accepted escalation and per outcome, written in the same transaction as the outcome) and from
the `answered <id>` lines the device processes printed: accepted, answered, lost, answered
twice, and rejected forgeries out of those tried (from the processes' counter files). Bounded:
`time_limit_s` stops everything, and the report then says what did not finish.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import paho.mqtt.client as mqtt

from harness.errors import ChaosError
from protocol.ids import wire_digest
from protocol.keys import DeviceKeys, init_keys
from protocol.mqtt import connect, make_client
from tandem.broker import BrokerProcess, start_broker
from tandem.processes import stop_processes

DEVICE_ID = "chaos-dev"
OTHER_DEVICE_ID = "chaos-other"
FAULTS = ("broker", "worker", "device", "dup", "flood", "replay-restart")


@dataclass(frozen=True)
class ChaosConfig:
    tasks: int = 500
    faults: tuple[str, ...] = FAULTS
    workers: int = 2
    rate: float = 40.0
    """Escalations per second the device submits (faults hit while tasks are in flight)."""
    fault_every_s: float = 1.0
    retry_s: float = 1.5
    """The device re-sends an unanswered task after this long (then with backoff)."""
    lease_s: float = 1.0
    worker_delay_ms: float = 10.0
    forge: bool = True
    ledger_on_disk: bool = True
    """False: each worker keeps its ledger in memory (what the replay-restart fault is there to catch)."""
    time_limit_s: float = 240.0
    seed: int | None = None
    workdir: Path | None = None


@dataclass
class ChaosReport:
    accepted: int = 0
    answered: int = 0
    expired: int = 0
    lost: int = 0
    answered_twice: int = 0
    forgeries_tried: int = 0
    forgeries_rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    forgeries_missed: list[str] = field(default_factory=list)
    faults: dict[str, int] = field(default_factory=dict)
    duplicates_injected: int = 0
    device_duplicates_ignored: int = 0
    worker_results_resent: int = 0
    device_resends: int = 0
    replays_after_restart: int = 0
    """Captured, already answered tasks replayed to a freshly restarted pool..."""
    replays_rerun: int = 0
    """...of which the model ran again (must be 0: the ledger on disk re-sends the stored result)..."""
    replays_resent: int = 0
    """...and stored results the restarted pool re-sent for them (the replays did reach it)."""
    unanswered_requests: int = 0
    """Flood: requests to the service's faces that got no reply (each must get exactly one)..."""
    p99_probe_ms: float = 0.0
    """...the 99th percentile of another caller's probe during the flood (answered or told "busy")..."""
    max_rss_growth_mb: float = 0.0
    """...and how much the service's memory grew under it."""
    flood: dict[str, object] | None = None
    """The flood's whole report (None: not run)."""
    elapsed_s: float = 0.0
    finished: bool = False

    @property
    def ok(self) -> bool:
        return (self.finished and self.lost == 0 and self.answered_twice == 0 and self.replays_rerun == 0
                and self.forgeries_rejected == self.forgeries_tried and self.accepted > 0
                and (self.flood is None or bool(self.flood.get("ok"))))

    def to_json(self) -> dict[str, object]:
        return dict(asdict(self), ok=self.ok)


class _Tap:
    """The harness's own MQTT client: captures envelopes to duplicate and to forge from."""

    def __init__(self, url: str) -> None:
        self.tasks: list[bytes] = []
        self.results: list[bytes] = []
        self.own: set[str] = set()
        """Digests of what the harness published itself: never captured as genuine traffic."""
        self._lock = threading.Lock()
        self.client = make_client(f"chaos-tap-{os.getpid()}")
        self.client.on_message = self._on_message
        self.client.on_connect = lambda c, *a: c.subscribe([("tandem/v1/task/+", 1), ("tandem/v1/result/+", 1)])
        connect(self.client, url)

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            if wire_digest(bytes(msg.payload)) in self.own:
                return
            (self.tasks if "/task/" in msg.topic else self.results).append(bytes(msg.payload))

    def sample(self, k: int) -> tuple[list[bytes], list[bytes]]:
        with self._lock:
            tasks, results = self.tasks[-200:], self.results[-200:]
        return random.sample(tasks, min(k, len(tasks))), random.sample(results, min(k, len(results)))

    def captured_tasks(self) -> list[bytes]:
        with self._lock:
            return list(self.tasks)

    def publish(self, topic: str, wire: bytes) -> None:
        with self._lock:
            self.own.add(wire_digest(wire))
        self.client.publish(topic, wire, qos=1)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class Chaos:
    def __init__(self, config: ChaosConfig, progress: Callable[[str], None] | None = None) -> None:
        unknown = set(config.faults) - set(FAULTS)
        if unknown:
            raise ChaosError(f"unknown fault(s) {', '.join(sorted(unknown))}: choose from {', '.join(FAULTS)}")
        if config.tasks < 1 or config.workers < 1:
            raise ChaosError("--tasks and --workers must be at least 1")
        if "worker" in config.faults and config.workers < 2:
            raise ChaosError("the worker fault needs --workers 2 or more (a pool that survives a kill)")
        self.cfg = config
        self.say = progress or (lambda _msg: None)
        self.dir = Path(config.workdir or tempfile.mkdtemp(prefix="tandem-chaos-"))
        self.keys = self.dir / "keys"
        self.stats = self.dir / "stats"
        self.spool = self.dir / "device-spool.sqlite"
        self.ledger = self.dir / "worker-ledger.sqlite"
        self.report = ChaosReport()
        self.answer_lines: Counter[str] = Counter()
        self._forged: dict[str, str] = {}
        self._workers: list[subprocess.Popen[bytes]] = []
        self._device: subprocess.Popen[bytes] | None = None
        self._readers: list[threading.Thread] = []
        self.broker: BrokerProcess | None = None
        self._tap: _Tap | None = None
        random.seed(config.seed)

    # -- processes ---------------------------------------------------------------------------------

    def _cmd(self, role: str, *args: str) -> list[str]:
        return [sys.executable, "-m", "harness.chaos.roles", role, "--broker", self._url, "--keys", str(self.keys),
                "--stats", str(self.stats), *args]

    @property
    def _url(self) -> str:
        assert self.broker is not None
        return self.broker.url

    def _spawn(self, cmd: list[str], *, capture: bool = False) -> subprocess.Popen[bytes]:
        log = open(self.dir / "procs.log", "ab")  # noqa: SIM115 - handed to the child
        try:
            return subprocess.Popen(cmd, stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=log,
                                    cwd=Path(__file__).resolve().parents[2])
        finally:
            log.close()

    def _start_worker(self) -> None:
        ledger = ["--ledger", str(self.ledger)] if self.cfg.ledger_on_disk else []
        self._workers.append(self._spawn(self._cmd(
            "worker", *ledger, "--lease", str(self.cfg.lease_s), "--delay-ms", str(self.cfg.worker_delay_ms))))

    def _start_device(self) -> None:
        proc = self._spawn(self._cmd(
            "device", "--device", DEVICE_ID, "--spool", str(self.spool), "--tasks", str(self.cfg.tasks),
            "--rate", str(self.cfg.rate), "--retry", str(self.cfg.retry_s)), capture=True)
        reader = threading.Thread(target=self._read_answers, args=(proc,), daemon=True)
        reader.start()
        self._readers.append(reader)
        self._device = proc

    def _read_answers(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        with proc.stdout:
            for line in proc.stdout:
                parts = line.decode("ascii", "replace").split()
                if len(parts) == 2 and parts[0] == "answered":
                    self.answer_lines[parts[1]] += 1

    def _stats(self) -> list[dict[str, object]]:
        out = []
        for f in self.stats.glob("*.json"):
            with contextlib.suppress(OSError, ValueError):  # a file being replaced right now
                out.append(json.loads(f.read_text()))
        return out

    def _rejected_digests(self) -> set[str]:
        return {str(d) for doc in self._stats() for d in list(doc.get("rejected_digests", []))}  # type: ignore[call-overload]

    def _rejections(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for doc in self._stats():
            for key, n in dict(doc.get("counts", {})).items():  # type: ignore[call-overload]
                if key.startswith("rejected:"):
                    total[key.removeprefix("rejected:")] += int(n)
        return total

    def _device_finished(self) -> bool:
        """The current device process reports every accepted escalation settled."""
        if self._device is None or self._device.poll() is not None:
            return False
        return any(d.get("role") == "device" and d.get("pid") == self._device.pid and d.get("finished")
                   for d in self._stats())

    def _device_ready(self, timeout: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._device is not None
            if self._device.poll() is not None:
                return False
            if any(d.get("role") == "device" and d.get("pid") == self._device.pid and d.get("ready")
                   for d in self._stats()):
                return True
            time.sleep(0.05)
        return False

    def _accepted_so_far(self) -> int:
        if not self.spool.exists():
            return 0
        try:
            with contextlib.closing(sqlite3.connect(f"file:{self.spool}?mode=ro", uri=True, timeout=5)) as db:
                return int(db.execute("SELECT COUNT(*) FROM journal WHERE event = 'accepted'").fetchone()[0])
        except sqlite3.Error:
            return 0

    # -- faults ------------------------------------------------------------------------------------

    def _fault(self, name: str) -> None:
        if name == "broker":
            assert self.broker is not None
            self.broker.stop()
            time.sleep(0.5)
            self.broker.restart()
        elif name == "worker":
            victim = random.choice([w for w in self._workers if w.poll() is None])
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            time.sleep(0.3)
            self._start_worker()
        elif name == "device":
            assert self._device is not None
            if self._device.poll() is not None:
                return  # it has finished: nothing left to kill mid-escalation
            self._device.send_signal(signal.SIGKILL)
            self._device.wait(10)
            self._start_device()
            self._device_ready()
        elif name == "dup":
            assert self._tap is not None
            tasks, results = self._tap.sample(20)
            for wire in tasks:
                self._tap.publish(f"tandem/v1/task/{DEVICE_ID}", wire)
            for wire in results:
                self._tap.publish(f"tandem/v1/result/{DEVICE_ID}", wire)
            self.report.duplicates_injected += len(tasks) + len(results)
        elif name == "replay-restart":
            self._replay_after_restart()
        elif name == "flood":
            from harness.chaos.flood import Flood

            flood = Flood(self.dir / "flood", self._url).run()
            r = self.report
            r.flood = flood.to_json()
            r.unanswered_requests += flood.unanswered_requests
            r.p99_probe_ms = max(r.p99_probe_ms, flood.p99_probe_ms)
            r.max_rss_growth_mb = max(r.max_rss_growth_mb, flood.max_rss_growth_mb)
        self.report.faults[name] = self.report.faults.get(name, 0) + 1

    def _model_runs(self) -> Counter[str]:
        """How often the model ran each task id, over every worker process so far (killed ones too)."""
        runs: Counter[str] = Counter()
        for doc in self._stats():
            if doc.get("role") == "worker":
                runs.update(str(t) for t in list(doc.get("answered_ids", [])))  # type: ignore[call-overload]
        return runs

    def _replay_after_restart(self) -> None:
        assert self._tap is not None
        captured = self._tap.captured_tasks()
        done = self._model_runs()
        answered = [w for w in captured if json.loads(w)["header"]["task_id"] in done][-20:]
        for proc in [w for w in self._workers if w.poll() is None]:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        alive = len([w for w in self._workers if w.poll() is None])
        for _ in range(self.cfg.workers - alive):
            self._start_worker()
        self._wait_workers()
        time.sleep(0.5)  # the new workers subscribe before they announce; let the killed ones' wills land
        before, resent = self._model_runs(), self._worker_count("resent")
        for wire in answered:
            self._tap.publish(f"tandem/v1/task/{DEVICE_ID}", wire)
        deadline = time.monotonic() + 5
        while self._worker_count("resent") - resent < len(answered) and time.monotonic() < deadline:
            time.sleep(0.05)  # until the pool has decided every replay (or 5 s)
        after = self._model_runs()
        ids = {json.loads(w)["header"]["task_id"] for w in answered}
        self.report.replays_after_restart += len(answered)
        self.report.replays_resent += self._worker_count("resent") - resent
        self.report.replays_rerun += sum(1 for t in ids if after[t] > before[t])

    def _worker_count(self, name: str) -> int:
        total = 0
        for doc in self._stats():
            counts = doc.get("counts")
            if doc.get("role") == "worker" and isinstance(counts, dict):
                total += int(counts.get(name, 0))
        return total

    def _forge(self) -> None:
        from harness.chaos.forgeries import forgeries

        assert self._tap is not None
        tasks, results = self._tap.sample(1)
        if not tasks or not results or not self._device_ready():
            return  # nothing captured yet, or no device alive to refuse the forged results
        keys = DeviceKeys.load(self.keys, DEVICE_ID)
        batch = forgeries(device_id=DEVICE_ID, other_device_id=OTHER_DEVICE_ID, pool=keys.pool,
                          device=keys.public, task_wire=tasks[0], result_wire=results[0])
        for f in batch:
            self._tap.publish(f.topic, f.wire)
        # distinct forgeries: a re-addressed capture can repeat across batches byte for byte
        self._forged.update({wire_digest(f.wire): f.name for f in batch})
        self.report.forgeries_tried = len(self._forged)
        deadline = time.monotonic() + 10
        while not {wire_digest(f.wire) for f in batch} <= self._rejected_digests() and time.monotonic() < deadline:
            time.sleep(0.05)

    # -- run ---------------------------------------------------------------------------------------

    def run(self) -> ChaosReport:
        t0 = time.monotonic()
        deadline = t0 + self.cfg.time_limit_s
        for d in (self.keys, self.stats):
            d.mkdir(parents=True, exist_ok=True)
        init_keys(self.keys, DEVICE_ID)
        init_keys(self.keys, OTHER_DEVICE_ID)
        self.broker = start_broker(workdir=self.dir / "broker", prefer="mosquitto-only")
        self.say(f"broker {self.broker.url}, workdir {self.dir}")
        try:
            for _ in range(self.cfg.workers):
                self._start_worker()
            self._wait_workers()
            self._tap = _Tap(self._url)
            self._start_device()
            self._cycle_faults(deadline)
            self.say("faults done; waiting for every escalation to be answered")
            while time.monotonic() < deadline:
                assert self._device is not None
                if self._device_finished() and self._accepted_so_far() >= self.cfg.tasks:
                    if self.cfg.forge and time.monotonic() < deadline - 12:
                        self._forge()  # one last batch while the device still listens
                    self.report.finished = True
                    break
                if self._device.poll() is not None:
                    self._start_device()  # it failed on its own: start it again
                time.sleep(0.1)
        finally:
            self._stop_all()
        self.report.elapsed_s = round(time.monotonic() - t0, 1)
        self._count()
        return self.report

    def _wait_workers(self) -> None:
        from tandem.assembly.runtime import workers_online

        deadline = time.monotonic() + 20
        while len(workers_online(self._url, 0.3)) < self.cfg.workers:
            if time.monotonic() > deadline:
                raise ChaosError(f"workers did not come online; see {self.dir / 'procs.log'}")

    def _cycle_faults(self, deadline: float) -> None:
        steps = list(self.cfg.faults) + (["forge"] if self.cfg.forge else [])
        i = 0
        while time.monotonic() < deadline:
            all_done = all(self.report.faults.get(f, 0) >= 1 for f in self.cfg.faults) and (
                not self.cfg.forge or self.report.forgeries_tried > 0)
            if self._device_finished() or (self._accepted_so_far() >= self.cfg.tasks and all_done):
                return
            time.sleep(self.cfg.fault_every_s)
            step = steps[i % len(steps)] if steps else None
            i += 1
            if step == "forge":
                self._forge()
            elif step is not None:
                self.say(f"fault: {step}")
                self._fault(step)

    def _stop_all(self) -> None:
        stop_processes([*self._workers, *([self._device] if self._device else [])], grace_s=5)
        for reader in self._readers:
            reader.join(5)
        if self._tap is not None:
            with contextlib.suppress(OSError):
                self._tap.close()
        if self.broker is not None:
            self.broker.stop()

    def _count(self) -> None:
        r = self.report
        events: dict[str, Counter[str]] = {}
        if self.spool.exists():
            with contextlib.closing(sqlite3.connect(f"file:{self.spool}?mode=ro", uri=True)) as db:
                for task_id, event in db.execute("SELECT task_id, event FROM journal"):
                    events.setdefault(task_id, Counter())[event] += 1
        accepted = {t for t, c in events.items() if c["accepted"]}
        answered = {t for t in accepted if events[t]["answered"]}
        expired = {t for t in accepted if events[t]["expired"] or events[t]["abandoned"]}
        r.accepted, r.answered, r.expired = len(accepted), len(answered), len(expired)
        r.lost = len(accepted - answered - expired)
        twice = {t for t in accepted if events[t]["answered"] + events[t]["expired"] > 1}
        twice |= {t for t, n in self.answer_lines.items() if n > 1}
        r.answered_twice = len(twice)
        rejected = self._rejections()
        r.rejected_by_reason = dict(sorted(rejected.items()))  # refusal events (QoS 1 may repeat one)
        refused = self._rejected_digests()
        r.forgeries_rejected = sum(1 for d in self._forged if d in refused)
        r.forgeries_missed = sorted(name for d, name in self._forged.items() if d not in refused)
        for doc in self._stats():
            counts = dict(doc.get("counts", {}))  # type: ignore[call-overload]
            if doc.get("role") == "device":
                r.device_duplicates_ignored += int(counts.get("duplicate", 0))
                r.device_resends += int(counts.get("resent", 0))
            else:
                r.worker_results_resent += int(counts.get("resent", 0))


def _flood_lines(r: ChaosReport) -> list[str]:
    flood = r.flood
    if flood is None:
        return []
    sent_by_face = flood.get("sent")
    found = flood.get("outcomes")
    sent = sum(int(v) for v in sent_by_face.values()) if isinstance(sent_by_face, dict) else 0
    outcomes = ", ".join(f"{k} {v}" for k, v in found.items()) if isinstance(found, dict) else ""
    line = (f"flood                {sent} requests on socket, MQTT and HTTP: unanswered {r.unanswered_requests}, "
            f"probe p99 {r.p99_probe_ms:.0f} ms, RSS growth {r.max_rss_growth_mb:.1f} MB ({outcomes})")
    return [line]


def render(report: ChaosReport) -> str:
    r = report
    lines = [
        f"accepted             {r.accepted}",
        f"answered             {r.answered}",
        f"expired (local)      {r.expired}",
        f"lost                 {r.lost}",
        f"answered twice       {r.answered_twice}",
        (f"rejected forgeries   {r.forgeries_rejected} / {r.forgeries_tried} tried "
         f"({', '.join(f'{k} {v}' for k, v in r.rejected_by_reason.items()) or 'none'})"),
        f"faults               {', '.join(f'{k} x{v}' for k, v in r.faults.items()) or 'none'}",
        f"device re-sends      {r.device_resends} (unanswered tasks sent again, same task id)",
        (f"duplicates injected  {r.duplicates_injected} (device ignored {r.device_duplicates_ignored} "
         f"second results; workers re-sent {r.worker_results_resent} stored results)"),
        (f"replayed after restart {r.replays_after_restart} answered tasks to a restarted pool; the model ran "
         f"{r.replays_rerun} again, the pool re-sent {r.replays_resent} stored results"),
        *_flood_lines(r),
        f"elapsed              {r.elapsed_s:.1f} s{'' if r.finished else ' (time limit reached)'}",
        f"result               {'OK' if r.ok else 'FAILED'}",
    ]
    return "\n".join(lines)
