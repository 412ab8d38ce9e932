"""`tandem timers`: the timers running or paused on this device (`device.personal`)."""

from __future__ import annotations

import json

import click

from tandem.cli.config import cli_settings


@click.group()
def timers() -> None:
    """Timers on this device."""


@timers.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
def list_cmd(as_json: bool) -> None:
    """Running and paused timers with the time left."""
    from device.personal.values import say_duration
    from tandem.assembly.personal_setup import open_personal_store, personal_path

    settings = cli_settings()
    if not personal_path(settings).exists():
        found = []
    else:
        store = open_personal_store(settings)
        try:
            found = store.timers()
        finally:
            store.close()
    if as_json:
        click.echo(json.dumps([t.to_json() for t in found], ensure_ascii=False))
        return
    if not found:
        click.echo("no timers")
    for t in found:
        label = " ".join(x for x in (t.name, f"({t.area})" if t.area else None) if x) or "timer"
        click.echo(f"{t.id}  {label}  {say_duration(t.remaining_s)} left of {say_duration(t.seconds)}  {t.state}")
