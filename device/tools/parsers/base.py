"""The command-parser seam: text (redacted) -> the tool call it asks for, or None when it is not a command.

Parsers register by name in `device.tools.parsers.PARSERS`. Today's is `rules` (patterns of
everyday phrasings); Home Assistant's sentence matcher, a learned parser and the device model with
grammar-constrained decoding plug in here, each with a confidence on its calls.
"""

from __future__ import annotations

from typing import Protocol

from device.collab.steps import ToolCall


class CommandParser(Protocol):
    @property
    def name(self) -> str:
        """The registry name."""
        ...

    def parse(self, text: str) -> ToolCall | None:
        """The call `text` asks for (slot names and values as Home Assistant's intent tests write them),
        or None when it is not a command (a question, a writing task, small talk)."""
        ...
