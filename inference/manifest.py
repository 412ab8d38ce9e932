"""The part of a model dir's `manifest.json` the runtime needs.

`quantize` writes the manifest (with build provenance, quality figures, file hashes); the device
reads only what it runs on, and ignores the rest so a newer build stays loadable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from inference.errors import ModelError


class Manifest(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    schema_version: int
    name: str
    precision: str
    onnx_file: str = "model.onnx"
    tokenizer_file: str = "tokenizer.json"
    chat_format: str | None = "chatml"  # None: a base model (completion prompts only)
    default_system: str | None = None
    bos_token_id: int | None = None
    eos_token_ids: list[int]
    pad_token_id: int | None = None
    context_length: int = 2048
    #: "concat" (optimum export: present grows per step) or "shared" (GroupQueryAttention graph with
    #: one KV buffer per layer for past and present; needs the two sizes below to allocate it).
    kv_cache: Literal["concat", "shared"] = "concat"
    num_kv_heads: int | None = None
    head_size: int | None = None


def load_manifest(model_dir: Path) -> Manifest:
    path = Path(model_dir) / "manifest.json"
    try:
        return Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise ModelError(
            f"no model at {model_dir} (manifest.json missing): build it with `tandem model build NAME`"
        ) from exc
    except (json.JSONDecodeError, UnicodeDecodeError, ValidationError) as exc:
        raise ModelError(f"manifest {path} is invalid ({exc.__class__.__name__}); rebuild the model "
                         "with `tandem model build NAME --force`") from exc
