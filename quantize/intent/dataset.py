"""Seeded training sentences for the command parser, and their encoding for the joint model.

A set is a mix of Home Assistant's own templates (`ha_templates`), our paraphrases (`paraphrases`)
and hard negatives (`negatives`), over synthetic homes drawn from one vocabulary (`homes.TRAIN` for
training, `homes.HELDOUT` for the generated held-out split, with another seed).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from pathlib import Path

from device.tools.parsers.gazetteer import Gazetteer
from quantize.intent.ha_templates import ha_samples
from quantize.intent.homes import TRAIN, SynthHome, Vocabulary, home
from quantize.intent.labels import Labelled, Span
from quantize.intent.negatives import negative_samples
from quantize.intent.paraphrases import paraphrase_samples

MAX_TOKENS = 64
HOMES = 60
SHARES = {"ha": 0.5, "paraphrase": 0.3, "negative": 0.2}


@dataclass(frozen=True)
class Encoded:
    input_ids: list[int]
    type_ids: list[int]
    """The gazetteer mask per token (`device.tools.parsers.gazetteer`)."""
    cls: int
    tags: list[int]


def gazetteer_of(h: SynthHome) -> Gazetteer:
    return Gazetteer.of([e.name for e in h.entities], h.areas, h.floors)


def samples(n: int, seed: int, vocab: Vocabulary = TRAIN) -> list[Labelled]:
    """`n` labelled sentences (about; a few walks are dropped), shuffled, reproducible from `seed`."""
    return draw(n, seed, vocab)[1]


def draw(n: int, seed: int, vocab: Vocabulary = TRAIN) -> tuple[list[SynthHome], list[Labelled]]:
    """The synthetic homes and the `n` sentences over them (`samples`)."""
    rng = random.Random(seed)
    homes = [home(rng, vocab) for _ in range(HOMES)]
    out = list(ha_samples(rng, homes, int(n * SHARES["ha"])))
    out += paraphrase_samples(rng, homes, int(n * SHARES["paraphrase"]))
    out += negative_samples(rng, homes, int(n * SHARES["negative"]))
    out = [_dress(s, rng) for s in out]
    rng.shuffle(out)
    return homes, out


_PREFIXES = ("please ", "can you ", "could you ", "could you please ", "hey, ", "ok, ", "hey tandem, ", "i want you to ")
_SUFFIXES = (".", "!", " please", " please.", ", thanks", " now", "?")


_FILLERS = ("um ", "uh ", "erm ", "so ", "like ")
_SLIPS = ((" off", " of"), (" off", " of"), (" the ", " teh "), ("please", "pls"), ("turn ", "trun "),
          (" lights", " lites"))


def _edit(text: str, spans: tuple[Span, ...], start: int, end: int, new: str) -> tuple[str, tuple[Span, ...]] | None:
    """`text` with [start, end) replaced by `new`, the spans after it moved; None when a span is cut."""
    if any(sp.start < end and start < sp.end for sp in spans):
        return None
    shift = len(new) - (end - start)
    moved = tuple(replace(sp, start=sp.start + shift, end=sp.end + shift) if sp.start >= end else sp for sp in spans)
    return text[:start] + new + text[end:], moved


def _dress(sample: Labelled, rng: random.Random) -> Labelled:
    """Commands as people type and say them: sometimes a polite opening or closing, a capital, a full stop, a
    filler word ("um") or a slip ("switch of the lamp", "pls")."""
    if sample.intent is None:
        return sample
    text, spans = sample.text, sample.spans
    if rng.random() < 0.06:
        words = [m.start() for m in re.finditer(r"(?<=\s)\S", text)]
        if words:
            at = rng.choice(words)
            text, spans = _edit(text, spans, at, at, rng.choice(_FILLERS)) or (text, spans)
    if rng.random() < 0.1:
        wrong, slip = rng.choice(_SLIPS)
        at = text.casefold().find(wrong)
        if at >= 0 and not text[at + len(wrong):at + len(wrong) + 1].isalpha():
            text, spans = _edit(text, spans, at, at + len(wrong), slip) or (text, spans)
    if rng.random() < 0.15:
        prefix = rng.choice(_PREFIXES)
        text = prefix + text
        spans = tuple(replace(sp, start=sp.start + len(prefix), end=sp.end + len(prefix)) for sp in spans)
    if rng.random() < 0.2:
        text += rng.choice(_SUFFIXES)
    if rng.random() < 0.3 and not any(sp.start == 0 for sp in spans):
        text = text[0].upper() + text[1:]
    return replace(sample, text=text, spans=spans)


def encode(sample: Labelled, tokenizer, classes: dict[str, int], tags: dict[str, int],
           gazetteer: Gazetteer | None = None) -> Encoded:
    """Token ids, gazetteer marks, the class index, and a BIO tag per token (-100 on [CLS]/[SEP]: no loss)."""
    enc = tokenizer.encode(sample.text)
    ids, offsets, words = enc.ids[:MAX_TOKENS], enc.offsets[:MAX_TOKENS], enc.word_ids[:MAX_TOKENS]
    labels: list[int] = []
    prev = None
    for (start, end), word in zip(offsets, words):
        if word is None:
            labels.append(-100)
            prev = None
            continue
        span = next((s for s in sample.spans if start >= s.start and end <= s.end and end > start), None)
        if span is None:
            labels.append(tags["O"])
        else:
            labels.append(tags[f"{'I' if prev == span else 'B'}-{span.slot}"])
        prev = span
    marks = gazetteer.type_ids(sample.text, list(offsets)) if gazetteer is not None else [0] * len(ids)
    return Encoded(list(ids), marks, classes.get(sample.cls, -100), labels)


def load_tokenizer(path: Path):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.no_truncation()
    return tok
