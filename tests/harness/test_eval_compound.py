"""The compound-request set and its scoring (`tandem eval compound` runs them end to end)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.eval.compound import Outcome, device_part_right, leaks, pairs, question_right, summary
from tandem.broker import free_port
from tests.conftest import real_models_dir


def test_pairs_join_a_private_device_part_and_a_question_reproducibly() -> None:
    first, again = pairs(12, seed=3), pairs(12, seed=3)
    assert first == again and len({p.text for p in first}) == 12
    personal = [p for p in first if p.private]
    assert personal and all(p.private[0] in p.text for p in personal)
    assert all(p.question[:-1].lower() in p.text.lower() for p in first)


def test_scoring_of_each_part() -> None:
    reminder, command = pairs(6, seed=0)[0], pairs(6, seed=0)[5]
    assert reminder.private and "command" in command.device
    assert device_part_right(reminder, None, f"Hi {reminder.private[0]}, the service is on Friday.")
    assert not device_part_right(reminder, None, "Hi, the service is on Friday.")
    gold = command.device["command"]
    assert device_part_right(command, {"intent": gold["intent"], "slots": dict(gold["slots"])}, "")
    assert not device_part_right(command, {"intent": "HassTurnOn", "slots": {"name": "Somewhere Else"}}, "")
    assert question_right(reminder, f"Done. {reminder.gold[0]}.")
    assert not question_right(reminder, "I do not know.")


def test_leaks_are_whole_words_in_any_payload() -> None:
    assert leaks([b"sealed \x00 bytes", '{"prompt": "Remind <PERSON_1> ..."}'], ["Tobias Lindqvist", "CO"]) == []
    assert leaks(['{"prompt": "Remind tobias lindqvist"}'], ["Tobias Lindqvist"]) == ["Tobias Lindqvist"]
    assert leaks(["how many continents"], ["CO"]) == []


def test_echoes_of_the_request_are_counted_line_by_line() -> None:
    from harness.eval.compound import echo_lines

    asked = ["Turn off the garage light", "What is the capital of Canada?"]
    assert echo_lines("Question: What is the capital of Canada?\nOttawa.", asked) == 1
    assert echo_lines("Turned off Garage Light.\n\nOttawa is the capital.", asked) == 0


def test_summary_counts_both_parts_and_every_leak() -> None:
    a, b = pairs(2, seed=1)
    rows = [Outcome(a, True, True), Outcome(b, True, False, leaked_to_pool=["x"], leaked_on_wire=["y", "z"])]
    report = summary(rows, [Outcome(a, False, True), Outcome(b, True, True)])
    assert report["tandem"] == {"both_right": 0.5, "device_part": 1.0, "question": 0.5, "leaks_to_pool": 1,
                                "leaks_on_wire": 2, "answers_with_echoes": 0.0}
    assert report["whole_to_cloud"]["both_right"] == 0.5 and report["n"] == 2


@pytest.mark.real_model
def test_eval_compound_runs_one_pair_end_to_end_and_nothing_private_leaves(tmp_path: Path) -> None:
    """The agent over a loopback broker and a real worker, sniffed, against the whole request to the cloud."""
    env = dict(os.environ, TANDEM_CONFIG=str(tmp_path / "none.toml"), TANDEM_KEYS_DIR=str(tmp_path / "keys"),
               TANDEM_MODELS_DIR=str(real_models_dir()), XDG_STATE_HOME=str(tmp_path / "state"),
               TANDEM_BROKER_URL=f"mqtt://127.0.0.1:{free_port()}")
    out = subprocess.run([sys.executable, "-m", "tandem.cli", "eval", "compound", "--n", "1", "--json"],
                         capture_output=True, text=True, timeout=900, env=env, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout)
    assert report["n"] == 1 and report["tandem"]["leaks_to_pool"] == 0 and report["tandem"]["leaks_on_wire"] == 0
    (item,) = report["items"]
    assert item["text"].startswith("Remind Tobias Lindqvist") and item["routes"][0] == "local"  # personal stays
    assert set(report["whole_to_cloud"]) == {"both_right", "device_part", "question", "answers_with_echoes"}
