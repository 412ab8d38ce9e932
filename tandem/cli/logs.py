"""Where the CLI's logs go: one-line records on stderr, or a file while a UI owns the terminal.

Only the CLI (and the service it runs) configures handlers; modules log through
`logging.getLogger(__name__)` and never print request or answer text.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path


class KeyValueFormatter(logging.Formatter):
    """Structured one-line logs: `ts level logger message` with key=value pairs in the message."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{self.formatTime(record, '%H:%M:%S')} {record.levelname.lower()} {record.name}: {record.getMessage()}"


def log_to_stderr(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    logging.basicConfig(level=getattr(logging, level.upper()), handlers=[handler], force=True)


def log_to_file(path: Path) -> None:
    """From now on logs (never PII) go to `path`, at the level already set."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    level = logging.getLogger().level
    logging.basicConfig(level=level, handlers=[handler], force=True)
