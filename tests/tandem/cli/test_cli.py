"""The console script as users and the team's checks call it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from tandem.settings import load_settings


def _tandem(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tandem.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=60, env=env, check=False)


def test_redact_jsonl_keeps_order_and_reports_offsets_into_the_input() -> None:
    lines = [
        {"text": "Mail anna.keller@example.com or call +41 79 555 12 34."},
        {"text": "Nothing personal in Paris on Friday at 10:30."},
        {"text": "Card 4111 1111 1111 1111, IBAN CH93 0076 2011 6238 5295 7."},
    ]
    out = _tandem("redact", "--jsonl", stdin="\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 4
    assert rows[0]["text"] == "Mail <EMAIL_1> or call <PHONE_1>."
    assert rows[1] == {"text": lines[1]["text"], "entities": [], "sensitive": []}  # issue 16: each line gains "sensitive"
    assert {e["type"] for e in rows[2]["entities"]} == {"CARD", "IBAN"}
    for row, src in zip(rows[:3], lines):
        for e in row["entities"]:
            assert set(e) == {"type", "start", "end", "placeholder"}
            assert e["placeholder"] in row["text"]
            assert src["text"][e["start"]:e["end"]] not in row["text"]
    assert "error" in rows[3]


def test_redact_jsonl_lists_the_sensitive_categories_of_each_redacted_line(tmp_path: Path) -> None:
    from tests.device.sensitive_fake import build_fake

    build_fake(tmp_path / "models")  # "hiv" -> health, "visa" -> immigration
    # the name model is not what this test is about: rules only, not a 90 s first build in tmp_path
    env = dict(os.environ, TANDEM_MODELS_DIR=str(tmp_path / "models"), TANDEM_CONFIG=str(tmp_path / "none.toml"),
               TANDEM_REDACTION__NER="off")
    lines = [json.dumps({"text": "my hiv test is positive, mail a@example.com"}), json.dumps({"text": "the weather"}),
             "not json", json.dumps({"text": "a visa and hiv"})]
    out = _tandem("redact", "--jsonl", stdin="\n".join(lines) + "\n", env=env)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert rows[0]["sensitive"] == ["health"] and rows[0]["text"] == "my hiv test is positive, mail <EMAIL_1>"
    assert rows[1] == {"text": "the weather", "entities": [], "sensitive": []}
    assert "error" in rows[2] and "sensitive" not in rows[2]
    assert rows[3]["sensitive"] == ["health", "immigration"]  # the device's fixed order
    plain = _tandem("redact", "my hiv", env=env)
    assert plain.stdout == "my hiv\n" and "sensitive: health" in plain.stderr


def test_redact_jsonl_with_the_classifier_off_still_has_the_key(tmp_path: Path) -> None:
    env = dict(os.environ, TANDEM_MODELS_DIR=str(tmp_path / "models"), TANDEM_CONFIG=str(tmp_path / "none.toml"),
               TANDEM_REDACTION__SENSITIVE__MODEL="off", TANDEM_REDACTION__NER="off")
    out = _tandem("redact", "--jsonl", stdin=json.dumps({"text": "my hiv"}) + "\n", env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"text": "my hiv", "entities": [], "sensitive": []}


def test_keys_init_creates_private_files_0600_and_list_shows_no_secrets(tmp_path: Path) -> None:
    env = dict(os.environ, TANDEM_KEYS_DIR=str(tmp_path / "keys"), TANDEM_CONFIG=str(tmp_path / "none.toml"))
    assert _tandem("keys", "init", "--device", "kitchen-pi", env=env).returncode == 0
    private = list((tmp_path / "keys").rglob("*.key"))
    assert len(private) == 4
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    listing = _tandem("keys", "list", env=env)
    assert "kitchen-pi" in listing.stdout
    for path in private:
        secret = json.loads(path.read_text())["private"]
        assert secret not in listing.stdout


def test_settings_come_from_toml_and_env(tmp_path: Path, monkeypatch: object) -> None:
    config = tmp_path / "config.toml"
    config.write_text('device_id = "from-toml"\n[escalation]\nthreshold = 0.7\n')
    env = {"TANDEM_CONFIG": str(config), "TANDEM_BROKER_URL": "mqtt://10.0.0.9:1884"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        s = load_settings()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert s.device_id == "from-toml"
    assert s.escalation.threshold == 0.7
    assert s.broker_url == "mqtt://10.0.0.9:1884"


def test_help_is_instant_and_lists_subcommands() -> None:
    out = _tandem("--help")
    for sub in ("ask", "demo", "redact", "worker", "keys", "model"):
        assert sub in out.stdout


def test_train_ner_is_a_model_subcommand() -> None:
    out = _tandem("model", "train-ner", "--help", env=dict(os.environ))
    assert out.returncode == 0 and "--seed" in out.stdout


def test_train_sensitive_is_a_model_subcommand() -> None:
    out = _tandem("model", "train-sensitive", "--help", env=dict(os.environ))
    assert out.returncode == 0 and "--seed" in out.stdout and "--force" in out.stdout


def test_keys_list_with_no_keys_says_so_on_stderr(tmp_path: Path) -> None:
    env = dict(os.environ, TANDEM_KEYS_DIR=str(tmp_path / "keys"), TANDEM_CONFIG=str(tmp_path / "none.toml"))
    listing = _tandem("keys", "list", env=env)
    assert listing.returncode == 0 and listing.stdout == ""
    assert "no keys in" in listing.stderr and "tandem keys init" in listing.stderr


def test_ask_reads_its_text_from_stdin_for_a_dash(tmp_path: Path, tiny_model: Path) -> None:
    from tests.tandem.tiny_layout import models_dir_with_tiny

    env = dict(os.environ, TANDEM_KEYS_DIR=str(tmp_path / "keys"), TANDEM_CONFIG=str(tmp_path / "none.toml"),
               TANDEM_MODELS_DIR=str(models_dir_with_tiny(tiny_model, tmp_path / "models")),
               TANDEM_DEVICE_MODEL="tiny", TANDEM_LOCAL_MAX_TOKENS="4", XDG_STATE_HOME=str(tmp_path / "state"))
    out = _tandem("ask", "-", "--json", "--force", "local", stdin="Explain how a condensing boiler works.\n", env=env)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["redacted"] == "Explain how a condensing boiler works."  # stdin's text, not "-"
    empty = _tandem("ask", "--force", "local", stdin="", env=env)
    assert empty.returncode == 2 and "stdin held no text" in empty.stderr
