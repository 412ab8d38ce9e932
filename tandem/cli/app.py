"""The root `tandem` group: the options every command shares, and the commands, one module per group.

Command modules (`ask`, `redact`, `model`, `bench`, `broker`, `chaos`, `chat`, `eval`, `hardware`,
`keys`, `serve`, `worker`, `reminders`, `route`, `timers`, `lists`, `tools`, `history` for `logs`) import only click and light helpers at import
time and their dependencies inside the command, so `tandem --help` is instant. None imports another command module (a test holds
them to it): what they share lives in `group` (the one error path), `config` (settings),
`extras` (install hints), `logs` and `errors`. Measurement commands import `harness` inside the command.
"""

from __future__ import annotations

import click

from tandem import __version__
from tandem.cli.ask import ask, demo
from tandem.cli.bench import bench
from tandem.cli.broker import broker
from tandem.cli.chaos import chaos
from tandem.cli.chat import chat
from tandem.cli.eval import eval_group
from tandem.cli.group import TandemGroup
from tandem.cli.hardware import hardware
from tandem.cli.history import logs
from tandem.cli.keys import keys
from tandem.cli.lists import lists
from tandem.cli.logs import log_to_stderr
from tandem.cli.model import model
from tandem.cli.redact import redact
from tandem.cli.reminders import reminders
from tandem.cli.route import route
from tandem.cli.serve import serve
from tandem.cli.timers import timers
from tandem.cli.tools import tools
from tandem.cli.worker import worker


@click.group(cls=TandemGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="tandem", message="%(prog)s %(version)s")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
@click.pass_context
def main(ctx: click.Context, log_level: str) -> None:
    """tandem: an on-device assistant with a private, encrypted cloud fallback."""
    log_to_stderr(log_level)
    ctx.ensure_object(dict)


for _command in (ask, demo, redact, model, bench, broker, chaos, chat, eval_group, hardware, keys, serve, worker,
                 reminders, route, timers, lists, tools, logs):
    main.add_command(_command)
