"""The processes `tandem chaos` starts and kills: an echo worker and a device that escalates.

    python -m harness.chaos.roles worker --broker URL --keys DIR --ledger FILE --stats DIR ...
    python -m harness.chaos.roles device --broker URL --keys DIR --device ID --spool FILE --tasks N ...

Both write their counters to `<stats>/<role>-<pid>.json` after every event (atomic replace), so
a `kill -9` loses nothing already counted. The device prints `answered <task_id>` for every result
it accepts; it submits until its spool has accepted N escalations in total (across restarts),
re-sends what an earlier (killed) run left in the spool, marks `finished` in its counter file
once nothing is pending, and stays connected until SIGTERM (then exits 0).
Prompts are synthetic ("chaos task <n>"): no user data is involved.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from protocol.errors import TandemError

log = logging.getLogger(__name__)


class StatsFile:
    """Counters of one process, rewritten atomically after every change."""

    def __init__(self, directory: Path, role: str) -> None:
        self.path = Path(directory) / f"{role}-{os.getpid()}.json"
        self.counts: Counter[str] = Counter()
        self.flags: dict[str, Any] = {"pid": os.getpid(), "role": role}
        self._lock = threading.Lock()
        self.write()

    def event(self, name: str, ref: str) -> None:
        """Count `name`; for refusals also keep `ref` (the envelope's digest) to attribute forgeries."""
        with self._lock:
            self.counts[name] += 1
            if name.startswith("rejected:"):
                self.flags.setdefault("rejected_digests", []).append(ref)
            elif name == "answered" and self.flags["role"] == "worker":  # which tasks the model ran
                self.flags.setdefault("answered_ids", []).append(ref)
        self.write()

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self.flags[key] = value
        self.write()

    def write(self) -> None:
        with self._lock:
            doc = dict(self.flags, counts=dict(self.counts))
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(doc), encoding="utf-8")
            os.replace(tmp, self.path)


def run_worker(args: argparse.Namespace) -> int:
    from cloud.backends.echo import EchoBackend
    from cloud.ledger import open_ledger
    from cloud.worker import Worker

    stats = StatsFile(args.stats, "worker")
    worker = Worker(broker_url=args.broker, keys_root=args.keys, backend=EchoBackend(args.delay_ms / 1000),
                    ledger=open_ledger(args.ledger, lease_s=args.lease), on_event=stats.event,
                    worker_id=args.worker_id)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker.run(stop)
    return 0


async def _device(args: argparse.Namespace) -> int:
    from device.errors import BrokerUnavailable, EscalationError
    from device.escalation import Escalator, RetryPolicy
    from device.spool import Spool
    from protocol.keys import DeviceKeys
    from protocol.messages import SubTask

    stats = StatsFile(args.stats, "device")

    def on_event(event: str, task_id: str) -> None:
        if event == "answered":
            print(f"answered {task_id}", flush=True)
        stats.event(event, task_id)

    spool = Spool(args.spool, max_tasks=max(args.tasks, 1000))
    esc = Escalator(broker_url=args.broker, keys=DeviceKeys.load(args.keys, args.device), ttl_s=args.ttl,
                    spool=spool, retry=RetryPolicy(first_s=args.retry, max_s=args.retry * 4),
                    no_workers="retry", on_event=on_event)
    while True:  # the broker may be restarting right now
        try:
            await esc.start()
            break
        except BrokerUnavailable:
            await asyncio.sleep(0.3)
    stats.set("ready", True)
    futures = list(esc.recovered.values())
    accepted = spool.counts().get("accepted", 0)
    interval = 1.0 / args.rate
    while accepted < args.tasks:
        try:
            _, fut = await esc.submit(SubTask(prompt=f"chaos task {accepted}", max_tokens=16))
        except EscalationError as exc:  # SpoolFull: wait for room, never drop
            log.warning("submit refused: %s", exc)
            await asyncio.sleep(0.5)
            continue
        futures.append(fut)
        accepted += 1
        await asyncio.sleep(interval)
    outcomes = await asyncio.gather(*futures, return_exceptions=True)
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    # stay connected (refusing forgeries, ignoring duplicates) until the harness says stop
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    stats.set("finished", not failed)
    await stop.wait()
    await esc.close()
    spool.close()
    return 1 if failed else 0


def run_device(args: argparse.Namespace) -> int:
    return asyncio.run(_device(args))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="harness.chaos.roles")
    sub = parser.add_subparsers(dest="role", required=True)
    w = sub.add_parser("worker")
    w.add_argument("--broker", required=True)
    w.add_argument("--keys", type=Path, required=True)
    w.add_argument("--ledger", type=Path, default=None, help="the shared ledger file (none: in memory)")
    w.add_argument("--lease", type=float, default=1.0)
    w.add_argument("--delay-ms", type=float, default=5.0)
    w.add_argument("--stats", type=Path, required=True)
    w.add_argument("--worker-id", default=None)
    d = sub.add_parser("device")
    d.add_argument("--broker", required=True)
    d.add_argument("--keys", type=Path, required=True)
    d.add_argument("--device", required=True)
    d.add_argument("--spool", type=Path, required=True)
    d.add_argument("--tasks", type=int, required=True)
    d.add_argument("--rate", type=float, default=50.0)
    d.add_argument("--retry", type=float, default=1.5)
    d.add_argument("--ttl", type=float, default=600.0)
    d.add_argument("--stats", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format=f"%(asctime)s {args.role}[{os.getpid()}] %(levelname)s %(name)s: %(message)s")
    try:
        return run_worker(args) if args.role == "worker" else run_device(args)
    except TandemError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
