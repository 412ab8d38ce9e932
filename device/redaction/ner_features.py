"""Case features for the uncased NER encoder, shared by training and the device.

The MiniLM tokenizer lower-cases everything, yet "Will" vs "will" and "Keller" vs "keller" is
much of what tells a name from a word. Each token gets a case id of the word it belongs to, fed
through BERT's token-type embedding (widened from 2 to `CASE_VOCAB` rows before training), so the
graph stays a plain BERT and no extra input is needed.
"""

from __future__ import annotations

from collections.abc import Sequence

CASE_VOCAB = 5
SPECIAL, LOWER, TITLE, UPPER, DIGIT = range(CASE_VOCAB)


def word_case(word: str) -> int:
    """LOWER, TITLE ("Keller"), UPPER ("API", two letters or more) or DIGIT; LOWER for punctuation."""
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return DIGIT if any(c.isdigit() for c in word) else LOWER
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return UPPER
    return TITLE if letters[0].isupper() else LOWER


def case_ids(text: str, offsets: Sequence[tuple[int, int]], word_ids: Sequence[int | None]) -> list[int]:
    """One case id per token; sub-word pieces take the id of their whole word."""
    word_span: dict[int, tuple[int, int]] = {}
    for (start, end), word in zip(offsets, word_ids):
        if word is not None:
            first = word_span.get(word, (start, end))
            word_span[word] = (min(first[0], start), max(first[1], end))
    cases = {w: word_case(text[s:e]) for w, (s, e) in word_span.items()}
    return [SPECIAL if w is None else cases[w] for w in word_ids]
