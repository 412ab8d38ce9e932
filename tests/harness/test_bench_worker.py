"""`tandem bench worker` end to end on a tiny load: the report has its shape (no timing asserts)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tandem.cli import main


def test_bench_worker_reports_throughput_and_overhead() -> None:
    result = CliRunner().invoke(main, ["bench", "worker", "--tasks", "60", "--workers", "1,2", "--samples", "5",
                                       "--timeout", "30", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output.strip().splitlines()[-1])
    assert [r["workers"] for r in out["throughput"]] == [1, 2]
    assert all(r["tasks"] == 60 and "incomplete" not in r for r in out["throughput"])
    o = out["overhead"]
    assert o["samples"] == 5 and o["sealed_rtt_ms"]["p50"] > 0 and o["plain_rtt_ms"]["p50"] > 0
    assert set(out["targets"]) == {"one_worker_tasks_per_s_ge_1000", "sealed_over_plain_p50_lt_2",
                                   "overhead_over_plain_p50_lt_2"}
