"""Errors the CLI itself raises. Each says what to do next; `tandem.cli.group` prints any TandemError
as `error: <message>` and exits 2.

    TandemError (protocol.errors)
     └── CliError            a command cannot run as asked
          ├── InvalidSettings    the config file or TANDEM_* variables do not validate
          └── MissingExtra       an optional dependency group (`tandem-edge[quantize]`, ...) is not installed
"""

from __future__ import annotations

from protocol.errors import TandemError


class CliError(TandemError):
    pass


class InvalidSettings(CliError):
    pass


class MissingExtra(CliError):
    pass
