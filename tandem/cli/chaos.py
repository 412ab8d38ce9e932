"""`tandem chaos`: the soak test of escalations under broker, worker and device faults."""

from __future__ import annotations

import json

import click


@click.command()
@click.option("--tasks", default=500, show_default=True, help="Escalations the device submits in total.")
@click.option("--faults", default="broker,worker,device,dup,flood,replay-restart", show_default=True,
              help="Comma-separated: broker, worker, device, dup, flood, replay-restart (empty: none).")
@click.option("--workers", default=2, show_default=True, help="Echo workers in the pool.")
@click.option("--rate", default=40.0, show_default=True, help="Escalations per second.")
@click.option("--time-limit", "time_limit", default=240.0, show_default=True, help="Seconds before it gives up.")
@click.option("--seed", default=None, type=int, help="Seed for the fault choices.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.pass_context
def chaos(ctx: click.Context, tasks: int, faults: str, workers: int, rate: float, time_limit: float, seed: int | None,
          as_json: bool) -> None:
    """Escalate TASKS sub-tasks through real processes on loopback while faults hit them; report
    accepted, answered, lost, answered twice and rejected forgeries. Exit 1 unless all is well."""
    from harness.chaos.soak import Chaos, ChaosConfig, render

    config = ChaosConfig(tasks=tasks, faults=tuple(f for f in faults.split(",") if f), workers=workers,
                         rate=rate, time_limit_s=time_limit, seed=seed)
    report = Chaos(config, progress=lambda m: click.echo(f"[chaos] {m}", err=True)).run()
    click.echo(json.dumps(report.to_json()) if as_json else render(report))
    if not report.ok:
        ctx.exit(1)
