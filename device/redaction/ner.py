"""The learned PERSON / STREET_ADDRESS detector: an int8 MiniLM token classifier in onnxruntime.

`NerModel` runs one built model dir (see `quantize.ner.build`); `find_ner_model` finds the newest
built one in the model cache with the standard library only. Texts longer than the model's window
are read in overlapping windows. Labels are BIO per token; a word takes the label of its first
piece, and spans are grown to whole words, so a name is never half redacted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from device.errors import RedactionError
from device.redaction.detectors import Span
from device.redaction.ner_features import case_ids
from inference.encoder import EncoderLoadError, EncoderUnavailable, load_encoder

log = logging.getLogger(__name__)

MODEL_NAME = "pii-ner"
_WINDOW_OVERLAP = 16


def find_ner_model(models_dir: Path, key: str | None = None) -> Path | None:
    """The newest complete build dir under `<models_dir>/pii-ner/` (or the one named `key`)."""
    base = Path(models_dir) / MODEL_NAME
    if not base.is_dir():
        return None
    dirs = [d for d in base.iterdir() if d.is_dir() and not d.name.endswith(".work")
            and (key is None or d.name == key) and (d / "manifest.json").is_file()]
    return max(dirs, key=lambda d: d.stat().st_mtime) if dirs else None


class NerModel:
    """One loaded model: `spans(text)` yields PERSON and STREET_ADDRESS spans."""

    def __init__(self, model_dir: Path, threads: int = 1) -> None:
        try:
            encoder = load_encoder(model_dir, threads)
        except EncoderUnavailable as exc:
            raise RedactionError("the NER model needs onnxruntime and tokenizers: pip install 'tandem-edge[device]'") from exc
        except EncoderLoadError as exc:
            raise RedactionError(f"cannot load the NER model in {model_dir}: {exc}") from exc
        self.manifest: dict[str, Any] = encoder.manifest
        self.tokenizer, self.session = encoder.tokenizer, encoder.session
        self.labels: list[str] = list(self.manifest["labels"])
        self.window: int = int(self.manifest.get("max_tokens", 128)) - 2
        self.model_dir = model_dir

    def spans(self, text: str) -> Iterator[Span]:
        import numpy as np

        if not text.strip():
            return
        enc = self.tokenizer.encode(text, add_special_tokens=False)
        if not enc.ids:
            return
        offsets, words = enc.offsets, enc.word_ids
        cases = case_ids(text, offsets, words)
        cls_id, sep_id = self.tokenizer.token_to_id("[CLS]"), self.tokenizer.token_to_id("[SEP]")
        labels = [0] * len(enc.ids)
        start = 0
        while True:
            end = min(len(enc.ids), start + self.window)
            ids = np.array([[cls_id, *enc.ids[start:end], sep_id]], dtype=np.int64)
            types = np.array([[0, *cases[start:end], 0]], dtype=np.int64)
            logits = self.session.run(["logits"], {"input_ids": ids, "attention_mask": np.ones_like(ids),
                                                   "token_type_ids": types})[0][0, 1:-1]
            keep_from = 0 if start == 0 else _WINDOW_OVERLAP // 2
            for i, label in enumerate(logits.argmax(-1).tolist()[keep_from:], start=start + keep_from):
                labels[i] = label
            if end == len(enc.ids):
                break
            start = end - _WINDOW_OVERLAP
        yield from self._decode(text, offsets, words, labels)

    def _decode(self, text: str, offsets: list[tuple[int, int]], words: list[int | None],
                labels: list[int]) -> Iterator[Span]:
        # one label per word: that of its first piece
        word_label: dict[int, int] = {}
        word_span: dict[int, list[int]] = {}
        for (s, e), w, label in zip(offsets, words, labels):
            if w is None:
                continue
            if w not in word_label:
                word_label[w], word_span[w] = label, [s, e]
            else:
                word_span[w][1] = e
        current: list[Any] | None = None  # [type, start, end]
        for w in sorted(word_label):
            name = self.labels[word_label[w]]
            s, e = word_span[w]
            if name == "O":
                if current is not None:
                    yield Span(*current)
                current = None
                continue
            tag, kind = name.split("-", 1)
            joins = tag == "I" or (kind == "STREET_ADDRESS" and _only_glue(text[current[2]:s]) if current else False)
            if current is not None and current[0] == kind and joins:
                current[2] = e
                continue
            if current is not None:
                yield Span(*current)
            current = [kind, s, e]
        if current is not None:
            yield Span(*current)


def _only_glue(between: str) -> bool:
    """Two address pieces split by ", " or a line break are one address ("Hauptstr. 5, 10115 Berlin")."""
    return len(between) <= 3 and all(c in " ,\n\t" for c in between)
