"""`tandem chat`: the terminal UI (Textual, from the `tui` extra)."""

from __future__ import annotations

from functools import partial

import click

from tandem.cli.config import cli_settings
from tandem.cli.extras import needs_extra
from tandem.cli.logs import log_to_file


@click.command()
@click.option("--autostart", is_flag=True,
              help="Start a loopback broker and a worker first when none answers (as `tandem demo` does).")
@click.option("--conversation", default=None, metavar="ID",
              help="Continue this conversation (`tandem logs` lists them): its turns, placeholders and values are "
                   "kept on the device, encrypted, until redaction.vault_ttl_s passes (letters, digits, - and _).")
def chat(autostart: bool, conversation: str | None) -> None:
    """Chat in the terminal; a side panel shows what left the device for every turn."""
    with needs_extra("the chat UI needs the tui extra ({module} is missing): pip install 'tandem-edge[tui]'"):
        from device.tui import make_app
    from tandem import locations
    from tandem.assembly.chat_session import open_session

    settings = cli_settings()
    infra = None
    if autostart:
        from tandem.assembly.runtime import ensure_infra, model_dir

        if settings.worker_backend == "onnx":
            model_dir(settings.cloud_model, settings)
        infra = ensure_infra(settings)
        for note in infra.notes:
            click.echo(f"[setup] {note}", err=True)
    # while the UI owns the terminal, logs (never PII) go to a file instead of stderr
    log_path = locations.state_dir() / "chat.log"
    log_to_file(log_path)
    try:
        make_app(settings, agent_factory=partial(open_session, settings, conversation=conversation)).run()
    finally:
        if infra is not None:
            infra.stop()
    click.echo(f"bye (logs: {log_path})", err=True)
