"""Stopping the child processes tandem starts (brokers, workers, benchmark peers): politely, then firmly.

SIGTERM to every process still running first, so they drain in parallel (workers finish what they
hold); whoever has not exited after `grace_s` gets SIGKILL, and is reaped so no zombie is left.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from typing import Any


def stop_processes(procs: Iterable[subprocess.Popen[Any]], grace_s: float = 5.0) -> None:
    procs = list(procs)
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(grace_s)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(grace_s)
