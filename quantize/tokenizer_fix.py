"""Repair the tokenizer that transformers converts from a GGUF.

transformers' GGUF conversion gets three things wrong on the models tandem ships (FACTS.md):

* it registers only some of the control / user-defined tokens (Qwen: 3 of 22), so ``<|fim_prefix|>``
  or ``<tool_call>`` are split into BPE pieces;
* it adds a BOS on every encode although the GGUF says ``add_bos_token = false`` (SmolLM2 even uses
  ``<|im_start|>`` as that BOS);
* its eos is not the chat stop (SmolLM2: ``<|im_start|>``; Qwen: ``<|endoftext|>``, not ``<|im_end|>``).

The GGUF header is the ground truth, so every fix below is derived from it, never hard-coded per model.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from quantize.gguf_meta import GGUFMeta

logger = logging.getLogger(__name__)

CHATML_START = "<|im_start|>"
CHATML_END = "<|im_end|>"
INFO_FILE = "tandem_tokenizer.json"


@dataclass(frozen=True)
class TokenizerInfo:
    """The facts about a fixed tokenizer that the manifest records."""

    chat_format: str | None
    default_system: str | None
    bos_token_id: int | None  # set only when prompts must start with BOS
    eos_token_ids: list[int]
    pad_token_id: int
    context_length: int
    fixes: list[str] = field(default_factory=list)

    def save(self, directory: Path) -> None:
        (directory / INFO_FILE).write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, directory: Path) -> TokenizerInfo:
        return cls(**json.loads((directory / INFO_FILE).read_text()))


def set_bos_processing(tok: object, bos: tuple[str, int] | None) -> None:
    """Make ``encode(add_special_tokens=True)`` prepend ``bos`` (or nothing when None)."""
    from tokenizers import processors

    if bos is None:
        tok.post_processor = processors.ByteLevel(trim_offsets=False)  # type: ignore[attr-defined]
    else:
        content, _ = bos
        tok.post_processor = processors.TemplateProcessing(  # type: ignore[attr-defined]
            single=f"{content} $A", pair=f"{content} $A {content} $B:1", special_tokens=[bos]
        )


def add_missing_tokens(tok: object, wanted: list[tuple[int, str, bool]]) -> list[str]:
    """Register ``(id, content, special)`` tokens that the tokenizer lacks; return their contents."""
    from tokenizers import AddedToken

    present = {i: t.content for i, t in tok.get_added_tokens_decoder().items()}  # type: ignore[attr-defined]
    added = []
    for token_id, content, special in wanted:
        if present.get(token_id) == content:
            continue
        at = AddedToken(content, special=special, normalized=False)
        if special:
            tok.add_special_tokens([at])  # type: ignore[attr-defined]
        else:
            tok.add_tokens([at])  # type: ignore[attr-defined]
        got = tok.token_to_id(content)  # type: ignore[attr-defined]
        if got != token_id:
            raise ValueError(f"added token {content!r} got id {got}, GGUF says {token_id}")
        added.append(content)
    return added


def default_system_prompt(hf_tokenizer: object) -> str | None:
    """The system text the model's own chat template inserts when the conversation has none."""
    if not getattr(hf_tokenizer, "chat_template", None):
        return None
    rendered = hf_tokenizer.apply_chat_template(  # type: ignore[attr-defined]
        [{"role": "user", "content": "\x00"}], tokenize=False, add_generation_prompt=False
    )
    m = re.search(re.escape(CHATML_START) + r"system\n(.*?)" + re.escape(CHATML_END), rendered, re.DOTALL)
    return m.group(1) if m else None


def fix_tokenizer(hf_dir: Path, meta: GGUFMeta) -> TokenizerInfo:
    """Rewrite ``hf_dir``'s tokenizer files from the GGUF header; return what the manifest needs."""
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    from quantize.spm_bpe import needs_rebuild, rebuild_spm_bpe

    tok = Tokenizer.from_file(str(hf_dir / "tokenizer.json"))
    fixes = []
    if needs_rebuild(meta):
        tok = rebuild_spm_bpe(meta)
        fixes.append("rebuilt as SentencePiece BPE (byte fallback, merges ranked by GGUF scores); the "
                     "converted Unigram model split words llama.cpp keeps whole")
    added = add_missing_tokens(tok, meta.added_tokens())
    if added:
        fixes.append(f"registered {len(added)} added tokens from GGUF token types: {', '.join(added)}")

    bos_content = meta.tokens[meta.bos_token_id] if meta.bos_token_id is not None else None
    bos = (bos_content, meta.bos_token_id) if (meta.add_bos_token and bos_content is not None) else None
    before = tok.encode("a").ids
    set_bos_processing(tok, bos)  # type: ignore[arg-type]
    if tok.encode("a").ids != before:
        fixes.append(
            f"BOS on encode: {'added' if bos else 'removed'} (GGUF add_bos_token={meta.add_bos_token})"
        )

    vocab = tok.get_vocab(with_added_tokens=True)
    chat_format = "chatml" if CHATML_START in vocab and CHATML_END in vocab else None
    eos_ids: list[int] = []
    if chat_format == "chatml":
        eos_ids.append(vocab[CHATML_END])
    # The GGUF's own eos/eot, and <|endoftext|> (the end of a document), also end a turn.
    for extra in (meta.eos_token_id, meta.eot_token_id, vocab.get("<|endoftext|>")):
        if extra is not None and extra not in eos_ids:
            eos_ids.append(extra)
    if not eos_ids:
        raise ValueError("GGUF names no eos token and the vocabulary has no <|im_end|>")
    pad_id = meta.pad_token_id if meta.pad_token_id is not None else eos_ids[0]

    old_config = json.loads((hf_dir / "tokenizer_config.json").read_text())
    eos_content = meta.tokens[eos_ids[0]]
    if old_config.get("eos_token") != eos_content:
        fixes.append(f"eos {old_config.get('eos_token')!r} -> {eos_content!r}")

    hf_tok = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=bos_content,
        eos_token=eos_content,
        pad_token=meta.tokens[pad_id],
        unk_token=meta.tokens[meta.unk_token_id] if meta.unk_token_id is not None else None,
        clean_up_tokenization_spaces=False,
        model_max_length=meta.context_length or 2048,
    )
    hf_tok.chat_template = meta.chat_template
    for stale in ("vocab.json", "merges.txt", "tokenizer.model", "special_tokens_map.json"):
        (hf_dir / stale).unlink(missing_ok=True)
    hf_tok.save_pretrained(str(hf_dir))
    _set_generation_eos(hf_dir, eos_ids, pad_id)

    info = TokenizerInfo(
        chat_format=chat_format,
        default_system=default_system_prompt(hf_tok),
        bos_token_id=bos[1] if bos else None,
        eos_token_ids=eos_ids,
        pad_token_id=pad_id,
        context_length=meta.context_length or 2048,
        fixes=fixes,
    )
    info.save(hf_dir)
    for line in fixes:
        logger.info("tokenizer fix: %s", line)
    return info


def _set_generation_eos(hf_dir: Path, eos_ids: list[int], pad_id: int) -> None:
    path = hf_dir / "generation_config.json"
    if path.exists():
        cfg = json.loads(path.read_text())
        cfg["eos_token_id"] = eos_ids if len(eos_ids) > 1 else eos_ids[0]
        cfg["pad_token_id"] = pad_id
        path.write_text(json.dumps(cfg, indent=2) + "\n")
