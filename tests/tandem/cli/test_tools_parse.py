"""`tandem tools parse --jsonl`: the interface the team's checks use (order kept, keys, bad lines)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tandem.cli.app import main

INVENTORY = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "home" / "example_inventory.yaml"


def test_parse_writes_one_line_per_input_in_order_and_survives_bad_lines(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("TANDEM_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("TANDEM_TOOLS__STAGES", '["hassil", "rules"]')
    lines = [{"text": "turn off the kitchen spots"}, "not json", {"text": "how does a heat pump work?"},
             {"nope": 1}, {"text": "set the reading lamp to 40%"}]
    stdin = "".join((json.dumps(x) if isinstance(x, dict) else x) + "\n" for x in lines)
    result = CliRunner().invoke(main, ["tools", "parse", "--jsonl", "--inventory", str(INVENTORY)], input=stdin)
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert len(out) == 5
    assert all({"intent", "slots", "ms"} <= set(o) and isinstance(o["ms"], float) for o in out)
    assert out[0]["intent"] == "HassTurnOff" and out[0]["slots"] == {"name": "Kitchen Spots"}
    assert out[1]["intent"] is None and "not JSON" in out[1]["error"]
    assert out[2]["intent"] is None and out[2]["slots"] == {}
    assert out[3]["intent"] is None and "string \"text\"" in out[3]["error"]
    assert out[4]["slots"] == {"name": "Reading Lamp", "brightness": 40}
