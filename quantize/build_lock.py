"""One build of a build dir at a time, across processes: an exclusive ``flock`` on ``<dir>.lock``.

``tandem worker`` and ``tandem ask`` started together on a fresh cache both find a model unbuilt and
would run the same steps in the same dir, deleting each other's outputs. Every builder
(:func:`quantize.build.build_model`, :func:`quantize.sweep.sweep_variants`,
:func:`quantize.ner.build.build_ner`) takes this lock around its work and looks again for a finished
build once it holds it, so the second process waits and then uses what the first one built.

The lock file sits beside the build dir (``<cache>/<name>/<sha12>-p2.lock``) and holds the holder's
pid, so a waiting process can say whom it waits for. It is never deleted: removing a lock file while
another process waits on it would let a third one lock a new file of the same name. ``flock`` is
released by the kernel when its holder exits, however it exits, so a crashed build never blocks the
next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

LOCK_SUFFIX = ".lock"


def lock_path(build_dir: Path) -> Path:
    """The lock file of ``build_dir``: beside it, never inside (a build may replace the dir)."""
    build_dir = Path(build_dir)
    return build_dir.with_name(build_dir.name + LOCK_SUFFIX)


def holder(path: Path, wait_s: float = 0.5) -> str:
    """Who holds the lock at ``path``, as far as its file says (``pid 123``), for a waiting message. The
    holder writes its pid just after it takes the lock: an empty file is read again for up to ``wait_s``."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            pid = path.read_text().strip()
        except OSError:
            pid = ""
        if pid.isdigit() or time.monotonic() >= deadline:
            return f"pid {pid}" if pid.isdigit() else "another process"
        time.sleep(0.02)


@contextlib.contextmanager
def build_lock(build_dir: Path, what: str) -> Iterator[bool]:
    """Hold the build lock of ``build_dir`` inside the block; yield whether this process had to wait.

    When another process holds it, one line on stderr says what this one waits for and for whom,
    then it blocks until that process finishes (or dies). ``what`` names the build (``smollm2 (auto)``).
    """
    path = lock_path(build_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        waited = False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waited = True
            print(f"[tandem.quantize] waiting for {what}: {holder(path)} is building it into {build_dir} "
                  f"(lock {path})", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
            logger.info("build lock %s acquired after waiting", path)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield waited
        finally:
            os.ftruncate(fd, 0)  # a later waiter reads no stale pid before the next holder writes its own
    finally:
        os.close(fd)  # closing the last descriptor releases the flock


def build_once(out: Path, what: str, built: Callable[[], bool], build: Callable[[], Path], *,
               force: bool = False) -> Path:
    """``out`` when ``built()`` says it is complete, else ``build()`` under the build lock of ``out``.

    A process that waited for another's build takes that build (even when forced: it is fresh); one that
    did not wait rebuilds when forced."""
    if not force and built():
        return out
    with build_lock(out, what) as waited:
        if built() and (waited or not force):
            return out
        return build()
