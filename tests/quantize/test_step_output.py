"""A build step shows one progress bar on the terminal; what its tools print goes to the build log."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from quantize.build_log import build_log_path, start_log, tail
from quantize.errors import BuildStepError
from quantize.steps import StepRunner


def chatty_step(n: int) -> int:
    """Talks like the converters do: many lines on both streams, a progress bar of its own."""
    from tqdm import tqdm

    for i in range(n):
        print(f"Saving model.layers.{i}.weight", flush=True)
        print(f"a warning about layer {i}", file=sys.stderr, flush=True)
    for _ in tqdm(range(3), desc="its own bar", file=sys.stderr):
        pass
    return n


def failing_step() -> None:
    print("the reason is on this line", file=sys.stderr, flush=True)
    raise SystemExit(3)


def test_a_steps_output_goes_to_the_log_and_the_terminal_shows_one_bar(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    log = start_log(build_log_path(tmp_path / "models", "chatty"), "a test build")
    runner = StepRunner(tmp_path / "build", progress=True, log=log, label="chatty")
    assert runner.run("convert", chatty_step, 40) == 40  # in a child process
    assert runner.run("convert", chatty_step, 40) == 40  # done earlier: skipped, nothing shown
    runner.say("chatty: ready")

    err = capfd.readouterr().err
    lines = err.split("\n")  # a terminal redraws a bar in place with \r: one line each
    assert len(lines) == 3 and lines[-1] == "", err
    assert lines[0].rsplit("\r", 1)[-1].startswith("chatty convert: 100%|") and "peak" in lines[0]
    assert lines[1] == "[tandem.quantize] chatty: ready"
    assert "Saving" not in err and "warning" not in err and "its own bar" not in err

    text = log.read_text()
    assert log == tmp_path / "models" / "_logs" / "build-chatty.log"
    assert text.count("Saving model.layers.") == 40 and text.count("a warning about layer") == 40
    assert "its own bar" not in text  # the children's bars are off: the log would hold every redraw
    assert "== convert: running (child process)" in text and "== convert: done earlier" in text


def test_a_failed_step_names_the_log_and_quotes_its_end(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    log = start_log(tmp_path / "build.log", "a failing build")
    runner = StepRunner(tmp_path / "build", progress=False, log=log)
    with pytest.raises(BuildStepError) as info:
        runner.run("convert", failing_step)
    message = str(info.value)
    assert message.startswith("step 'convert' failed: RuntimeError: child process exited with status 3")
    assert f"the build's output is in {log}; its last lines:" in message
    assert "the reason is on this line" in message
    assert capfd.readouterr().err == ""  # progress off: nothing on the terminal, everything in the log
    assert not runner.is_done("convert")


def test_tail_keeps_a_redrawn_bars_last_state(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("one\nbar 10%\rbar 50%\rbar 100%\n\n" + "".join(f"line {i}\n" for i in range(30)))
    assert tail(log, 3) == "line 27\nline 28\nline 29"
    assert tail(log, 31).split("\n")[:2] == ["bar 100%", "line 0"]
    assert tail(tmp_path / "missing.log") == ""
