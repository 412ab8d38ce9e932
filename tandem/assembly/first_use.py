"""A model every face relies on, found in the model cache or built on first use (with progress).

`found_or_built` is the one policy behind the PII NER model, the sensitive-context classifier and the
learned command parser: `mode` "off" means none; a built dir is used; otherwise the build tools (the
quantize extra) train it now. Without them, "build" is an error that says how to get the model and
"auto" goes on without it after one warning that says what that costs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FirstUseModel:
    the: str
    """How an error names it ("the PII NER model")."""
    noun: str
    """How the warning names it ("PII NER model")."""
    dir_name: str
    """Its folder under the models dir ("pii-ner")."""
    without: str
    """What the device does without it ("every step stays on the device")."""


def found_or_built(models_dir: Path, mode: str, model: FirstUseModel, find: Callable[[Path], Path | None],
                   builder: Callable[[], Callable[[Path], Path]]) -> Path | None:
    """The model's dir per `mode` ("off", "auto", "build"); `builder()` imports the build function (it raises
    ImportError when the build tools are not installed)."""
    from tandem.assembly.runtime import SetupError

    if mode == "off":
        return None
    found = find(models_dir)
    if found is not None:
        return found
    try:
        build = builder()
    except ImportError as exc:
        if mode == "build":
            raise SetupError(f"{model.the} is not built and the build tools are missing ({exc.name}): "
                             f"pip install 'tandem-edge[quantize]', or copy a built {model.dir_name} dir into "
                             f"{models_dir}") from exc
        log.warning("no %s and no build tools (%s missing): %s", model.noun, exc.name, model.without)
        return None
    return build(models_dir)
