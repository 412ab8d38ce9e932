"""`tandem reminders`: the reminders and alarms stored on this device (`device.personal`).

`list --json` prints `[{"id", "text", "due", ...}]`, `due` ISO 8601 with its offset: an interface
scripts and the team's checks read, so its keys only ever grow (`kind`, `contact`, `state`, `fired`).
Texts are the user's own, shown on the user's own terminal; nothing here is logged.
"""

from __future__ import annotations

import json

import click

from tandem.cli.config import cli_settings


@click.group()
def reminders() -> None:
    """Reminders and alarms on this device: list, cancel."""


@reminders.command("list")
@click.option("--json", "as_json", is_flag=True,
              help='Print [{"id", "text", "due", ...}] (due: ISO 8601 with offset).')
@click.option("--all", "show_all", is_flag=True, help="Include fired and cancelled ones.")
def list_cmd(as_json: bool, show_all: bool) -> None:
    """Pending reminders and alarms, soonest first."""
    from tandem.assembly.personal_setup import open_personal_store, personal_path

    settings = cli_settings()
    if not personal_path(settings).exists():  # nothing stored yet: do not create a database to say so
        found = []
    else:
        store = open_personal_store(settings)
        try:
            found = store.reminders(pending_only=not show_all)
        finally:
            store.close()
    if as_json:
        click.echo(json.dumps([r.to_json() for r in found], ensure_ascii=False))
        return
    if not found:
        click.echo("no reminders" if show_all else "no pending reminders")
    for r in found:
        whom = f" (for {r.contact})" if r.contact else ""
        state = "" if r.state == "pending" else f" [{r.state}]"
        click.echo(f"{r.id}  {r.due:%a %d %b %Y %H:%M %z}  {r.kind:<8}  {r.text}{whom}{state}")


@reminders.command("cancel")
@click.argument("reminder_id")
@click.option("--json", "as_json", is_flag=True, help="Print the reminder as JSON.")
def cancel_cmd(reminder_id: str, as_json: bool) -> None:
    """Cancel the reminder or alarm REMINDER_ID (ids from `tandem reminders list`)."""
    from device.errors import UnknownItem
    from tandem.assembly.personal_setup import open_personal_store, personal_path

    settings = cli_settings()
    if not personal_path(settings).exists():
        raise UnknownItem(f"no reminder or alarm with id {reminder_id!r}: none are stored on this device yet")
    store = open_personal_store(settings)
    try:
        reminder = store.cancel_reminder(reminder_id)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(reminder.to_json(), ensure_ascii=False))
    elif reminder.state == "cancelled":
        click.echo(f"cancelled {reminder.id} ({reminder.due:%a %d %b %H:%M})")
    else:
        click.echo(f"{reminder.id} was not pending: it {reminder.state} already")
