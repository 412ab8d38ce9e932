"""The learned command parser's model as settings describe it: found in the model cache, or trained on
first use with progress, like the PII NER and the sensitive-context classifier (`redaction_setup`).

`intent_model_dir(settings)` is what a face calls before it makes a parser chain with the `learned`
stage; `learned_parser(settings, vocabulary)` makes that stage over the home's words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from device.tools.parsers.base import CommandParser, HomeVocabulary
from device.tools.parsers.learned import LearnedParser
from tandem.settings import Settings

log = logging.getLogger(__name__)


def intent_model_dir(settings: Settings) -> Path | None:
    """The built model dir: found, or trained now (first use, with progress). None when
    `tools.learned_model = "off"` or when it cannot be built here ("auto")."""
    from device.tools.parsers.learned import find_intent_model
    from tandem.assembly.runtime import SetupError

    mode = settings.tools.learned_model
    if mode == "off":
        return None
    found = find_intent_model(settings.models_dir)
    if found is not None:
        return found
    try:
        from quantize.intent.build import build_intent
    except ImportError as exc:
        if mode == "build":
            raise SetupError(f"the learned command parser is not built and the build tools are missing ({exc.name}): "
                             "pip install 'tandem[quantize]', or copy a built intent-parser dir into "
                             f"{settings.models_dir}") from exc
        log.warning("no learned command parser and no build tools (%s missing): commands are parsed without it",
                    exc.name)
        return None
    return build_intent(settings.models_dir)


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
