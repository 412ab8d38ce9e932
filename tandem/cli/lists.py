"""`tandem lists`: shopping and to-do lists kept on this device (`device.personal`)."""

from __future__ import annotations

import json

import click

from tandem.cli.config import cli_settings


@click.group()
def lists() -> None:
    """Shopping and to-do lists on this device."""


@lists.command("show")
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--all", "show_all", is_flag=True, help="Include completed items.")
def show_cmd(name: str | None, as_json: bool, show_all: bool) -> None:
    """The items of list NAME ("shopping"); without NAME, the lists there are."""
    from device.errors import UnknownItem
    from tandem.assembly.personal_setup import open_personal_store, personal_path

    settings = cli_settings()
    if not personal_path(settings).exists():
        if name is not None:
            raise UnknownItem("there is no list by that name: no lists are stored on this device yet")
        click.echo("[]" if as_json else "no lists")
        return
    store = open_personal_store(settings)
    try:
        if name is None:
            names = store.lists()
            click.echo(json.dumps(names, ensure_ascii=False) if as_json else "\n".join(names) or "no lists")
            return
        items = store.items(name, include_done=show_all)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps([i.to_json() for i in items], ensure_ascii=False))
        return
    if not items:
        click.echo("the list is empty")
    for i in items:
        click.echo(f"[{'x' if i.done else ' '}] {i.text}")
