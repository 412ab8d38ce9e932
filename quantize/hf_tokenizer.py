"""The tokenizer facts of a Hugging Face checkpoint directory, read from the directory's own files.

:mod:`quantize.tokenizer_fix` does not apply here: it repairs what transformers' GGUF conversion loses
(added tokens, ``add_bos_token``, the chat eos) and takes the GGUF header as the truth; a checkpoint
that never went through a GGUF has neither the losses nor the header. Its ``tokenizer.json`` ships
unchanged, and what the engine's manifest needs comes from it and from ``config.json``,
``generation_config.json`` and ``tokenizer_config.json`` (or ``chat_template.jinja``):

* ``bos_token_id``: the token the tokenizer's own post-processor puts before the text, if any (the
  engine encodes without special tokens and prepends the manifest's BOS itself);
* ``chat_format``: ``chatml`` when ``<|im_start|>`` and ``<|im_end|>`` are in the vocabulary (the only
  format the engine renders), else None: completion prompts only;
* ``eos_token_ids``: ``<|im_end|>`` for ChatML, then the generation config's and the config's eos, and
  ``<|endoftext|>``;
* ``context_length``: ``max_position_embeddings`` (top level or in ``text_config``), else 2048.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from quantize.tokenizer_fix import CHATML_END, CHATML_START, TokenizerInfo, default_system_prompt

DEFAULT_CONTEXT = 2048


def _json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _ids(value: object) -> list[int]:
    if value is None:
        return []
    return [int(v) for v in value] if isinstance(value, list) else [int(value)]  # type: ignore[call-overload]


def chat_template(hf_dir: Path) -> str | None:
    """The checkpoint's chat template: ``chat_template.jinja``, or ``tokenizer_config.json``'s (the
    ``default`` one where it holds several)."""
    jinja = hf_dir / "chat_template.jinja"
    if jinja.exists():
        return jinja.read_text(encoding="utf-8")
    template = _json(hf_dir / "tokenizer_config.json").get("chat_template")
    if isinstance(template, list):
        named = {t.get("name"): t.get("template") for t in template if isinstance(t, dict)}
        template = named.get("default")
    return template if isinstance(template, str) else None


def leading_special(tok: object) -> int | None:
    """The id the tokenizer's post-processor prepends to a text (its BOS), or None."""
    plain = tok.encode("a", add_special_tokens=False).ids  # type: ignore[attr-defined]
    full = tok.encode("a", add_special_tokens=True).ids  # type: ignore[attr-defined]
    if len(full) > len(plain) and full[1 : 1 + len(plain)] == plain:
        return int(full[0])
    return None


def hf_tokenizer_info(hf_dir: str) -> dict[str, Any]:
    """Step ``hf_tokenizer``: the :class:`TokenizerInfo` of ``hf_dir`` as a dict; writes nothing there."""
    from tokenizers import Tokenizer

    root = Path(hf_dir)
    tok = Tokenizer.from_file(str(root / "tokenizer.json"))
    config = _json(root / "config.json")
    generation = _json(root / "generation_config.json")
    vocab = tok.get_vocab(with_added_tokens=True)

    chat_format = "chatml" if CHATML_START in vocab and CHATML_END in vocab else None
    eos_ids: list[int] = [vocab[CHATML_END]] if chat_format else []
    candidates = _ids(generation.get("eos_token_id")) + _ids(config.get("eos_token_id"))
    candidates += _ids(vocab.get("<|endoftext|>"))
    for extra in candidates:
        if extra not in eos_ids:
            eos_ids.append(extra)
    if not eos_ids:
        raise ValueError(
            f"{root}: no eos token (config.json and generation_config.json name no eos_token_id and the "
            "vocabulary has no <|im_end|>); add eos_token_id to config.json"
        )
    pads = _ids(generation.get("pad_token_id")) or _ids(config.get("pad_token_id"))
    text_config = config.get("text_config") or {}
    context = config.get("max_position_embeddings") or text_config.get("max_position_embeddings")

    default_system = None
    template = chat_template(root)
    if chat_format and template:
        from transformers import PreTrainedTokenizerFast

        default_system = default_system_prompt(
            PreTrainedTokenizerFast(tokenizer_object=tok, chat_template=template)
        )
    info = TokenizerInfo(
        chat_format=chat_format,
        default_system=default_system,
        bos_token_id=leading_special(tok),
        eos_token_ids=eos_ids,
        pad_token_id=pads[0] if pads else eos_ids[0],
        context_length=int(context or DEFAULT_CONTEXT),
        fixes=[],
    )
    return asdict(info)
