"""A seconds-to-build stand-in for the sensitive-context model: same files, inputs and outputs.

Its graph looks each token up in a table (a word-level vocabulary) and takes the maximum over the
sequence, so a category's logit is high exactly when one of its trigger words is in the window:
"hiv" -> health, "union" -> trade_union, "visa" -> immigration. Everything about the runtime but the
learned weights (tokenizer, windows, sigmoid, thresholds, order, manifest, an ensemble's average) runs
for real. `second_member` adds a second graph (``model-2.onnx``) whose trigger words have the given
logits instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from device.redaction.sensitive import CATEGORIES, MODEL_NAME

TRIGGERS = {"hiv": "health", "union": "trade_union", "visa": "immigration", "debts": "finances"}
_SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]")


def build_fake(models_dir: Path, key: str = "fake00000000", window: int = 16,
               thresholds: dict[str, float] | None = None, second_member: dict[str, float] | None = None) -> Path:
    import numpy as np
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    out = Path(models_dir) / MODEL_NAME / key
    out.mkdir(parents=True)
    words = [*_SPECIAL, *TRIGGERS, "the", "a", "my", "i", "have", "is", "what", "of"]
    vocab = {w: i for i, w in enumerate(words)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.save(str(out / "tokenizer.json"))

    table = np.full((len(words), len(CATEGORIES)), -6.0, dtype=np.float32)
    for word, category in TRIGGERS.items():
        table[vocab[word], CATEGORIES.index(category)] = 6.0
    files = ["model.onnx"]
    _save_graph(table, out / "model.onnx")
    if second_member is not None:
        other = table.copy()
        for word, logit in second_member.items():
            other[vocab[word], CATEGORIES.index(TRIGGERS[word])] = logit
        files.append("model-2.onnx")
        _save_graph(other, out / "model-2.onnx")
    (out / "manifest.json").write_text(json.dumps({
        "name": MODEL_NAME, "key": key, "onnx_file": "model.onnx", "onnx_files": files, "tokenizer_file": "tokenizer.json",
        "categories": list(CATEGORIES), "thresholds": thresholds or dict.fromkeys(CATEGORIES, 0.5),
        "max_tokens": window + 2,
    }))
    return out


def _save_graph(table: Any, path: Path) -> None:  # a numpy float32 array [words, categories]
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input_ids"], ["per_token"], axis=0),
         helper.make_node("ReduceMax", ["per_token", "axes"], ["logits"], keepdims=0),
         helper.make_node("Identity", ["attention_mask"], ["unused"])],
        "fake-sensitive",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", len(CATEGORIES)]),
         helper.make_tensor_value_info("unused", TensorProto.INT64, ["batch", "seq"])],
        [numpy_helper.from_array(table, "table"), numpy_helper.from_array(np.array([1], dtype=np.int64), "axes")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 8
    onnx.save(model, str(path))
