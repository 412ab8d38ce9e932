"""A reminder set by `tandem ask` is listed by `tandem reminders list --json`, survives a `tandem serve`
restart, and fires on the service's notify topic at its time (real processes, real Mosquitto)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from tandem.broker import BrokerProcess
from tests.mqtt_observer import Observer
from tests.tandem.tiny_layout import models_dir_with_tiny

ROOT = Path(__file__).resolve().parents[3]


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    env.update(TANDEM_CONFIG=str(tmp / "config.toml"), HOME=str(tmp), XDG_STATE_HOME=str(tmp / "state"),
               XDG_CONFIG_HOME=str(tmp / "config"), XDG_CACHE_HOME=str(tmp / "cache"))
    return env


def _tandem(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tandem.cli", *args], check=False, cwd=ROOT, env=_env(tmp), capture_output=True,
                          text=True, timeout=120)


class _Serve:
    """`tandem serve` in its own process; its log is drained by a thread so it never blocks."""

    def __init__(self, tmp: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "tandem.cli", "--log-level", "info", "serve", "--socket",
                                      str(tmp / "run" / "tandem.sock")], cwd=ROOT, env=_env(tmp),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + 60
        while not any("ready: " in line for line in list(self.lines)):
            assert self.proc.poll() is None, "serve exited:\n" + "\n".join(self.lines)
            assert time.monotonic() < deadline, "serve did not become ready"
            time.sleep(0.05)

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)
        self._reader.join(10)
        assert self.proc.stderr is not None
        self.proc.stderr.close()


def test_a_reminder_persists_and_fires_on_time_after_a_restart(tmp_path: Path, tiny_model: Path,
                                                                 mosquitto: BrokerProcess) -> None:
    device = "rem-dev"
    models = models_dir_with_tiny(tiny_model, tmp_path / "models")
    (tmp_path / "config.toml").write_text(
        f'device_model = "tiny"\nmodels_dir = "{models}"\nkeys_dir = "{tmp_path / "keys"}"\ndevice_id = "{device}"\n'
        f'broker_url = "{mosquitto.url}"\nlocal_max_tokens = 8\nthreads = 1\n'
        '[personal]\ntimezone = "Europe/Zurich"\npoll_s = 0.5\n')
    asked = _tandem(tmp_path, "ask", "--json", "--no-autostart", "--force", "local",
                    "Remind me to take the bread out of the oven in 40 seconds")
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert [c["name"] for c in answer["tool_calls"]] == ["TandemReminderAdd"] and answer["sent"] == []
    assert answer["route"] == "local" and answer["answer"].startswith("Reminder set for today")

    listed = _tandem(tmp_path, "reminders", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    (reminder,) = json.loads(listed.stdout)
    assert reminder["text"] == "take the bread out of the oven"
    due = datetime.fromisoformat(reminder["due"])
    assert due.utcoffset() is not None and timedelta(seconds=20) < due - datetime.now(due.tzinfo) <= timedelta(
        seconds=40)

    observer = Observer(mosquitto.url)
    try:
        _Serve(tmp_path).stop()  # a restart before it is due: the reminder lives in the store, not the process
        assert observer.on(f"tandem/{device}/notify") == []
        second = _Serve(tmp_path)
        try:
            (event,) = observer.wait_for(f"tandem/{device}/notify", timeout=60)
            fired = json.loads(event)
            assert fired["event_type"] == "tandem_reminder" and fired["data"]["id"] == reminder["id"]
            assert fired["data"]["text"] == "take the bread out of the oven"
            assert abs((datetime.now(due.tzinfo) - due).total_seconds()) < 10  # on time, not at the restart
        finally:
            second.stop()
    finally:
        observer.close()
    relisted = json.loads(_tandem(tmp_path, "reminders", "list", "--json").stdout)
    assert relisted == []  # fired: no longer pending
