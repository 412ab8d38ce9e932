"""Command parsers by name (`[tools] parser` in config).

    rules   anchored patterns of everyday phrasings (`device.tools.parsers.rules`)
    hassil  Home Assistant's sentence templates, matched exactly (`device.tools.parsers.hassil_parser`)
    learned a joint intent + slot-tagging MiniLM (`device.tools.parsers.learned`; `tandem model train-intent`)
    cascade the stages in order, the first sure answer wins (`device.tools.parsers.cascade`)
    slm     the device model under a grammar of the tools' schemas (`device.tools.parsers.slm`);
            needs a `ParserContext` (the engine and the tools): registered in CONTEXT_PARSERS
"""

from __future__ import annotations

from collections.abc import Callable

from device.errors import CollabConfigError
from device.tools.parsers.base import CommandParser, HomeVocabulary, ParserContext


def _rules(vocabulary: HomeVocabulary) -> CommandParser:
    from device.tools.parsers.rules import RulesParser

    return RulesParser(areas=tuple(vocabulary.area_words()), vocabulary=vocabulary)


def _hassil(vocabulary: HomeVocabulary) -> CommandParser:
    from device.tools.parsers.hassil_parser import HassilParser

    return HassilParser(vocabulary)


def _cascade(vocabulary: HomeVocabulary) -> CommandParser:
    from device.tools.parsers.cascade import DEFAULT_STAGES, make_cascade

    return make_cascade(vocabulary, [s for s in DEFAULT_STAGES if s in PARSERS])


def _learned(vocabulary: HomeVocabulary) -> CommandParser:
    from device.tools.parsers.learned import LearnedParser

    return LearnedParser(vocabulary)


PARSERS: dict[str, Callable[[HomeVocabulary], CommandParser]] = {"rules": _rules, "hassil": _hassil, "learned": _learned,
                                                               "cascade": _cascade}


def _slm(vocabulary: HomeVocabulary, context: ParserContext) -> CommandParser:
    from device.tools.parsers.slm import SlmParser

    if context.engine is None:
        raise CollabConfigError("the slm parser needs the device model: pass ParserContext(engine=...)")
    return SlmParser(vocabulary, context.engine, context.tools, min_call_probability=context.min_call_probability)


CONTEXT_PARSERS: dict[str, Callable[[HomeVocabulary, ParserContext], CommandParser]] = {"slm": _slm}
"""Parsers that need more than the home's words (a model, the tools)."""


def make_parser(name: str, vocabulary: HomeVocabulary | None = None,
                context: ParserContext | None = None) -> CommandParser:
    """The parser `name` over the home's words (`vocabulary`; none: a device without a home); `context`
    gives the parsers of CONTEXT_PARSERS their model and tools."""
    if name in CONTEXT_PARSERS:
        return CONTEXT_PARSERS[name](vocabulary or HomeVocabulary(), context or ParserContext())
    try:
        factory = PARSERS[name]
    except KeyError:
        raise CollabConfigError(f"unknown command parser {name!r}: set [tools] parser to one of "
                                f"{', '.join(sorted([*PARSERS, *CONTEXT_PARSERS]))}") from None
    return factory(vocabulary or HomeVocabulary())


__all__ = ["CONTEXT_PARSERS", "PARSERS", "CommandParser", "HomeVocabulary", "ParserContext", "make_parser"]
