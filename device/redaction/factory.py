"""Build the device's redactor from settings: rules + the NER model, loaded on first use.

`LazyNer` finds the model in the model cache the first time a text is redacted (loading costs
~100 ms, and `tandem --help` or a PII-free CLI call should not pay it). When no model is built,
redaction falls back to rules for names and addresses and says so once: a warning in the log and
`notice` for the CLI/TUI to show. With `build` given (the `ner = "build"` setting) the model is
built on first use instead, with progress, like the LLMs.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from device.redaction.detectors import Span
from device.redaction.ner import NerModel, find_ner_model
from device.redaction.policy import RedactionPolicy
from device.redaction.rules import RuleRedactor

log = logging.getLogger(__name__)

FALLBACK_NOTICE = ("the PII name/address model is not built: names and street addresses are found by rules "
                   "only (less reliable); build it with `tandem model train-ner`")


class LazyNer:
    """A `SpanModel` that loads the built NER model on first use, or falls back to nothing."""

    def __init__(self, models_dir: Path, *, threads: int = 1,
                 build: Callable[[Path], Path] | None = None, model_dir: Path | None = None) -> None:
        self.models_dir = Path(models_dir)
        self.threads = threads
        self._build = build
        self._model_dir = model_dir
        self._model: NerModel | None = None
        self._tried = False
        self._lock = threading.Lock()
        self.notice: str | None = None

    def _load(self) -> NerModel | None:
        with self._lock:
            if not self._tried:
                self._tried = True
                found = self._model_dir or find_ner_model(self.models_dir)
                if found is None and self._build is not None:
                    found = self._build(self.models_dir)
                if found is None:
                    self.notice = FALLBACK_NOTICE
                    log.warning("%s", FALLBACK_NOTICE)
                else:
                    self._model = NerModel(found, threads=self.threads)
                    log.info("loaded NER model %s", found.name)
            return self._model

    @property
    def loaded(self) -> NerModel | None:
        return self._load()

    def spans(self, text: str) -> Iterator[Span]:
        model = self._load()
        if model is not None:
            yield from model.spans(text)


def locale_region(environ: Mapping[str, str] | None = None) -> str | None:
    """The country of the locale ("de_CH.UTF-8" -> "CH"), from LC_ALL, LC_CTYPE or LANG; None for
    "C", "POSIX" or a locale without a country."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = env.get(name)
        if value:
            m = re.match(r"[a-z]{2,3}[_-]([A-Za-z]{2})(?![A-Za-z])", value)
            return m.group(1).upper() if m else None
    return None


def make_redactor(models_dir: Path, *, ner: str = "auto", actions: Mapping[str, str] | None = None,
                  threads: int = 1, build: Callable[[Path], Path] | None = None,
                  model_dir: Path | None = None, region: str | None = None) -> RuleRedactor:
    """The redactor for `ner` = "auto" (model if built), "build" (build on first use) or "off";
    `model_dir`: the model to load (else the newest built one under `models_dir`); phones are read in
    `region`'s national formats first (None: the locale's country, `locale_region`)."""
    if ner not in ("auto", "build", "off"):
        raise ValueError(f"ner must be auto, build or off, got {ner!r}")
    policy = RedactionPolicy(dict(actions or {}))
    model = None if ner == "off" else LazyNer(models_dir, threads=threads, build=build if ner == "build" else None,
                                              model_dir=model_dir)
    return RuleRedactor(types=policy.redacted_types(), ner=model, region=region or locale_region())
