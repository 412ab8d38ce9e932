"""Resumable build steps: a finished step leaves a done-file and is not redone.

Each step's done-file (``<build dir>/.done/<step>.json``) records its wall time, peak RSS and a small
JSON result, so a rerun after a crash or Ctrl-C resumes at the first unfinished step and the manifest
can still report every step's time. Heavy steps (PyTorch conversion, ONNX export, quantization) run in
a spawned child process: the memory torch and onnx hold is returned to the OS when the step ends, and
the child's own ``ru_maxrss`` is that step's peak.

The terminal shows one progress bar per step that runs (its elapsed time, then its time and peak
RSS); what the children and the tools print goes to the build's log (:mod:`quantize.build_log`),
whose path and last lines a failed step's error carries.
"""

from __future__ import annotations

import importlib
import json
import logging
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from quantize.build_log import child_env, failure_note, note
from quantize.errors import BuildStepError, QuantizeError

logger = logging.getLogger(__name__)

DONE_DIR = ".done"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def run_in_child(fn: Callable[..., Any], args: tuple[Any, ...], log: Path) -> tuple[Any, float]:
    """Run ``fn(*args)`` (JSON-able args and result) in a fresh interpreter; return it and its peak RSS.

    The child's stdout and stderr are appended to ``log``. A plain ``python -m quantize.steps`` child
    rather than multiprocessing: spawn would re-import the caller's ``__main__``, which breaks scripts
    without an ``if __name__ == "__main__"`` guard.
    """
    with tempfile.TemporaryDirectory(prefix="tandem-step-") as tmp:
        request, reply = Path(tmp) / "request.json", Path(tmp) / "reply.json"
        request.write_text(json.dumps({"module": fn.__module__, "name": fn.__qualname__, "args": list(args)}))
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a") as out:
            proc = subprocess.run([sys.executable, "-m", "quantize.steps", str(request), str(reply)],
                                  stdout=out, stderr=subprocess.STDOUT, env=child_env(), check=False)
        if proc.returncode != 0 or not reply.exists():
            raise RuntimeError(f"child process exited with status {proc.returncode}")
        data = json.loads(reply.read_text())
    if "error" in data:
        raise RuntimeError(data["error"])
    return data["result"], data["peak_rss_mb"]


def _child_main(request: Path, reply: Path) -> int:
    req = json.loads(request.read_text())
    fn = getattr(importlib.import_module(req["module"]), req["name"])
    try:
        result = fn(*req["args"])
    except Exception as exc:  # noqa: BLE001 - process boundary: the parent raises BuildStepError
        import traceback

        traceback.print_exc()
        reply.write_text(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        return 0
    reply.write_text(json.dumps({"result": result, "peak_rss_mb": peak_rss_mb()}))
    return 0


@contextmanager
def step_bar(desc: str, show: bool) -> Iterator[Callable[[str], None]]:
    """One bar for one step, drawn on stderr: elapsed time while it runs (redrawn each second on a
    terminal; piped, it is drawn when the step starts and ends, one line in all), and what the step
    reports at its end (``done("peak 1159 MB")``). Nothing at all when ``show`` is false."""
    if not show:
        yield lambda text: None
        return
    from tqdm import tqdm

    bar = tqdm(total=1, desc=desc, file=sys.stderr, bar_format="{desc}: {percentage:3.0f}%|{bar:20}| {elapsed}{postfix}")
    stop = threading.Event()

    def tick() -> None:  # tqdm redraws only when updated: a step that runs for minutes would look frozen
        while not stop.wait(1.0):
            bar.refresh()

    ticker = threading.Thread(target=tick, name="step-bar", daemon=True) if sys.stderr.isatty() else None
    if ticker is not None:
        ticker.start()
    ended: list[str] = []
    try:
        yield ended.append
    finally:
        stop.set()
        if ticker is not None:
            ticker.join()
        if ended:
            bar.set_postfix_str(ended[-1], refresh=False)
            bar.update(1)
        else:
            bar.set_postfix_str("failed", refresh=False)
        bar.close()


class StepRunner:
    """Runs named steps once each, in ``build_dir``: one progress bar per step that runs, the
    steps' own output in ``log`` (default ``<build_dir>/build.log``)."""

    def __init__(self, build_dir: Path, progress: bool = True, isolate: bool = True, *,
                 log: Path | None = None, label: str = "") -> None:
        self.build_dir = build_dir
        self.progress = progress
        self.isolate = isolate
        self.log = log or build_dir / "build.log"
        self.label = label
        self.done_dir = build_dir / DONE_DIR
        self.done_dir.mkdir(parents=True, exist_ok=True)

    def _marker(self, step: str) -> Path:
        return self.done_dir / f"{step}.json"

    def is_done(self, step: str) -> bool:
        return self._marker(step).exists()

    def record(self, step: str) -> dict[str, Any]:
        return json.loads(self._marker(step).read_text())

    def say(self, message: str) -> None:
        """One line on the terminal (when showing progress) and in the log."""
        note(self.log, message)
        if self.progress:
            print(f"[tandem.quantize] {message}", file=sys.stderr, flush=True)

    def run(self, step: str, fn: Callable[..., Any], *args: Any, isolate: bool | None = None) -> Any:
        """Run ``fn(*args)`` unless ``step`` is done; return its (JSON-able) result either way."""
        if self.is_done(step):
            rec = self.record(step)
            note(self.log, f"{step}: done earlier ({rec['seconds']:.1f} s), skipped")
            return rec["result"]
        isolate = self.isolate if isolate is None else isolate
        note(self.log, f"{step}: running{' (child process)' if isolate else ''}")
        start = time.perf_counter()
        with step_bar(f"{self.label} {step}".strip(), self.progress) as done:
            try:
                if isolate:
                    result, rss = run_in_child(fn, args, self.log)
                else:
                    result, rss = fn(*args), peak_rss_mb()
            except QuantizeError as exc:
                note(self.log, f"{step}: failed: {type(exc).__name__}: {exc}")
                raise
            except Exception as exc:  # third-party failures become one typed error naming the step
                note(self.log, f"{step}: failed: {type(exc).__name__}: {exc}")
                raise BuildStepError(f"step {step!r} failed: {type(exc).__name__}: {exc}; "
                                     f"{failure_note(self.log)}") from exc
            seconds = time.perf_counter() - start
            done(f"peak {rss:.0f} MB")
        rec = {"seconds": round(seconds, 2), "peak_rss_mb": round(rss), "result": result}
        self._marker(step).write_text(json.dumps(rec, indent=2))
        note(self.log, f"{step}: finished in {seconds:.1f} s, peak RSS {rss:.0f} MB")
        return result

    def forget(self, step: str, *paths: Path) -> None:
        """Delete a step's outputs and its done-file together, so the marker never lies."""
        self._marker(step).unlink(missing_ok=True)
        for path in paths:
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()

    def timings(self) -> dict[str, dict[str, float]]:
        out = {}
        for marker in sorted(self.done_dir.glob("*.json")):
            rec = json.loads(marker.read_text())
            out[marker.stem] = {"seconds": rec["seconds"], "peak_rss_mb": rec["peak_rss_mb"]}
        return out


if __name__ == "__main__":
    # our own steps speak at INFO; onnxruntime's quantizer logs every skipped tensor to root at INFO
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("quantize").setLevel(logging.INFO)
    sys.exit(_child_main(Path(sys.argv[1]), Path(sys.argv[2])))
