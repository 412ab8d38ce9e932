"""End to end, as a user runs it: real default models, a real Mosquitto, a real worker process,
the real `tandem ask --json` command, and an observer on `#` that sees every byte on the broker."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from protocol import topics
from protocol.keys import init_keys
from tandem.broker import BrokerProcess
from tandem.settings import Settings
from tests.mqtt_observer import Observer

pytestmark = [pytest.mark.real_model, pytest.mark.slow]

DEVICE = "dev-e2e"
PII = ["Anna Keller", "anna.keller@example.com", "+41 79 555 12 34", "41795551234"]
# a writing job, not a command: "Remind Anna Keller ..." is now a device tool (a reminder) that never leaves
REQUEST = (
    "Write a short note to Anna Keller (anna.keller@example.com, +41 79 555 12 34) that the boiler service is on Friday, "
    "and explain how a condensing boiler works."
)


def _env(settings: Settings, broker: BrokerProcess, keys: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    env.update(TANDEM_BROKER_URL=broker.url, TANDEM_KEYS_DIR=str(keys), TANDEM_MODELS_DIR=str(settings.models_dir),
               TANDEM_DEVICE_ID=DEVICE, TANDEM_CONFIG=str(keys / "absent.toml"))
    return env


@pytest.fixture
def worker_process(real_settings: Settings, cloud_model_dir: Path, device_model_dir: Path,
                   mosquitto: BrokerProcess, tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    keys = tmp_path / "keys"
    init_keys(keys, DEVICE)
    env = _env(real_settings, mosquitto, keys)
    log = tmp_path / "worker.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "tandem.cli", "--log-level", "info", "worker",
                                 "--backend", "onnx"], env=env, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 120
    while b"worker ready" not in log.read_bytes():
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "worker did not start"
        time.sleep(0.1)
    yield env, log
    proc.terminate()
    proc.wait(15)


def _leaks(payload: bytes, secrets: list[str]) -> list[str]:
    """Secrets readable in `payload`: raw, in its JSON strings, or inside its base64 fields."""
    views = [payload]
    try:
        doc = json.loads(payload)
        views.append(json.dumps(doc, ensure_ascii=False).encode())
        for key in ("ciphertext", "signature"):
            if isinstance(doc, dict) and key in doc:
                views.append(base64.b64decode(doc[key]))
    except (ValueError, UnicodeDecodeError):
        pass
    found = []
    for s in secrets:
        forms = [s.encode(), s.encode("utf-16-le"), base64.b64encode(s.encode())]
        if any(form in view for form in forms for view in views):
            found.append(s)
    return found


def test_ask_escalates_sealed_placeholders_and_restores_pii(worker_process: tuple[dict[str, str], Path],
                                                            mosquitto: BrokerProcess) -> None:
    env, worker_log = worker_process
    observer = Observer(mosquitto.url)
    try:
        out = subprocess.run([sys.executable, "-m", "tandem.cli", "ask", REQUEST, "--json", "--force", "cloud",
                              "--no-autostart"], env=env, capture_output=True, timeout=600, check=False)
        assert out.returncode == 0, out.stderr.decode()
        answer = json.loads(out.stdout)
        assert answer["route"] == "cloud"
        assert set(answer["timings_ms"]) >= {"redact", "fusion", "total", "cloud_backend"}
        # what left the device: placeholders, never values
        assert len(answer["sent"]) == 2
        sent_prompts = " ".join(item["payload"]["prompt"] for item in answer["sent"])
        for placeholder in ("<PERSON_1>", "<EMAIL_1>", "<PHONE_1>"):
            assert placeholder in sent_prompts
        assert _leaks(sent_prompts.encode(), PII) == []
        # the user sees the values again, and no placeholder is left over
        assert "<PERSON_1>" not in answer["answer"] and "<EMAIL_1>" not in answer["answer"]
        assert "Anna Keller" in answer["answer"]
        assert "boiler" in answer["answer"].lower()

        # every byte that crossed the broker: no PII, and not the request's plain text either
        task_wires = observer.wait_for(topics.task_topic(DEVICE), 2)
        results = observer.wait_for(topics.result_topic(DEVICE), 2)
        plain = ["condensing boiler", "boiler service", "short note"]
        for _, payload in observer.messages:
            assert _leaks(payload, PII + plain) == [], payload[:200]
        # one result per task; a slow answer may also have been re-sent (the device re-sends after 5 s and
        # the pool re-sends the stored result of a copy it already answered: never a second model run)
        assert len({json.loads(r)["header"]["task_id"] for r in results}) == 2
        before_replay = len(observer.on(topics.result_topic(DEVICE)))

        # a byte-exact replay is deduplicated (the stored sealed result is re-sent, the model does not
        # run again; only the device can open it); a tampered task is refused and gets no answer
        first_task = json.loads(task_wires[0])["header"]["task_id"]
        observer.publish(topics.task_topic(DEVICE), task_wires[0])
        env_doc = json.loads(task_wires[1])
        env_doc["header"]["expires_at"] += 60
        observer.publish(topics.task_topic(DEVICE), json.dumps(env_doc).encode())
        deadline = time.monotonic() + 10
        log_text = ""
        while time.monotonic() < deadline:
            log_text = worker_log.read_text()
            if f"re-sent stored result task={first_task}" in log_text and "reason=DecryptError" in log_text:
                break
            time.sleep(0.1)
        assert f"re-sent stored result task={first_task}" in log_text, log_text[-2000:]
        assert "reason=DecryptError" in log_text, log_text[-2000:]
        time.sleep(0.5)
        assert log_text.count("answered task=") == 2, "the model must run once per task"
        assert len(observer.on(topics.result_topic(DEVICE))) >= before_replay + 1  # the replay gets the stored result
        # the worker's log holds no PII and no request text
        assert _leaks(log_text.encode(), PII + plain) == []
    finally:
        observer.close()


def test_local_route_answers_on_the_device(real_settings: Settings, device_model_dir: Path,
                                           mosquitto: BrokerProcess, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    init_keys(keys, DEVICE)
    env = _env(real_settings, mosquitto, keys)
    out = subprocess.run([sys.executable, "-m", "tandem.cli", "ask", "What is the capital of France?", "--json",
                          "--force", "local"], env=env, capture_output=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr.decode()
    answer = json.loads(out.stdout)
    assert answer["route"] == "local" and answer["sent"] == []
    assert "Paris" in answer["answer"]


def test_a_follow_up_resolves_against_the_conversation(worker_process: tuple[dict[str, str], Path],
                                                       tmp_path: Path) -> None:
    """`tandem ask` then `tandem ask -c`: the follow-up reaches the real cloud model with the turn it needs
    (without it, the model answers "Canada is a country."), and `tandem logs` shows both turns."""
    env = {**worker_process[0], "XDG_STATE_HOME": str(tmp_path / "state")}
    tandem = [sys.executable, "-m", "tandem.cli"]

    def ask(*args: str) -> dict[str, object]:
        out = subprocess.run([*tandem, "ask", "--json", "--force", "cloud", "--no-autostart", *args], env=env,
                             capture_output=True, timeout=600, check=False)
        assert out.returncode == 0, out.stderr.decode()
        return json.loads(out.stdout)

    first = ask("What is the capital of France?")
    follow = ask("-c", "And of Canada?")
    assert "Ottawa" in str(follow["answer"]), follow["answer"]
    assert follow["conversation"] == first["conversation"]
    (sent,) = follow["sent"]  # type: ignore[misc]
    assert sent["payload"]["prompt"] == "And of Canada?"
    assert sent["payload"]["history"][0] == {"role": "user", "content": "What is the capital of France?"}
    shown = subprocess.run([*tandem, "logs", "show", "--json"], env=env, capture_output=True, timeout=60, check=False)
    assert shown.returncode == 0, shown.stderr.decode()
    turns = json.loads(shown.stdout)["turns"]
    assert [t["user"] for t in turns] == ["What is the capital of France?", "And of Canada?"]
    assert [t["route"] for t in turns] == ["cloud", "cloud"]
