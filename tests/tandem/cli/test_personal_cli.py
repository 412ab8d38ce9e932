"""`tandem reminders`, `tandem timers`, `tandem lists`: the JSON shapes scripts and the team's checks read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from tandem.assembly.personal_setup import open_personal_store, personal_path
from tandem.cli import main
from tandem.settings import Settings, load_settings

ZURICH = ZoneInfo("Europe/Zurich")


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("TANDEM_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("TANDEM_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("TANDEM_DEVICE_ID", "kitchen-pi")
    monkeypatch.setenv("TANDEM_PERSONAL__TIMEZONE", "Europe/Zurich")
    return load_settings()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_personal_table_in_settings(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert personal_path(settings) == Path(os.environ["XDG_STATE_HOME"]) / "tandem" / "personal" / "kitchen-pi.sqlite"
    assert settings.personal.timezone == "Europe/Zurich" and settings.personal.default_time.hour == 9
    monkeypatch.setenv("TANDEM_PERSONAL__PATH", str(tmp_path / "mine.sqlite"))
    monkeypatch.setenv("TANDEM_PERSONAL__DEFAULT_TIME", "07:30")
    again = load_settings()
    assert personal_path(again) == tmp_path / "mine.sqlite" and again.personal.default_time.minute == 30
    with pytest.raises(ValueError, match="time zone"):
        Settings(personal={"timezone": "Mars/Olympus"})


def test_reminders_list_json_before_anything_is_stored_is_empty_and_creates_nothing(settings: Settings) -> None:
    assert run("reminders", "list", "--json") == (0, "[]\n", "")
    assert not personal_path(settings).exists()


def test_reminders_list_json_shape(settings: Settings) -> None:
    store = open_personal_store(settings)
    now = store.now()
    later = store.add_reminder("the boiler service is on Friday", now + timedelta(days=2), contact="Anna Keller")
    sooner = store.add_reminder("wake up", now + timedelta(hours=1), kind="alarm")
    gone = store.add_reminder("cancelled one", now + timedelta(hours=3))
    store.cancel_reminder(gone.id)
    store.close()

    code, out, _ = run("reminders", "list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [r["id"] for r in listed] == [sooner.id, later.id]
    for item in listed:
        assert {"id", "text", "due"} <= set(item)
        due = datetime.fromisoformat(item["due"])
        assert due.utcoffset() is not None  # ISO 8601 with offset
    assert listed[1]["text"] == "the boiler service is on Friday"
    assert datetime.fromisoformat(listed[1]["due"]) == later.due.replace(microsecond=0)  # to the second
    assert (listed[0]["kind"], listed[1]["contact"]) == ("alarm", "Anna Keller")

    code, out, _ = run("reminders", "list", "--json", "--all")
    assert {r["id"]: r["state"] for r in json.loads(out)}[gone.id] == "cancelled"

    code, out, _ = run("reminders", "list")
    assert code == 0 and sooner.id in out and "the boiler service is on Friday (for Anna Keller)" in out


def test_reminders_cancel(settings: Settings) -> None:
    store = open_personal_store(settings)
    r = store.add_reminder("boiler", store.now() + timedelta(days=1))
    store.close()
    code, out, _ = run("reminders", "cancel", r.id)
    assert code == 0 and out.startswith(f"cancelled {r.id}")
    code, out, _ = run("reminders", "cancel", r.id, "--json")
    assert json.loads(out)["state"] == "cancelled"
    assert json.loads(run("reminders", "list", "--json")[1]) == []
    code, out, err = run("reminders", "cancel", "r-nothere")
    assert code == 2 and err.startswith("error: no reminder or alarm with id 'r-nothere'")


def test_timers_list_and_lists_show(settings: Settings) -> None:
    store = open_personal_store(settings)
    timer = store.start_timer(300, name="pasta", area="Kitchen")
    store.add_item("Shopping List", "oat milk")
    store.add_item("Shopping List", "apples")
    store.complete_item("shopping", "apples")
    store.close()

    [shown] = json.loads(run("timers", "list", "--json")[1])
    assert (shown["id"], shown["name"], shown["seconds"], shown["state"]) == (timer.id, "pasta", 300, "running")
    assert "pasta (Kitchen)" in run("timers", "list")[1]

    assert json.loads(run("lists", "show", "--json")[1]) == ["Shopping List"]
    assert [i["text"] for i in json.loads(run("lists", "show", "shopping", "--json")[1])] == ["oat milk"]
    assert run("lists", "show", "shopping", "--all")[1] == "[ ] oat milk\n[x] apples\n"
    code, _, err = run("lists", "show", "hardware")
    assert code == 2 and err.startswith("error: there is no list by that name")


def test_the_console_script_prints_the_json_the_checks_read(settings: Settings) -> None:
    store = open_personal_store(settings)
    r = store.add_reminder("boiler", datetime(2031, 3, 7, 9, 0, tzinfo=ZURICH))
    store.close()
    out = subprocess.run([sys.executable, "-m", "tandem.cli", "reminders", "list", "--json"], capture_output=True,
                         text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    [item] = json.loads(out.stdout)
    assert (item["id"], item["text"], item["due"]) == (r.id, "boiler", "2031-03-07T09:00:00+01:00")


def test_logs_lists_and_shows_conversations(settings: Settings) -> None:
    from device.personal.values import Turn

    assert run("logs") == (0, "no conversations kept on this device yet\n", "")
    assert run("logs", "--json") == (0, "[]\n", "")
    code, _, err = run("logs", "show")
    assert code != 0 and "no conversations" in err
    store = open_personal_store(settings)
    parts = ({"route": "cloud", "reason": "uncertain", "redacted_text": "What is the capital of France?"},)
    store.add_turn("chat-1", Turn("What is the capital of France?", "Paris.", "cloud", parts=parts), face="chat")
    store.add_turn("chat-1", Turn("And of Canada?", "Ottawa.", "cloud", parts=parts), face="chat")
    store.add_turn("ask-2", Turn("I have HIV. What should I eat?", "Eat well.", "local", shareable=False), face="ask")
    store.close()
    code, out, _ = run("logs")
    assert code == 0 and out.splitlines()[0].startswith("ask-2") and "chat-1" in out.splitlines()[1]
    assert "2 turns" in out and "What is the capital of France?" in out
    listed = json.loads(run("logs", "--json", "-n", "1")[1])
    assert [c["id"] for c in listed] == ["ask-2"] and listed[0]["face"] == "ask"
    code, out, _ = run("logs", "show", "chat-1")
    assert code == 0 and "you: And of Canada?" in out and "tandem: Ottawa." in out and "part 1: cloud" in out
    shown = json.loads(run("logs", "show", "--json")[1])  # the last one continued
    assert shown["conversation"] == "ask-2" and shown["turns"][0]["shareable"] is False
    assert run("logs", "rm", "chat-1") == (0, "deleted conversation chat-1\n", "")
    code, _, err = run("logs", "rm", "chat-1")
    assert code != 0 and "no conversation" in err
