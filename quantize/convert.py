"""GGUF -> transformers checkpoint (fp32 safetensors + converted tokenizer).

transformers de-quantizes the GGUF tensors (Q4_1, Q4_K_M, ...) into fp32; the result is exactly the
function llama.cpp computes, up to float rounding, which is why later quantization must be measured
against this fp32 model and not against the original checkpoint.
"""

from __future__ import annotations

from pathlib import Path


def gguf_to_hf(gguf_path: str, out_dir: str) -> dict[str, object]:
    """Write model + tokenizer converted from ``gguf_path`` into ``out_dir`` (runs in a child process)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the "legacy tokenizer" notice is about a tokenizer we rebuild anyway
    src = Path(gguf_path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(str(src.parent), gguf_file=src.name)
    tokenizer.save_pretrained(str(out))
    model = AutoModelForCausalLM.from_pretrained(str(src.parent), gguf_file=src.name, dtype=torch.float32)
    model.save_pretrained(str(out))
    cfg = model.config
    return {
        "architecture": cfg.model_type,
        "parameters": int(sum(p.numel() for p in model.parameters())),
        "tie_word_embeddings": bool(getattr(cfg, "tie_word_embeddings", False)),
    }
