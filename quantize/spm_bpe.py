"""Rebuild a SentencePiece-BPE tokenizer (Gemma 3) from a GGUF vocabulary and scores.

transformers' GGUF conversion turns Gemma 3's vocabulary into a Unigram model that splits words
llama.cpp keeps whole ("Hello, world!" -> 7 tokens instead of 5; FACTS.md). llama.cpp's SPM tokenizer
merges, over the whole text with spaces as ``▁``, the adjacent pair whose merged piece has the highest
score, falling back to ``<0xNN>`` byte tokens. The equivalent ``tokenizers`` BPE: merges derived from
the vocabulary (every split of a piece into two pieces of the vocabulary), ranked by the merged piece's
score, with ``byte_fallback``. Used when the GGUF says ``tokenizer.ggml.model = llama`` and has no merges.
"""

from __future__ import annotations

from typing import Any

TOKEN_NORMAL = 1
TOKEN_BYTE = 6


def needs_rebuild(meta: Any) -> bool:
    """An SPM vocabulary without merges: transformers converts it to a Unigram model that is wrong."""
    return bool(meta.tokenizer_model == "llama" and not meta.merges and meta.scores)


def derive_merges(
    tokens: tuple[str, ...], types: tuple[int, ...], scores: tuple[float, ...]
) -> list[tuple[str, str]]:
    vocab = {t: i for i, t in enumerate(tokens) if types[i] == TOKEN_NORMAL}
    ranked: list[tuple[float, int, str, str]] = []
    for piece, idx in vocab.items():
        for k in range(1, len(piece)):
            left, right = piece[:k], piece[k:]
            if left in vocab and right in vocab:
                ranked.append((-scores[idx], idx, left, right))
    ranked.sort()
    return [(left, right) for _, _, left, right in ranked]


def rebuild_spm_bpe(meta: Any) -> Any:
    """A ``tokenizers.Tokenizer`` that splits text the way llama.cpp's SPM tokenizer does."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers

    vocab = {t: i for i, t in enumerate(meta.tokens)}
    merges = derive_merges(meta.tokens, meta.token_types, meta.scores)
    unk = meta.tokens[meta.unk_token_id] if meta.unk_token_id is not None else None
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token=unk, byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Replace(" ", "▁")
    tok.decoder = decoders.Sequence(
        [decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse()]
    )
    tok.add_special_tokens(
        [AddedToken(c, special=s, normalized=False) for _, c, s in meta.added_tokens() if s]
    )
    tok.add_tokens([AddedToken(c, special=False, normalized=False) for _, c, s in meta.added_tokens() if not s])
    return tok
