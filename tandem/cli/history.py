"""`tandem logs`: the conversations this device kept, and their turns with their routes.

The turns are read from the encrypted personal store on this device, so the values show here (the
user's own words and answers), and only here: what went to the cloud is shown as it left, with
placeholders, per part.
"""

from __future__ import annotations

import json
from typing import Any

import click

from tandem.cli.config import cli_settings


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("-n", "--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="List at most so many conversations, the most recent first.")
@click.pass_context
def logs(ctx: click.Context, as_json: bool, limit: int) -> None:
    """Conversations kept on this device (every face's, until they expire with their vault): `tandem logs`
    lists them, `tandem logs show ID` shows the turns and how each was answered."""
    if ctx.invoked_subcommand is not None:
        return
    found = _with_store(lambda store: store.conversations(limit=limit))
    if as_json:
        click.echo(json.dumps([c.to_json() for c in found or []], ensure_ascii=False))
        return
    if not found:
        click.echo("no conversations kept on this device yet")
        return
    for c in found:
        click.echo(f"{c.id}  {c.face:<6} {c.turns:>3} turn{'s' if c.turns != 1 else ' '}  "
                   f"{c.updated_at:%Y-%m-%d %H:%M}  {c.first}")


@logs.command("show")
@click.argument("conversation", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show_cmd(conversation: str | None, as_json: bool) -> None:
    """The turns of CONVERSATION (default: the last one continued): each request, its answer, and per part
    its route and what the router saw (redacted)."""
    def read(store: Any) -> tuple[str | None, list[Any]]:
        cid = conversation or store.latest_conversation()
        return cid, store.turns(cid) if cid is not None else []

    cid, turns = _with_store(read) or (conversation, [])
    if not turns:
        raise click.ClickException(f"no conversation {cid!r} on this device (it may have expired): "
                                   "`tandem logs` lists them" if cid else "no conversations kept on this device yet")
    if as_json:
        click.echo(json.dumps({"conversation": cid, "turns": [t.to_json() for t in turns]}, ensure_ascii=False))
        return
    click.echo(f"conversation {cid}")
    for t in turns:
        click.echo(f"\n#{t.n}  {t.at:%Y-%m-%d %H:%M:%S}  route {t.route}{'' if t.shareable else '  (held on device)'}")
        if t.system:
            click.echo(f"system: {t.system}")
        click.echo(f"you: {t.user}")
        click.echo(f"tandem: {t.answer}")
        for i, part in enumerate(t.parts, 1):
            click.echo(f"  part {i}: {part.get('route')} ({part.get('reason')}): {part.get('redacted_text')}")


@logs.command("rm")
@click.argument("conversation")
def rm_cmd(conversation: str) -> None:
    """Delete CONVERSATION's turns from this device."""
    if not _with_store(lambda store: store.delete_conversation(conversation)):
        raise click.ClickException(f"no conversation {conversation!r} on this device: `tandem logs` lists them")
    click.echo(f"deleted conversation {conversation}")


def _with_store(read: Any) -> Any:
    """`read(store)` on the personal store, or None when the device has none yet."""
    from tandem.assembly.personal_setup import open_personal_store, personal_path

    settings = cli_settings()
    if not personal_path(settings).exists():
        return None
    store = open_personal_store(settings)
    try:
        return read(store)
    finally:
        store.close()
