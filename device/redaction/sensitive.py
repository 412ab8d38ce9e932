"""Sensitive context: which categories of special personal data a request discloses.

PII redaction hides who and where; "My HIV test came back positive" holds neither, yet it tells the
pool something about the device's owner. `SensitiveClassifier` runs a small int8 MiniLM multi-label
classifier (built by ``tandem model train-sensitive``, see ``quantize.sensitive``) with onnxruntime,
or the average of several (an ensemble of seeds, listed in the manifest's ``onnx_files``):
`classify(text)` returns the categories whose score is over its calibrated threshold, in the fixed
order of `CATEGORIES`, and `scores(text)` every score.

The rule it was trained on (and the held-out set ``harness/eval/data/sensitive_heldout.jsonl``
follows): a request is tagged with a category when it states or presupposes a fact of that kind
about the user or a specific private person the user knows: family, partner, friends, colleagues,
neighbours, and people in the user's care or charge (patients, clients, tenants); a redacted name
(``<PERSON_1>``) always counts as such a person. It is not tagged for knowledge questions on the
same subjects, questions about rights that state no fact ("Can an employer ask about my religion?"),
hypotheticals about nobody in particular, public figures, fiction, professional questions ("I'm an
immigration lawyer, summarise ...") or everyday requests with words that look sensitive.
``finances`` is financial distress (debts, arrears, bankruptcy, benefits), not everyday money.

The device classifies the redacted text (placeholders in it) and, where it has it, the text as the
user wrote it, and a category's score is its highest over both: the redactor can swallow the very
words that disclose ("seit Jahren Depressionen" read as a name, "Yom Kippur" as a person), and the
classifier runs on the device, so reading the user's own words sends nothing anywhere. `tandem redact
--jsonl` does the same with each input line. Texts longer than the model's window are read in
overlapping windows; a category's score is its highest over the windows, so a disclosure at the end
of a long request is not averaged away. A German or French view also gets an English word-by-word
gloss as one more view (`device.redaction.gloss`): the encoder's vocabulary is English. A view that
holds specialist terms ("MARAC", "Duldung", "IVA") gets one more with their plain-English
explanations inserted (`device.redaction.jargon`): the encoder is too small to know them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from device.errors import SensitiveModelMissing
from device.redaction.gloss import gloss
from device.redaction.jargon import explain
from inference.encoder import EncoderLoadError, EncoderUnavailable, load_encoder

log = logging.getLogger(__name__)

MODEL_NAME = "sensitive-context"
#: The categories, in the order the model's outputs and `classify` results use.
CATEGORIES: tuple[str, ...] = (
    "health", "sex_life", "sexual_orientation", "gender_identity", "religion", "political_opinion", "ethnicity",
    "immigration", "criminal_record", "finances", "trade_union", "genetic", "domestic_violence",
)
BUILD_HINT = "build it with `tandem model train-sensitive` (about 7 minutes on 2 cores; needs the quantize extra)"
_STRIDE_OVERLAP = 32


def find_built(models_dir: Path, key: str | None = None) -> Path | None:
    """The newest complete build dir under ``<models_dir>/sensitive-context/`` (or the one named `key`)."""
    base = Path(models_dir) / MODEL_NAME
    if not base.is_dir():
        return None
    dirs = [d for d in base.iterdir() if d.is_dir() and not d.name.endswith(".work")
            and (key is None or d.name == key) and (d / "manifest.json").is_file()]
    return max(dirs, key=lambda d: d.stat().st_mtime) if dirs else None


class SensitiveClassifier:
    """One loaded model dir: `classify(text)` and `scores(text)`."""

    def __init__(self, model_dir: Path, threads: int = 1) -> None:
        model_dir = Path(model_dir)
        try:
            encoder = load_encoder(model_dir, threads)
        except EncoderUnavailable as exc:
            raise SensitiveModelMissing(
                "the sensitive-context classifier needs onnxruntime and tokenizers: pip install 'tandem-edge[device]'") from exc
        except EncoderLoadError as exc:
            raise SensitiveModelMissing(f"cannot load the sensitive-context model in {model_dir}: {exc}; "
                                        f"rebuild it: {BUILD_HINT} --force") from exc
        self.manifest: dict[str, Any] = encoder.manifest
        self.tokenizer, self.sessions = encoder.tokenizer, encoder.sessions
        try:
            self.categories: tuple[str, ...] = tuple(self.manifest["categories"])
            thresholds = self.manifest["thresholds"]
            self.thresholds: tuple[float, ...] = tuple(float(thresholds[c]) for c in self.categories)
        except (ValueError, KeyError, TypeError) as exc:
            raise SensitiveModelMissing(f"cannot load the sensitive-context model in {model_dir}: {exc}; "
                                        f"rebuild it: {BUILD_HINT} --force") from exc
        if set(self.categories) != set(CATEGORIES):
            raise SensitiveModelMissing(f"the sensitive-context model in {model_dir} has categories "
                                        f"{list(self.categories)}, this device expects {list(CATEGORIES)}; {BUILD_HINT}")
        self.window: int = int(self.manifest.get("max_tokens", 128)) - 2
        self.model_dir = model_dir

    def scores(self, text: str, *also: str) -> dict[str, float]:
        """Every category's probability (sigmoid of its logit, averaged over the ensemble's members),
        highest over the windows of `text` and of each of `also` (other views of the same request: the
        user's own words beside the redacted ones), of the English gloss of any of them that is
        German or French, and of any of those with its jargon explained (`device.redaction.jargon`)."""
        import numpy as np

        best = np.zeros(len(self.categories), dtype=np.float32)
        views = dict.fromkeys((text, *also))  # the same text twice is read once
        views.update(dict.fromkeys(g for g in map(gloss, list(views)) if g is not None))
        views.update(dict.fromkeys(e for e in map(explain, list(views)) if e is not None))
        for ids in (w for view in views for w in self._windows(view)):
            batch = np.array([ids], dtype=np.int64)
            feed = {"input_ids": batch, "attention_mask": np.ones_like(batch)}
            probs = [1.0 / (1.0 + np.exp(-session.run(["logits"], feed)[0][0])) for session in self.sessions]
            best = np.maximum(best, np.mean(probs, axis=0))
        by_name = dict(zip(self.categories, best.tolist()))
        return {c: round(by_name[c], 4) for c in CATEGORIES}

    def classify(self, text: str, *also: str) -> tuple[str, ...]:
        """The categories `text` (or any of `also`) discloses (over their thresholds), in `CATEGORIES` order."""
        scores = self.scores(text, *also)
        limits = dict(zip(self.categories, self.thresholds))
        return tuple(c for c in CATEGORIES if scores[c] >= limits[c])

    def _windows(self, text: str) -> Iterator[list[int]]:
        cls_id, sep_id = self.tokenizer.token_to_id("[CLS]"), self.tokenizer.token_to_id("[SEP]")
        ids = self.tokenizer.encode(text, add_special_tokens=False).ids if text.strip() else []
        overlap = min(_STRIDE_OVERLAP, self.window // 2)  # each window moves on by at least half its length
        start = 0
        while True:
            end = min(len(ids), start + self.window)
            yield [cls_id, *ids[start:end], sep_id]
            if end >= len(ids):
                return
            start = end - overlap


def load_classifier(models_dir: Path, threads: int = 1) -> SensitiveClassifier:
    """The built classifier in the model cache, or `SensitiveModelMissing` saying how to build it."""
    found = find_built(models_dir)
    if found is None:
        raise SensitiveModelMissing(f"the sensitive-context classifier is not built in {models_dir}: {BUILD_HINT}")
    log.info("loaded sensitive-context model %s", found.name)
    return SensitiveClassifier(found, threads=threads)
