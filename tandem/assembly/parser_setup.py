"""The learned command parser's model as settings describe it: found in the model cache, or trained on
first use with progress, like the PII NER and the sensitive-context classifier (`redaction_setup`).

`intent_model_dir(settings)` is what a face calls before it makes a parser chain with the `learned`
stage; `learned_parser(settings, vocabulary)` makes that stage over the home's words.
"""

from __future__ import annotations

import logging
from pathlib import Path

from device.tools.parsers.base import HomeVocabulary
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
