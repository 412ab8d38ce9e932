"""Command parsers by name (`[tools] parser` in config).

    rules   anchored patterns of everyday phrasings (`device.tools.parsers.rules`)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from device.errors import CollabConfigError
from device.tools.parsers.base import CommandParser


def _rules(areas: Iterable[str]) -> CommandParser:
    from device.tools.parsers.rules import RulesParser

    return RulesParser(areas=tuple(areas))


PARSERS: dict[str, Callable[[Iterable[str]], CommandParser]] = {"rules": _rules}


def make_parser(name: str, areas: Iterable[str] = ()) -> CommandParser:
    """The parser `name`; `areas`: the home's area names and aliases."""
    try:
        factory = PARSERS[name]
    except KeyError:
        raise CollabConfigError(f"unknown command parser {name!r}: set [tools] parser to one of "
                                f"{', '.join(sorted(PARSERS))}") from None
    return factory(areas)


__all__ = ["PARSERS", "CommandParser", "make_parser"]
