"""`tandem eval redact` as the CLI exposes it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _tandem(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tandem.cli", *args], capture_output=True, text=True,
                          timeout=120, env=env, check=False)


def test_eval_redact_prints_one_json_object_per_system(tmp_path: Path) -> None:
    pytest.importorskip("faker", reason="the evaluation set needs Faker: pip install 'tandem-edge[eval]'")
    env = dict(os.environ, TANDEM_MODELS_DIR=str(tmp_path / "models"), TANDEM_CONFIG=str(tmp_path / "none.toml"))
    out = _tandem("eval", "redact", "--n", "24", "--seed", "3", "--json", "--no-presidio", env=env)
    assert out.returncode == 0, out.stderr
    (row,) = [json.loads(line) for line in out.stdout.splitlines()]
    assert row["system"] == "tandem" and row["requests"] == 24
    assert set(row) >= {"recall", "structured", "precision", "untouched", "point_kept", "ms_per_request"}
    assert 0.0 <= row["structured"] <= 1.0
    held = row["heldout"]  # the hand-written sets, scored beside the generated one
    assert set(held) >= {"structured", "obfuscated", "PERSON", "STREET_ADDRESS", "untouched", "defence_held_pii_free"}
    assert held["requests"]["obfuscated"] >= 60 and 0.0 <= held["obfuscated"] <= 1.0
    again = _tandem("eval", "redact", "--n", "24", "--seed", "3", "--json", "--no-presidio", env=env)
    same = json.loads(again.stdout)
    assert {k: v for k, v in same.items() if k != "ms_per_request"} == {
        k: v for k, v in row.items() if k != "ms_per_request"}
