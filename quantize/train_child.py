"""Run a model's training in a child process and show its progress: the protocol the encoder builds share.

The child (``python -m <module> ARGS...``) prints one line per event on stdout: ``phase <name> <words>``
(a note in the build log; phase ``export`` closes the training bar and opens the export one),
``step <n> <total> <loss>`` (the training bar) and finally ``done <json>`` (its result). Its stderr
(torch, transformers, onnx) goes to the build log. Torch's memory and threads go away with the child;
the parent never imports torch.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from quantize.build_log import child_env, failure_note, note
from quantize.errors import QuantizeError
from quantize.steps import step_bar

_ROOT = Path(__file__).parents[1]


def run_child(module: str, args: list[str], *, name: str, progress: bool, build_log: Path,
              error: type[QuantizeError], exported_note: str = "int8") -> dict[str, Any]:
    """Run ``python -m module args`` with bars on stderr; its ``done`` result, or `error` naming the log."""
    cmd = [sys.executable, "-m", module, *args]
    env = child_env(PYTHONWARNINGS="ignore", TRANSFORMERS_VERBOSITY="error", TOKENIZERS_PARALLELISM="false")
    env["PYTHONPATH"] = str(_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    bar = None
    result: dict[str, Any] | None = None
    with contextlib.ExitStack() as stack:
        sink = stack.enter_context(build_log.open("a"))
        proc = stack.enter_context(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=sink, text=True, env=env))
        exported = None
        assert proc.stdout is not None
        for line in proc.stdout:
            kind, _, rest = line.strip().partition(" ")
            if kind == "step" and progress:
                step, total, loss = rest.split()
                if bar is None:
                    from tqdm import tqdm

                    bar = tqdm(total=int(total), desc=f"{name} train", unit="step", file=sys.stderr)
                bar.n = int(step)
                bar.set_postfix(loss=loss, refresh=False)
                bar.refresh()
            elif kind == "done":
                result = json.loads(rest)
                if exported is not None:
                    exported(exported_note)
            elif kind == "phase":
                phase, _, words = rest.partition(" ")
                note(build_log, words)
                if phase == "export":
                    if bar is not None:
                        bar.close()
                        bar = None
                    exported = stack.enter_context(step_bar(f"{name} export", progress))
    if bar is not None:
        bar.close()
    if proc.returncode != 0 or result is None:
        raise error(f"training {name} failed (exit {proc.returncode}); {failure_note(build_log)}")
    return result
