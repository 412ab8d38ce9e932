"""`tandem chat`: the terminal UI (Textual, from the `tui` extra)."""

from __future__ import annotations

import logging
from functools import partial

import click


def _log_to_file() -> str:
    """While the UI owns the terminal, logs (never PII) go to a file instead of stderr."""
    from tandem import locations

    path = locations.state_dir() / "chat.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    logging.basicConfig(level=level, handlers=[handler], force=True)
    return str(path)


@click.command()
@click.option("--autostart", is_flag=True,
              help="Start a loopback broker and a worker first when none answers (as `tandem demo` does).")
@click.option("--conversation", default=None, metavar="ID",
              help="Continue this named conversation: its placeholders and values are kept on the device, "
                   "encrypted, across restarts until redaction.vault_ttl_s passes (letters, digits, - and _).")
def chat(autostart: bool, conversation: str | None) -> None:
    """Chat in the terminal; a side panel shows what left the device for every turn."""
    from protocol.errors import TandemError
    from tandem.cli import _fail, _settings

    try:
        from device.tui import make_app
    except ImportError as exc:
        _fail(TandemError(f"the chat UI needs the tui extra ({exc.name} is missing): pip install 'tandem[tui]'"))
        return
    from tandem.assembly.chat_session import open_session

    settings = _settings()
    infra = None
    if autostart:
        from tandem.assembly.runtime import ensure_infra, model_dir

        try:
            if settings.worker_backend == "onnx":
                model_dir(settings.cloud_model, settings)
            infra = ensure_infra(settings)
        except TandemError as exc:
            _fail(exc)
        assert infra is not None
        for note in infra.notes:
            click.echo(f"[setup] {note}", err=True)
    log_path = _log_to_file()
    try:
        make_app(settings, agent_factory=partial(open_session, settings, conversation=conversation)).run()
    finally:
        if infra is not None:
            infra.stop()
    click.echo(f"bye (logs: {log_path})", err=True)
