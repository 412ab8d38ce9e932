"""Trained joint model -> ONNX (fp32) -> int8 for onnxruntime.

Inputs `input_ids`, `attention_mask`, `token_type_ids` (the gazetteer mask) (int64 [batch, seq]); outputs `intent_logits` float32
[batch, classes] and `tag_logits` float32 [batch, seq, tags]. Quantized like the NER model
(`quantize.ner.export.quantize_int8`: dynamic int8 MatMul and Gather).
"""

from __future__ import annotations

from pathlib import Path

from quantize.intent.train import build_model

OPSET = 17


def export_onnx(base_dir: Path, trained_dir: Path, out_file: Path, n_classes: int, n_tags: int) -> None:
    import torch

    model = build_model(base_dir, n_classes, n_tags, 0.0)
    model.load_state_dict(torch.load(trained_dir / "model.pt", weights_only=True))
    model.eval()
    ids = torch.ones((1, 12), dtype=torch.long)
    axes = {0: "batch", 1: "seq"}
    torch.onnx.export(
        model, (ids, ids, ids), str(out_file), input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["intent_logits", "tag_logits"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                      "intent_logits": {0: "batch"}, "tag_logits": axes},
        opset_version=OPSET, dynamo=False,
    )
