"""The baby model goes through the real export and manifest path and loads in onnxruntime."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quantize.errors import ManifestError
from quantize.manifest import read_manifest
from quantize.sources import sha256_file

MANIFEST_KEYS = {
    "schema_version",
    "name",
    "precision",
    "source",
    "files",
    "onnx_file",
    "tokenizer_file",
    "chat_format",
    "default_system",
    "bos_token_id",
    "eos_token_ids",
    "pad_token_id",
    "context_length",
    "tokenizer_parity",
    "selection",
    "build_seconds",
    "kv_cache",
    "num_kv_heads",
    "head_size",
    "quality",
}


def test_tiny_model_has_kv_cache_graph(tiny_model: Path) -> None:
    import onnxruntime as ort

    session = ort.InferenceSession(str(tiny_model / "model.onnx"), providers=["CPUExecutionProvider"])
    inputs = [i.name for i in session.get_inputs()]
    outputs = [o.name for o in session.get_outputs()]
    assert inputs[:3] == ["input_ids", "attention_mask", "position_ids"]
    assert inputs[3:] == [f"past_key_values.{n}.{kv}" for n in range(2) for kv in ("key", "value")]
    assert outputs == ["logits"] + [f"present.{n}.{kv}" for n in range(2) for kv in ("key", "value")]


def test_tiny_model_manifest_is_valid(tiny_model: Path) -> None:
    manifest = read_manifest(tiny_model)
    assert set(manifest) == MANIFEST_KEYS
    assert manifest["chat_format"] == "chatml"
    assert manifest["bos_token_id"] is None
    assert manifest["kv_cache"] == "concat"  # the optimum export; builder graphs say "shared"
    assert set(manifest["files"]) == {"model.onnx", "tokenizer.json"}
    for name, digest in manifest["files"].items():
        assert sha256_file(tiny_model / name) == digest


def test_manifest_detects_a_changed_file(tiny_model: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(tiny_model, copy)
    (copy / "tokenizer.json").write_text(json.dumps({"broken": True}))
    with pytest.raises(ManifestError, match="tokenizer.json"):
        read_manifest(copy)


def test_tiny_model_greedy_decoding_with_cache_matches_full_recompute(tiny_model: Path) -> None:
    """Decoding with the KV cache gives the same logits as re-running the whole sequence."""
    import numpy as np

    from quantize.evaluate import GreedyOnnx

    engine = GreedyOnnx(tiny_model / "model.onnx", threads=1)
    manifest = read_manifest(tiny_model)
    prompt = [5, 17, 42, 9]
    tokens = engine.generate(prompt, set(manifest["eos_token_ids"]), 6)
    assert 1 <= len(tokens) <= 6
    # Recompute without cache: the argmax of the last position must be the first generated token.
    empty = {name: np.zeros((1, h, 0, d), dtype=dt) for name, (h, d), dt in engine.past}
    n = len(prompt)
    out = engine.session.run(
        ["logits"],
        {
            "input_ids": np.array([prompt], dtype=np.int64),
            "attention_mask": np.ones((1, n), dtype=np.int64),
            "position_ids": np.arange(n, dtype=np.int64)[None, :],
            **empty,
        },
    )[0]
    assert int(out[0, -1].argmax()) == tokens[0]


def test_tiny_build_is_reproducible_and_resumable(tmp_path: Path) -> None:
    from quantize.tiny import build_tiny_model

    a = build_tiny_model(tmp_path / "a", precisions=("fp32", "int8"))
    b = build_tiny_model(tmp_path / "b", precisions=("fp32", "int8"))
    assert read_manifest(a)["files"] == read_manifest(b)["files"]
    assert read_manifest(tmp_path / "a" / "int8")["precision"] == "int8"
    done = sorted(p.name for p in (tmp_path / "a" / ".done").iterdir())
    again = build_tiny_model(tmp_path / "a", precisions=("fp32", "int8"))  # every step skipped
    assert again == a
    assert sorted(p.name for p in (tmp_path / "a" / ".done").iterdir()) == done
