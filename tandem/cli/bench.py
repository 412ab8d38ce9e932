"""`tandem bench`: measurements that compare tandem with its peers (a click group to extend).

The measuring lives in `harness.bench` (`engine`, `worker`, `tools`); this module parses options and prints.
"""

from __future__ import annotations

import json

import click

from tandem.cli.config import cli_settings


@click.group()
def bench() -> None:
    """Benchmarks: tandem against its peers, on this machine."""


@bench.command("engine")
@click.option("--model", "model_name", default=None, help="model name (default: the device model)")
@click.option("--threads", type=int, default=None, help="intra-op threads (default: the hardware profile's)")
@click.option("--runs", type=int, default=3, show_default=True, help="rounds; each engine runs once per round")
@click.option("--precision", default=None, help="a built variant other than the model's default (e.g. int8-head4-kq)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def bench_engine(model_name: str | None, threads: int | None, runs: int, precision: str | None,
                 as_json: bool) -> None:
    """tandem's engine vs onnxruntime-genai, llama.cpp and optimum: prefill, decode, peak RSS."""
    from harness.bench.engine import run_engine_bench

    settings = cli_settings()
    name = model_name or settings.device_model
    if threads is None:
        from tandem.assembly.engine_options import engine_options

        threads = engine_options(settings).threads or 2
    report = run_engine_bench(name, settings, threads, runs, precision,
                              progress=None if as_json else lambda line: click.echo(line, err=True))
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"{name} ({report['precision']}, {report['model_files_mb']} MB model files), "
               f"{report['prompt_tokens']}-token prompt, {report['new_tokens']} new tokens, {threads} threads, "
               f"{runs} rounds")
    click.echo(f"{'engine':<20}{'prefill ms':>12}{'decode tok/s':>14}{'peak RSS MB':>13}  (best; median)")
    for e, r in report["engines"].items():
        if "skipped" in r:
            click.echo(f"{e:<20}skipped: {r['skipped']}")
            continue
        click.echo(f"{e:<20}{r['prefill_ms_best']:>12.0f}{r['decode_tok_s_best']:>14.1f}{r['peak_rss_mb']:>13.0f}"
                   f"  ({r['prefill_ms_median']:.0f} ms; {r['decode_tok_s_median']:.1f} tok/s)")
    for peer, ratio in report["tandem_ratio"].items():
        if isinstance(ratio, dict):
            click.echo(f"tandem vs {peer}: decode {ratio['decode']}x, prefill speed {ratio['prefill_speed']}x, "
                       f"RSS {ratio['rss']}x")
    if "rss_vs_model_files" in report["tandem_ratio"]:
        click.echo(f"tandem peak RSS / model files: {report['tandem_ratio']['rss_vs_model_files']}x")


@bench.command("worker")
@click.option("--tasks", type=int, default=2000, show_default=True, help="tasks per throughput row")
@click.option("--workers", "worker_counts", default="1,2,4", show_default=True, help="worker processes per row")
@click.option("--samples", type=int, default=300, show_default=True, help="sequential round trips of each kind")
@click.option("--timeout", "timeout_s", type=float, default=60.0, show_default=True, help="deadline per measurement")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def bench_worker(tasks: int, worker_counts: str, samples: int, timeout_s: float, as_json: bool) -> None:
    """Echo-worker throughput (1, 2, 4 workers) and the sealed vs plain MQTT round trip."""
    from harness.bench.worker import run_bench

    counts = tuple(int(x) for x in worker_counts.split(",") if x.strip())
    out = run_bench(tasks=tasks, workers=counts, samples=samples, timeout_s=timeout_s)
    if as_json:
        click.echo(json.dumps(out))
        return
    for row in out["throughput"]:
        extra = " (incomplete)" if row.get("incomplete") else ""
        click.echo(f"{row['workers']} worker(s): {row['tasks_per_s']:>8.1f} tasks/s ({row['tasks']} tasks in "
                   f"{row['seconds']} s){extra}")
    o = out["overhead"]
    click.echo(f"round trip p50/p99 ms: plain {o['plain_rtt_ms']['p50']}/{o['plain_rtt_ms']['p99']}, sealed "
               f"{o['sealed_rtt_ms']['p50']}/{o['sealed_rtt_ms']['p99']} -> ratio p50 {o['ratio_p50']}x, "
               f"p99 {o['ratio_p99']}x ({o['samples']} samples)")
    click.echo(f"targets: {out['targets']}")


@bench.command("tools")
@click.option("--rounds", type=int, default=20, show_default=True, help="rounds over the home commands")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def bench_tools(rounds: int, as_json: bool) -> None:
    """A home command's round trip (text in -> command on the device's MQTT topic) vs a plain publish."""
    from harness.bench.tools import run_tools_bench

    report = run_tools_bench(cli_settings(), rounds=rounds,
                             progress=None if as_json else lambda line: click.echo(line, err=True))
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    t, p = report["tandem_ms"], report["plain_publish_ms"]
    click.echo(f"{report['commands']} commands x {report['rounds']} rounds; sent to the cloud: {report['sent']}; "
               f"commands that never arrived: {report['missed']}")
    click.echo(f"text -> command on the device topic: p50 {t['p50']} ms, p90 {t['p90']} ms, max {t['max']} ms")
    click.echo(f"plain MQTT publish to the same topic: p50 {p['p50']} ms, p90 {p['p90']} ms "
               f"(tandem/plain p50: {report['ratio_p50_vs_plain_publish']}x)")
    for text, ms in report["per_command_p50_ms"].items():
        click.echo(f"  {ms:>8.2f} ms  {text}")
    click.echo(f"targets: {report['targets']}")
