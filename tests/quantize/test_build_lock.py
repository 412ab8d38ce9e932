"""Builds of one build dir serialize across processes; the waiter says for whom it waits, then uses the build.

Every process here is a real child interpreter, because ``flock`` locks belong to open files of
processes: two threads of one process would only test Python, not what two ``tandem`` commands do.
Children are released at once through their stdin, after their imports, and every wait on them
is bounded by a deadline that only ends the test early, never decides it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from quantize.build_lock import lock_path
from quantize.manifest import read_manifest
from quantize.sources import sha256_file
from quantize.tiny import make_tiny_hf

ROOT = Path(__file__).parents[2]
WAIT_S = 600  # bounds each wait for a child; a passing run takes seconds (the tiny build: about a minute)

HOLD = """
import sys
from pathlib import Path
from quantize.build_lock import build_lock
with build_lock(Path(sys.argv[1]), "the test's build"):
    print("held", flush=True)
    sys.stdin.readline()
    for name in sys.argv[2:]:  # files a finished build leaves, written before the lock is released
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text("{}")
"""

WAIT = """
import sys
from pathlib import Path
from quantize.build_lock import build_lock
with build_lock(Path(sys.argv[1]), "tiny (fp32)") as waited:
    print(f"waited={waited}", flush=True)
"""

BUILD = """
import sys
from pathlib import Path
from quantize.build import build_model
sys.stdin.readline()
print(build_model(sys.argv[1], Path(sys.argv[2]), precision="fp32", progress=False), flush=True)
"""


def _python(code: str, *args: object) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(proc: subprocess.Popen[str]) -> tuple[str, str]:
    out, err = proc.communicate(timeout=WAIT_S)
    assert proc.returncode == 0, err
    return out, err


def test_a_waiter_names_the_holder_and_goes_on_when_the_holder_is_killed(tmp_path: Path) -> None:
    build_dir = tmp_path / "models" / "tiny" / "abc-p2"
    holder = _python(HOLD, build_dir)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        waiter = _python(WAIT, build_dir)
        assert waiter.stderr is not None
        line = waiter.stderr.readline()  # printed before it blocks; EOF ("") if it never waited
        assert line.startswith("[tandem.quantize] waiting for tiny (fp32): ")
        assert f"pid {holder.pid} is building it into {build_dir}" in line
        holder.send_signal(signal.SIGKILL)  # a crashed build: the kernel releases its lock
    finally:
        holder.kill()
        holder.communicate(timeout=WAIT_S)
    out, _ = _finish(waiter)
    assert out == "waited=True\n"
    assert lock_path(build_dir) == build_dir.with_name("abc-p2.lock")
    assert lock_path(build_dir).read_text() == ""  # released: no stale pid for the next waiter to name
    assert not build_dir.exists()  # the lock lives beside the build dir, never inside it


def test_an_unheld_lock_is_taken_without_waiting(tmp_path: Path) -> None:
    out, err = _finish(_python(WAIT, tmp_path / "dir"))
    assert (out, err) == ("waited=False\n", "")


@pytest.fixture(scope="module")
def tiny_hf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    hf_dir = tmp_path_factory.mktemp("src") / "tiny"
    make_tiny_hf(hf_dir)
    return hf_dir


def test_two_processes_building_one_model_at_once_both_get_the_one_build(tiny_hf: Path, tmp_path: Path) -> None:
    cache = tmp_path / "models"
    procs = [_python(BUILD, tiny_hf, cache) for _ in range(2)]
    for proc in procs:  # both have imported the builder: release them together
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = [_finish(proc) for proc in procs]

    dirs = {Path(out.strip()) for out, _ in results}
    assert len(dirs) == 1
    model_dir = dirs.pop()
    assert model_dir.name == "fp32" and model_dir.parent.parent == cache / "tiny"
    assert read_manifest(model_dir)["precision"] == "fp32"  # every file hash verifies
    waiting = [(proc, err) for proc, (_, err) in zip(procs, results) if "waiting for tiny (fp32)" in err]
    assert len(waiting) == 1, [err for _, err in results]
    waiter, err = waiting[0]
    builder = next(p for p in procs if p is not waiter)
    assert f"pid {builder.pid} is building it into {model_dir.parent}" in err
    # quiet: the waiter says that one line; the builder (progress off) nothing; the tools talk to the log
    assert err.count("\n") == 1, err
    assert next(e for p, (_, e) in zip(procs, results) if p is builder) == ""
    log = (cache / "_logs" / "build-tiny.log").read_text()
    assert log.startswith(f"== build of tiny (fp32) into {model_dir.parent} (pid {builder.pid}, ")
    assert "== variant-fp32: running" in log and "== eval-fp32: finished" in log


def test_a_ner_build_finished_while_waiting_is_used_not_trained_again(tmp_path: Path) -> None:
    from device.redaction.ner import MODEL_NAME
    from quantize.ner.build import recipe_key, source_dir
    from quantize.ner.train import Recipe

    models = tmp_path / "models"
    out = models / MODEL_NAME / recipe_key(Recipe(), sha256_file(source_dir() / "model.safetensors"))[:12]
    holder = _python(HOLD, out, out / "manifest.json")
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    code = ("import sys\nfrom pathlib import Path\nimport quantize.ner.build as b\n"
            "def trains(*a):\n    raise SystemExit('trained although another process had built the model')\n"
            "b._run_child = trains\nprint(b.build_ner(Path(sys.argv[1]), progress=False), flush=True)\n")
    waiter = _python(code, models)
    assert waiter.stderr is not None
    assert f"waiting for {MODEL_NAME} ({out.name}): pid {holder.pid}" in waiter.stderr.readline()
    assert holder.stdin is not None
    holder.stdin.write("done\n")
    holder.stdin.flush()
    _finish(holder)
    result, _ = _finish(waiter)
    assert Path(result.strip()) == out
