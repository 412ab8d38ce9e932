"""Precision variants made from the fp32 ONNX with onnxruntime's quantizers.

The fp32 weights are already de-quantized Q4_1 / Q4_K_M, so re-quantizing stacks a second rounding
on top of the first (FACTS.md: symmetric int4 keeps short answers but long ones lose their EOS).
Hence several candidates, measured by :mod:`quantize.evaluate` before one is chosen:

``fp32``       the export itself (reference; large).
``int8``       dynamic int8 (MatMulInteger) for every MatMul, int8 embedding Gather.
``int4``       MatMulNBits 4 bit, asymmetric, block 32, accuracy_level 4 (int8 compute) for every
               MatMul incl. lm_head, 4-bit GatherBlockQuantized embedding.
``int4-emb8``  as ``int4`` but lm_head and embedding at 8 bit: the two tensors quantization hurts most.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from quantize.export import ONNX_FILE, link_or_copy, onnx_files, save_onnx, size_mb, weight_nodes

logger = logging.getLogger(__name__)

VARIANTS: dict[str, str] = {
    "fp32": "fp32 export, untied lm_head",
    "int8": "dynamic int8 MatMul + int8 Gather (onnxruntime quantize_dynamic)",
    "int4": "MatMulNBits int4 asym block 32 accuracy_level 4, incl. lm_head; 4-bit Gather",
    "int4-emb8": "MatMulNBits int4 asym block 32 accuracy_level 4; lm_head and Gather at 8 bit",
}
#: Candidates compared when precision="auto" (fp32 is the reference and the last-resort fallback).
AUTO_CANDIDATES: tuple[str, ...] = ("int4", "int4-emb8", "int8")
BLOCK_SIZE = 32
ACCURACY_LEVEL = 4


def _nbits(
    model: Any, bits: int, op_types: tuple[str, ...], include: list[str] | None, exclude: list[str] | None
) -> Any:
    from onnxruntime.quantization.matmul_nbits_quantizer import (
        DefaultWeightOnlyQuantConfig,
        MatMulNBitsQuantizer,
    )

    config = DefaultWeightOnlyQuantConfig(
        block_size=BLOCK_SIZE,
        is_symmetric=False,
        accuracy_level=ACCURACY_LEVEL,
        bits=bits,
        op_types_to_quantize=op_types,
        quant_axes=tuple((op, 0 if op == "MatMul" else 1) for op in op_types),
    )
    quantizer = MatMulNBitsQuantizer(
        model,
        bits=bits,
        block_size=BLOCK_SIZE,
        is_symmetric=False,
        accuracy_level=ACCURACY_LEVEL,
        nodes_to_include=include,
        nodes_to_exclude=exclude,
        algo_config=config,
    )
    import numpy as np

    # ORT computes -min/scale before masking scale == 0 blocks with np.where (all-zero rows): benign.
    with np.errstate(divide="ignore", invalid="ignore"):
        quantizer.process()
    return quantizer.model.model  # the ModelProto inside ORT's ONNXModel wrapper


def quantize_gather_rows_int8(model: object, node_name: str) -> None:
    """Store an embedding table as int8 with one fp32 scale per row (symmetric).

    ORT's block quantizer only writes 4-bit GatherBlockQuantized, so the 8-bit embedding is built
    from standard ops: ``Gather`` the int8 rows and their scales, then ``Cast`` and ``Mul``; only the
    looked-up rows are ever dequantized.
    """
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph  # type: ignore[attr-defined]
    node = next(n for n in graph.node if n.name == node_name)
    init = next(i for i in graph.initializer if i.name == node.input[0])
    table = numpy_helper.to_array(init).astype(np.float32)
    scale = np.abs(table).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(table / scale[:, None]), -127, 127).astype(np.int8)
    base = node.input[0]
    graph.initializer.remove(init)
    graph.initializer.extend(
        [
            numpy_helper.from_array(q, base + ".int8"),
            numpy_helper.from_array(scale.astype(np.float32), base + ".row_scale"),
            numpy_helper.from_array(np.array([-1], dtype=np.int64), base + ".unsqueeze_axes"),
        ]
    )
    ids, out = node.input[1], node.output[0]
    new_nodes = [
        helper.make_node("Gather", [base + ".int8", ids], [out + ".q"], name=node_name + ".q", axis=0),
        helper.make_node("Gather", [base + ".row_scale", ids], [out + ".s"], name=node_name + ".s", axis=0),
        helper.make_node("Cast", [out + ".q"], [out + ".f"], name=node_name + ".cast", to=TensorProto.FLOAT),
        helper.make_node(
            "Unsqueeze", [out + ".s", base + ".unsqueeze_axes"], [out + ".s1"], name=node_name + ".unsq"
        ),
        helper.make_node("Mul", [out + ".f", out + ".s1"], [out], name=node_name + ".mul"),
    ]
    index = list(graph.node).index(node)
    graph.node.remove(node)
    for offset, n in enumerate(new_nodes):
        graph.node.insert(index + offset, n)


def _weight_bytes(model: object) -> int:
    import numpy as np
    from onnx import helper

    total = 0
    for init in model.graph.initializer:  # type: ignore[attr-defined]
        itemsize = np.dtype(helper.tensor_dtype_to_np_dtype(init.data_type)).itemsize
        total += int(np.prod(init.dims)) * itemsize
    return total


def make_variant(precision: str, fp32_dir: str, out_dir: str) -> dict[str, object]:
    """Write ``out_dir/model.onnx`` for ``precision`` from ``fp32_dir`` (runs in a child process)."""
    import onnx

    src, out = Path(fp32_dir), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    src_model = src / ONNX_FILE
    if precision == "fp32":
        for f in onnx_files(src):
            link_or_copy(f, out / f.name)
        return {"size_mb": size_mb(out)}
    names = weight_nodes(src_model)
    if precision == "int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(
            str(src_model),
            str(out / ONNX_FILE),
            op_types_to_quantize=["MatMul", "Gather"],
            weight_type=QuantType.QInt8,
            per_channel=False,
            extra_options={"MatMulConstBOnly": True},
        )
        return {"size_mb": size_mb(out)}
    if precision not in ("int4", "int4-emb8"):
        raise ValueError(f"unknown precision {precision!r}; known: {', '.join(VARIANTS)}")
    model = onnx.load(str(src_model), load_external_data=True)
    if precision == "int4":
        model = _nbits(model, 4, ("MatMul", "Gather"), None, None)
    else:
        keep = [n for n in (names["lm_head"], names["embedding"]) if n]
        model = _nbits(model, 4, ("MatMul",), None, keep)
        model = _nbits(model, 8, ("MatMul",), keep, None)
        if names["embedding"]:
            quantize_gather_rows_int8(model, names["embedding"])
    save_onnx(model, out / ONNX_FILE, _weight_bytes(model))
    return {"size_mb": size_mb(out)}
