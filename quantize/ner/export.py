"""Trained token classifier -> ONNX (fp32) -> int8 (dynamic MatMul + Gather) for onnxruntime.

Inputs `input_ids`, `attention_mask`, `token_type_ids` (the case ids), all int64 [batch, seq];
output `logits` float32 [batch, seq, labels]. The embedding Gathers are quantized too, or the
30k x 384 word embedding alone would keep the file at ~50 MB.
"""

from __future__ import annotations

from pathlib import Path

OPSET = 17


def export_onnx(trained_dir: Path, out_file: Path) -> None:
    import torch
    from transformers import BertForTokenClassification

    model = BertForTokenClassification.from_pretrained(str(trained_dir)).eval()

    class Logits(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).logits

    ids = torch.ones((1, 12), dtype=torch.long)
    axes = {0: "batch", 1: "seq"}
    torch.onnx.export(
        Logits(), (ids, ids, ids), str(out_file), input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"], dynamic_axes={"input_ids": axes, "attention_mask": axes,
                                               "token_type_ids": axes, "logits": axes},
        opset_version=OPSET, dynamo=False,
    )


def quantize_int8(fp32_file: Path, out_file: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32_file), str(out_file), weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul", "Gather"], per_channel=False)
