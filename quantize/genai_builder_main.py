"""Entry point run by the builder venv's interpreter (by path: tandem is not installed there).

onnxruntime-genai 0.18's builder reads a flat ``config.rope_parameters["rope_type"]`` and
``config.rope_local_base_freq``; transformers >= 5 nests Gemma 3's rope settings per attention type
(``full_attention`` / ``sliding_attention``) and drops the local base. Before the builder runs, the
config loader is wrapped to put both back; other models' configs pass through unchanged.
"""

from __future__ import annotations

import runpy
import sys

import transformers

_load = transformers.AutoConfig.from_pretrained.__func__


def _flat_rope(cls: type, *args: object, **kwargs: object) -> object:
    config = _load(cls, *args, **kwargs)
    for cfg in (config, getattr(config, "text_config", None)):
        rope = getattr(cfg, "rope_parameters", None) if cfg is not None else None
        if isinstance(rope, dict) and "full_attention" in rope:
            cfg.rope_local_base_freq = rope.get("sliding_attention", rope["full_attention"])["rope_theta"]
            cfg.rope_parameters = dict(rope["full_attention"])
    return config


transformers.AutoConfig.from_pretrained = classmethod(_flat_rope)
sys.argv = ["onnxruntime_genai.models.builder", *sys.argv[1:]]
runpy.run_module("onnxruntime_genai.models.builder", run_name="__main__")
