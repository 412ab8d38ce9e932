"""Seeded training samples and their token-level BIO labels.

Each sample is a rendered template, sometimes two joined, sometimes entirely lower-cased (people
type "remind anna keller"); labels are BIO over PERSON and STREET_ADDRESS only. Structured PII in
the text is labelled O: the rules find it, the model only has to not mistake it for a name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from device.redaction.ner_features import case_ids
from quantize.ner.fakes import TRAIN_LOCALES, Fakes, lang
from quantize.ner.grammar import sentence
from quantize.ner.render import Sample, join, render
from quantize.ner.train_templates import WITH_PII, WITHOUT_PII

ENTITY_TYPES: tuple[str, ...] = ("PERSON", "STREET_ADDRESS")
LABELS: tuple[str, ...] = ("O",) + tuple(f"{p}-{t}" for t in ENTITY_TYPES for p in ("B", "I"))
MAX_TOKENS = 128
_GLUES = (" ", ". ", "\n", " Also, ", "; ", ". Then ", " and ")


@dataclass(frozen=True)
class Encoded:
    input_ids: list[int]
    case_ids: list[int]
    labels: list[int]


def samples(n: int, seed: int, locales: tuple[str, ...] = TRAIN_LOCALES) -> list[Sample]:
    rng = random.Random(seed)
    fakes = Fakes(seed, locales)
    out: list[Sample] = []

    def one(locale: str) -> Sample:
        if rng.random() < 0.55:
            return render(sentence(rng, lang(locale)), fakes, locale)
        pool = WITH_PII if rng.random() < 0.72 else WITHOUT_PII
        return render(pool[rng.randrange(len(pool))], fakes, locale)

    for _ in range(n):
        locale = locales[rng.randrange(len(locales))]
        sample = one(locale)
        if rng.random() < 0.25:
            sample = join(sample, one(locale), _GLUES[rng.randrange(len(_GLUES))])
        if rng.random() < 0.1 and len(sample.text.lower()) == len(sample.text):
            sample = Sample(sample.text.lower(), sample.spans, sample.locale, sample.point)
        out.append(sample)
    return out


def encode(sample: Sample, tokenizer) -> Encoded:
    enc = tokenizer.encode(sample.text)
    ids, offsets, words = enc.ids[:MAX_TOKENS], enc.offsets[:MAX_TOKENS], enc.word_ids[:MAX_TOKENS]
    if ids[-1] != enc.ids[-1]:  # truncated: keep the closing [SEP]
        ids, offsets, words = ids[:-1] + [enc.ids[-1]], offsets[:-1] + [(0, 0)], words[:-1] + [None]
    spans = [(t, s, e) for t, s, e in sample.spans if t in ENTITY_TYPES]
    labels: list[int] = []
    prev_span = -1
    for (start, end), word in zip(offsets, words):
        if word is None:
            labels.append(-100)  # [CLS], [SEP]: no loss
            continue
        label, inside = 0, -1
        for k, (kind, s, e) in enumerate(spans):
            if start >= s and end <= e:
                inside = k
                label = LABELS.index(f"{'I' if k == prev_span else 'B'}-{kind}")
                break
        prev_span = inside
        labels.append(label)
    return Encoded(list(ids), case_ids(sample.text, offsets, words), labels)


def load_tokenizer(path: Path):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.no_truncation()
    return tok
