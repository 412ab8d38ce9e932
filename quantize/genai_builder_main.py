"""Entry point run by the builder venv's interpreter (by path: tandem is not installed there).

onnxruntime-genai 0.18's builder reads a flat ``config.rope_parameters["rope_type"]`` and
``config.rope_local_base_freq``; transformers >= 5 nests Gemma 3's rope settings per attention type
(``full_attention`` / ``sliding_attention``) and drops the local base. Before the builder runs, the
config loader is wrapped to put both back; other models' configs pass through unchanged.
"""

from __future__ import annotations

import runpy
import sys
from typing import Any

import transformers

_auto_config: Any = transformers.AutoConfig
_load = _auto_config.from_pretrained.__func__  # the plain function behind the classmethod


def _flat_rope(cls: type, *args: object, **kwargs: object) -> object:
    config = _load(cls, *args, **kwargs)
    for cfg in (config, getattr(config, "text_config", None)):
        rope = getattr(cfg, "rope_parameters", None) if cfg is not None else None
        if cfg is not None and isinstance(rope, dict) and "full_attention" in rope:
            local: dict[str, Any] = rope.get("sliding_attention") or rope["full_attention"]
            cfg.rope_local_base_freq = local["rope_theta"]
            cfg.rope_parameters = dict(rope["full_attention"])
    return config


_auto_config.from_pretrained = classmethod(_flat_rope)
sys.argv = ["onnxruntime_genai.models.builder", *sys.argv[1:]]
runpy.run_module("onnxruntime_genai.models.builder", run_name="__main__")
