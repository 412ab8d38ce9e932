"""Seeded training samples for the sensitive-context classifier: texts and their category sets.

About half disclose (one category, sometimes two, sometimes after an everyday request, a share in
German or French); the other half are hard negatives on the same subjects (``negatives``), word
problems about invented people (``stories``) and everyday requests (``everyday``). A share
(`written_share`) is drawn instead from the hand-written training requests (``written``), which keep
their own balance. The same noise (contractions, lower case, typos, no final stop) goes on all of
them, so it tells the model nothing about the label.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from device.redaction.gloss import gloss
from device.redaction.jargon import explain
from device.redaction.sensitive import CATEGORIES
from quantize.sensitive import everyday, frames, languages, negatives, stories, written
from quantize.sensitive.circumstances import CIRCUMSTANCES
from quantize.sensitive.compose import noise, subject
from quantize.sensitive.lexicon import SPECIAL, Lexicon

MAX_TOKENS = 128
LEXICONS: dict[str, Lexicon] = {c: {**SPECIAL, **CIRCUMSTANCES}[c] for c in CATEGORIES}


@dataclass(frozen=True)
class Example:
    text: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Encoded:
    input_ids: list[int]
    labels: list[float]


def samples(n: int, seed: int, *, positive_share: float = 0.5, foreign_share: float = 0.14,
            written_share: float = 0.0, explain_share: float = 0.0, gloss_share: float = 0.0) -> list[Example]:
    """`n` examples from `seed`; `foreign_share` of each generated half is German or French,
    `written_share` of all of them are hand-written requests instead of generated ones, and
    `explain_share` of those holding a known term are read as the device's jargon view reads them
    (`device.redaction.jargon`), so the model learns to read that view: an explained disclosure is
    still one, and an explained knowledge question still is not. `gloss_share` of the German and French
    ones are read as the device's English gloss of them (`device.redaction.gloss`), the view that
    scores them at run time beside the text as written."""
    rng = random.Random(seed)
    ner_sentences = everyday.NerSentences(seed)
    pool = written.written() if written_share > 0 else ()
    out: list[Example] = []
    for _ in range(n):
        if pool and rng.random() < written_share:
            text, categories = pool[rng.randrange(len(pool))]
            example = Example(text, categories)
        elif rng.random() < positive_share:
            example = _positive(rng, ner_sentences, foreign_share)
        else:
            example = _negative(rng, ner_sentences, foreign_share)
        if explain_share and rng.random() < explain_share:
            explained = explain(example.text)
            if explained is not None:
                example = Example(explained, example.categories)
        if gloss_share and rng.random() < gloss_share:
            glossed = gloss(example.text)
            if glossed is not None:
                example = Example(glossed, example.categories)
        out.append(Example(noise(example.text, rng), example.categories))
    return out


def _positive(rng: random.Random, ner_sentences: everyday.NerSentences, foreign_share: float) -> Example:
    category = CATEGORIES[rng.randrange(len(CATEGORIES))]
    if rng.random() < foreign_share:
        return Example(languages.disclosure(rng.choice(("de", "fr")), category, rng), (category,))
    roll = rng.random()
    subj = subject(rng)
    if roll < 0.1:
        other = rng.choice([c for c in CATEGORIES if c != category])
        text = frames.two_disclosures(LEXICONS[category], LEXICONS[other], subj, rng)
        return Example(text, tuple(c for c in CATEGORIES if c in (category, other)))
    text = frames.disclosure(LEXICONS[category], subj, rng)
    if roll < 0.22:  # an everyday request around it
        chore = _everyday(rng, ner_sentences)
        text = _joined(text, chore, rng)
    return Example(text, (category,))


def _negative(rng: random.Random, ner_sentences: everyday.NerSentences, foreign_share: float) -> Example:
    if rng.random() < foreign_share:
        language = rng.choice(("de", "fr"))
        pick = languages.topical if rng.random() < 0.5 else languages.everyday
        return Example(pick(language, rng), ())
    roll = rng.random()
    if roll < 0.12:  # a word problem about invented people: a story with numbers, not a disclosure
        return Example(stories.word_problem(rng), ())
    if roll < 0.56:
        category = CATEGORIES[rng.randrange(len(CATEGORIES))]
        text = negatives.topical(LEXICONS[category], rng)
    else:
        text = _everyday(rng, ner_sentences)
    if rng.random() < 0.2:  # two jobs in one request, joined as disclosures are joined to a chore
        text = _joined(text, _everyday(rng, ner_sentences), rng)
    return Example(text, ())


_JOINS = (" ", " ", " Also: ", " Also, ", " Then ", " And ", " Oh and ", "; ")


def _joined(text: str, chore: str, rng: random.Random) -> str:
    """`text` and an everyday `chore` as one request, either first, with the same joins for disclosures
    and for everything else, so a join says nothing about the label."""
    first, second = (chore, text) if rng.random() < 0.5 else (text, chore)
    join = rng.choice(_JOINS)
    if join.strip() in ("Then", "And", "Oh and", "Also,") and second[:1].isupper() and not second.startswith("<"):
        second = second[0].lower() + second[1:] if not second.startswith("I ") else second
    return f"{first.rstrip()}{join}{second}"


def _everyday(rng: random.Random, ner_sentences: everyday.NerSentences) -> str:
    roll = rng.random()
    if roll < 0.45:
        return everyday.assembled(rng)
    if roll < 0.7:
        return everyday.lookalike(rng)
    return ner_sentences(rng)


def encode(example: Example, tokenizer) -> Encoded:
    ids = tokenizer.encode(example.text).ids
    if len(ids) > MAX_TOKENS:  # keep the closing [SEP]
        ids = ids[:MAX_TOKENS - 1] + ids[-1:]
    return Encoded(list(ids), [1.0 if c in example.categories else 0.0 for c in CATEGORIES])


def load_tokenizer(path: Path):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.no_truncation()
    return tok
