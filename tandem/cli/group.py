"""The one error path of `tandem`: a command's `TandemError` becomes `error: <message>`, exit code 2.

Commands raise; none prints its own error line or exits. `TandemGroup`, the class of the root `tandem`
group, wraps the whole invocation (subgroups and their commands included) and turns any
`protocol.errors.TandemError`, the root of every package's errors, into `CommandFailed`, which click
prints on stderr and exits with. click's own usage errors keep their text and exit code. A command
whose result sets the exit code (`tandem chaos`: 1 when the soak test failed) calls `ctx.exit(code)`.
"""

from __future__ import annotations

from typing import IO, Any

import click

from protocol.errors import TandemError

EXIT_FAILED = 2
"""Exit code of a command that raised a TandemError (the same as click's usage errors)."""


class CommandFailed(click.ClickException):
    """A TandemError on its way out: shown as one `error: <message>` line on stderr."""

    exit_code = EXIT_FAILED

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", file=file, err=True)


class TandemGroup(click.Group):
    """A click group whose commands' TandemErrors leave as `CommandFailed` (see the module docstring)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TandemError as exc:
            raise CommandFailed(str(exc)) from exc
