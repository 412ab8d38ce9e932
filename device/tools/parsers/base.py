"""The command-parser seam: text (redacted) -> the tool call it asks for, or None when it is not a command.

Parsers register by name in `device.tools.parsers.PARSERS`. Today's is `rules` (patterns of
everyday phrasings); Home Assistant's sentence matcher, a learned parser and the device model with
grammar-constrained decoding plug in here, each with a confidence on its calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from device.collab.steps import ToolCall

if TYPE_CHECKING:
    from device.home.base import Home
    from device.home.model import Area, Entity, Floor
    from device.tools.base import Tool
    from inference.engine import Engine


@dataclass(frozen=True)
class HomeVocabulary:
    """The home's words a command may use: its floors, areas and entities (names and aliases), as the
    inventory or MQTT discovery lists them, and the device's own area ("the lights in here").

    Parsers fill `name`, `area` and `floor` slots with the names written here (Home Assistant's
    intent tests write "Kitchen Light", not the words of the sentence)."""

    floors: tuple[Floor, ...] = ()
    areas: tuple[Area, ...] = ()
    entities: tuple[Entity, ...] = ()
    here_area: str | None = None

    @classmethod
    def from_home(cls, home: Home | None, here_area: str | None = None) -> HomeVocabulary:
        if home is None:
            return cls(here_area=here_area)
        return cls(tuple(home.floors()), tuple(home.areas()), tuple(home.entities()), here_area)

    def area_words(self) -> Iterable[str]:
        """Every area name and alias."""
        return (n for a in self.areas for n in (a.name, *a.aliases))


@dataclass(frozen=True)
class ParserContext:
    """What a parser beyond the home's words needs: the device model and the tools it may call (`slm`)."""

    engine: Engine | None = None
    tools: tuple[Tool, ...] = ()
    min_call_probability: float = 0.85
    """[tools] slm_min_call_probability."""


class CommandParser(Protocol):
    @property
    def name(self) -> str:
        """The registry name."""
        ...

    def parse(self, text: str) -> ToolCall | None:
        """The call `text` asks for (slot names and values as Home Assistant's intent tests write them),
        or None when it is not a command (a question, a writing task, small talk)."""
        ...
