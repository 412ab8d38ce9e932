"""Trained classifier -> ONNX (fp32) -> int8 (dynamic MatMul + Gather) for onnxruntime.

Inputs `input_ids` and `attention_mask`, int64 [batch, seq]; output `logits` float32
[batch, categories] (the device applies the sigmoid). The embedding Gathers are quantized too, or
the 30k x 384 word embedding alone would keep the file at ~50 MB.
"""

from __future__ import annotations

from pathlib import Path

OPSET = 17


def export_onnx(base_dir: Path, trained_dir: Path, out_file: Path, dropout: float, pooling: str) -> None:
    import torch

    from quantize.sensitive.train import build_model

    model = build_model(base_dir, dropout, pooling)
    model.load_state_dict(torch.load(trained_dir / "model.pt", weights_only=True))
    model.eval()
    ids = torch.ones((1, 12), dtype=torch.long)
    axes = {0: "batch", 1: "seq"}
    torch.onnx.export(
        model, (ids, ids), str(out_file), input_names=["input_ids", "attention_mask"], output_names=["logits"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": {0: "batch"}},
        opset_version=OPSET, dynamo=False,
    )


def quantize_int8(fp32_file: Path, out_file: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32_file), str(out_file), weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul", "Gather"], per_channel=False)
