"""The learned command parser's model as settings describe it: found in the model cache, or trained on
first use with progress, like the PII NER and the sensitive-context classifier (`redaction_setup`).

`intent_model_dir(settings)` is what a face calls before it makes a parser chain with the `learned`
stage; `learned_parser(settings, vocabulary)` makes that stage over the home's words.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from device.tools.parsers.base import CommandParser, HomeVocabulary
from device.tools.parsers.learned import LearnedParser
from tandem.assembly.first_use import FirstUseModel, found_or_built
from tandem.settings import Settings

_INTENT = FirstUseModel("the learned command parser", "learned command parser", "intent-parser",
                        "commands are parsed without it")


def intent_model_dir(settings: Settings) -> Path | None:
    """The built model dir: found, or trained now (first use, with progress). None when
    `tools.learned_model = "off"` or when it cannot be built here ("auto")."""
    from device.tools.parsers.learned import find_intent_model

    def builder() -> Callable[[Path], Path]:
        from quantize.intent.build import build_intent

        return build_intent

    return found_or_built(settings.models_dir, settings.tools.learned_model, _INTENT, find_intent_model, builder)


def learned_parser(settings: Settings, vocabulary: HomeVocabulary) -> LearnedParser | None:
    """The `learned` stage over `vocabulary` (None when its model is off or cannot be built here)."""
    found = intent_model_dir(settings)
    return None if found is None else LearnedParser(vocabulary, model_dir=found)


def parser_factories(settings: Settings) -> dict[str, Callable[[HomeVocabulary], CommandParser]]:
    """The parser registry with the `learned` stage made as settings say (its model found in
    `settings.models_dir`, or built now, once); a stage whose model is off raises `ParserModelMissing`,
    so a cascade leaves it out with a warning."""
    from device.errors import ParserModelMissing
    from device.tools.parsers import PARSERS

    found: list[Path | None] = []

    def learned(vocabulary: HomeVocabulary) -> CommandParser:
        if not found:
            found.append(intent_model_dir(settings))
        if found[0] is None:
            raise ParserModelMissing("the learned command parser is off or not built here "
                                     "(`tandem model train-intent`, [tools] learned_model)")
        return LearnedParser(vocabulary, model_dir=found[0])

    return {**PARSERS, "learned": learned}


def command_parser(settings: Settings, vocabulary: HomeVocabulary, name: str | None = None,
                   known: frozenset[str] | None = None) -> CommandParser:
    """The parser `name` (default `[tools] parser`) over `vocabulary`: for `cascade`, `[tools] stages` with
    `[tools] min_confidence`, answering only with the tools in `known`."""
    from device.tools.parsers.cascade import make_cascade

    factories = parser_factories(settings)
    name = name or settings.tools.parser
    if name == "cascade":
        return make_cascade(vocabulary, settings.tools.stages, settings.tools.min_confidence, factories, known=known)
    if name not in factories:
        from device.errors import CollabConfigError

        raise CollabConfigError(f"unknown command parser {name!r}: use one of {', '.join(sorted(factories))}")
    return factories[name](vocabulary)
