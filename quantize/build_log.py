"""Where a build's own output goes: one log file per model, so the terminal shows only progress.

A first run builds models with tools that talk a lot (the GGUF converter's and onnxruntime-genai
builder's per-tensor lines, transformers' and torch's warnings, the evaluation's own bars). All of
it goes to ``<models_dir>/_logs/build-<name>.log`` (``_`` names are never models, like ``_gguf``),
rewritten by each build run, while the terminal shows one progress bar per step. A failed step's
error names the log and quotes its last lines.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

LOGS_DIRNAME = "_logs"
#: Lines of the log quoted in a failed step's error.
TAIL_LINES = 20


def build_log_path(cache_root: Path, name: str) -> Path:
    return Path(cache_root) / LOGS_DIRNAME / f"build-{name}.log"


def start_log(path: Path, title: str) -> Path:
    """Begin ``path`` afresh for one build run (the previous run's log is replaced)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"== {title} (pid {os.getpid()}, {time.strftime('%Y-%m-%d %H:%M:%S')})\n")
    return path


def note(path: Path, line: str) -> None:
    """Append one line of our own to the log, between the tools' output."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        f.write(f"== {line}\n")


def tail(path: Path, lines: int = TAIL_LINES) -> str:
    """The last ``lines`` lines of the log (bars that redraw with ``\\r`` count as their last state)."""
    try:
        with path.open(errors="replace", newline="") as f:  # newline="": keep the \r of redrawn bars
            text = f.read()
    except OSError:
        return ""
    rows = [row.rsplit("\r", 1)[-1].rstrip() for row in text.split("\n")]
    return "\n".join([row for row in rows if row][-lines:])


def failure_note(path: Path) -> str:
    """What a failed step's error adds: where the whole output is, and its end."""
    end = tail(path)
    return f"the build's output is in {path}" + (f"; its last lines:\n{end}" if end else "")


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a build's child processes: their own progress bars off (the log would
    hold every redraw; the parent shows one bar per step), everything else inherited."""
    return dict(os.environ, TQDM_DISABLE="1", **extra)
