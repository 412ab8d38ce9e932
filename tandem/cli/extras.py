"""Optional dependency groups: a command that needs one says which to install, not a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tandem.cli.errors import MissingExtra


@contextmanager
def needs_extra(message: str) -> Iterator[None]:
    """Imports inside the block that fail raise MissingExtra: `message` with the missing module's
    name filled in for `{module}`, e.g. "the build tools are missing ({module}): pip install 'tandem-edge[quantize]'"."""
    try:
        yield
    except ImportError as exc:
        raise MissingExtra(message.format(module=exc.name)) from exc
