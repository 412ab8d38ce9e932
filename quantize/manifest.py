"""``manifest.json``: what the device engine needs to load a model dir, and the build's evidence.

The device reads ``onnx_file``, ``tokenizer_file``, ``chat_format``, ``default_system``,
``bos_token_id``, ``eos_token_ids``, ``pad_token_id`` and ``context_length``; it verifies ``files``
(sha256 of every other file in the dir). The rest (source, parity, selection, build times) is the
record of how the model was made. Keys are part of the device contract: change them only with a new
``schema_version``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from quantize.build_layout import MANIFEST_FILE
from quantize.errors import ManifestError
from quantize.sources import sha256_file
from quantize.tokenizer_fix import TokenizerInfo

SCHEMA_VERSION = 1
TOKENIZER_FILE = "tokenizer.json"


def hash_files(model_dir: Path) -> dict[str, str]:
    return {
        p.name: sha256_file(p)
        for p in sorted(model_dir.iterdir())
        if p.is_file() and p.name != MANIFEST_FILE and not p.name.startswith(".")
    }


def write_manifest(
    model_dir: Path,
    *,
    name: str,
    precision: str,
    source: dict[str, Any],
    tokenizer: TokenizerInfo,
    parity: dict[str, Any],
    selection: dict[str, Any],
    build_seconds: dict[str, float],
    graph: dict[str, Any] | None = None,
    quality: dict[str, Any] | None = None,
) -> dict[str, Any]:
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "name": name,
        "precision": precision,
        "source": source,
        "files": hash_files(model_dir),
        "onnx_file": "model.onnx",
        "tokenizer_file": TOKENIZER_FILE,
        "chat_format": tokenizer.chat_format,
        "default_system": tokenizer.default_system,
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_ids": tokenizer.eos_token_ids,
        "pad_token_id": tokenizer.pad_token_id,
        "context_length": tokenizer.context_length,
        # "shared": GroupQueryAttention graph, one KV buffer per layer (quantize.gqa); "concat": optimum
        "kv_cache": (graph or {}).get("kv_cache", "concat"),
        "num_kv_heads": (graph or {}).get("num_kv_heads"),
        "head_size": (graph or {}).get("head_size"),
        "quality": quality,
        "tokenizer_parity": parity,
        "selection": selection,
        "build_seconds": build_seconds,
    }
    tmp = model_dir / (MANIFEST_FILE + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(model_dir / MANIFEST_FILE)
    return manifest


def read_manifest(model_dir: Path, verify: bool = True) -> dict[str, Any]:
    """Load ``manifest.json``; with ``verify`` check every listed file's sha256 and that none is extra."""
    path = model_dir / MANIFEST_FILE
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ManifestError(f"{path}: unreadable manifest: {exc}") from exc
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise ManifestError(
            f"{path}: schema_version {manifest.get('schema_version')!r}, expected {SCHEMA_VERSION}"
        )
    if verify:
        actual = hash_files(model_dir)
        if actual != manifest.get("files"):
            bad = sorted(set(actual.items()) ^ set(manifest.get("files", {}).items()))
            raise ManifestError(f"{path}: files differ from the manifest: {[name for name, _ in bad]}")
    return manifest
