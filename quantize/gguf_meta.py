"""What the pipeline needs from a GGUF header: vocabulary, token types and special ids.

The GGUF is the ground truth for tokenization: transformers' conversion loses some of it (added tokens,
``add_bos_token``, the chat eos), so :mod:`quantize.tokenizer_fix` repairs the converted tokenizer
from these values and :mod:`quantize.parity` compares against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

# llama.cpp's llama_token_type values as stored in tokenizer.ggml.token_type.
TOKEN_NORMAL = 1
TOKEN_UNKNOWN = 2
TOKEN_CONTROL = 3
TOKEN_USER_DEFINED = 4
TOKEN_UNUSED = 5
TOKEN_BYTE = 6


@dataclass(frozen=True)
class GGUFMeta:
    architecture: str
    tokenizer_model: str
    pre_tokenizer: str | None
    tokens: tuple[str, ...]
    token_types: tuple[int, ...]
    merges: tuple[str, ...]
    bos_token_id: int | None
    eos_token_id: int | None
    eot_token_id: int | None
    pad_token_id: int | None
    unk_token_id: int | None
    add_bos_token: bool
    add_eos_token: bool
    chat_template: str | None
    context_length: int | None
    #: SentencePiece piece scores, read only for SPM vocabularies without merges (Gemma 3)
    scores: tuple[float, ...] = ()

    def added_tokens(self) -> list[tuple[int, str, bool]]:
        """``(id, content, special)`` for every control or user-defined token."""
        return [
            (i, tok, typ == TOKEN_CONTROL)
            for i, (tok, typ) in enumerate(zip(self.tokens, self.token_types))
            if typ in (TOKEN_CONTROL, TOKEN_USER_DEFINED)
        ]


def read_gguf_meta(path: Path) -> GGUFMeta:
    from gguf import GGUFReader  # heavy-ish: only when building

    reader = GGUFReader(str(path))
    fields = reader.fields

    def get(key: str, default: Any = None) -> Any:
        field = fields.get(key)
        return default if field is None else field.contents()

    arch = str(get("general.architecture"))
    tokens = tuple(str(t) for t in get("tokenizer.ggml.tokens", []))
    types_raw = get("tokenizer.ggml.token_type", None)
    types = tuple(int(t) for t in types_raw) if types_raw is not None else (TOKEN_NORMAL,) * len(tokens)
    tok_model = str(get("tokenizer.ggml.model", ""))

    def opt_int(key: str) -> int | None:
        value = get(key)
        return None if value is None else int(value)

    # llama.cpp defaults: SentencePiece ("llama") vocabularies add BOS, BPE ("gpt2") ones do not.
    add_bos = get("tokenizer.ggml.add_bos_token", tok_model == "llama")
    ctx = get(f"{arch}.context_length")
    merges = tuple(str(m) for m in get("tokenizer.ggml.merges", []))
    scores: tuple[float, ...] = ()
    if tok_model == "llama" and not merges and "tokenizer.ggml.scores" in fields:
        scores = tuple(float(x) for x in get("tokenizer.ggml.scores"))
    return GGUFMeta(
        architecture=arch,
        tokenizer_model=tok_model,
        pre_tokenizer=None if get("tokenizer.ggml.pre") is None else str(get("tokenizer.ggml.pre")),
        tokens=tokens,
        token_types=types,
        merges=merges,
        bos_token_id=opt_int("tokenizer.ggml.bos_token_id"),
        eos_token_id=opt_int("tokenizer.ggml.eos_token_id"),
        eot_token_id=opt_int("tokenizer.ggml.eot_token_id"),
        pad_token_id=opt_int("tokenizer.ggml.padding_token_id"),
        unk_token_id=opt_int("tokenizer.ggml.unknown_token_id"),
        add_bos_token=bool(add_bos),
        add_eos_token=bool(get("tokenizer.ggml.add_eos_token", False)),
        chat_template=None if get("tokenizer.chat_template") is None else str(get("tokenizer.chat_template")),
        context_length=None if ctx is None else int(ctx),
        scores=scores,
    )
