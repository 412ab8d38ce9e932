"""transformers checkpoint -> fp32 ONNX with KV cache (optimum), and the lm_head untie.

optimum's ``text-generation-with-past`` graph takes ``input_ids``, ``attention_mask``,
``position_ids`` and ``past_key_values.N.key/value`` and returns ``logits`` and
``present.N.key/value``; the device engine is written against those names.

A model with tied embeddings (SmolLM2) is exported with ``lm_head`` as ``Transpose(embed) -> MatMul``.
Neither onnxruntime quantizer touches a MatMul whose weight is not a constant, so the head would stay
fp32; :func:`untie_lm_head` folds the Transpose into a new initializer first.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

ONNX_FILE = "model.onnx"
#: Protobuf cannot hold more than 2 GB; above this the weights go to an external data file.
EXTERNAL_DATA_ABOVE = 1_800_000_000


def onnx_files(model_dir: Path) -> list[Path]:
    """``model.onnx`` and its external data file(s), if any."""
    return sorted(p for p in model_dir.iterdir() if p.name.startswith(ONNX_FILE))


def save_onnx(model: Any, path: Path, weight_bytes: int) -> None:
    """Save ``model`` as one file, or with one ``model.onnx_data`` file when it is too big."""
    import onnx

    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    if weight_bytes > EXTERNAL_DATA_ABOVE:
        onnx.save_model(
            model,
            str(path),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location=path.name + "_data",
            size_threshold=1024,
        )
    else:
        onnx.save_model(model, str(path))


def export_onnx(hf_dir: str, out_dir: str) -> dict[str, object]:
    """Export ``hf_dir`` to ``out_dir/model.onnx`` (fp32, with past), then untie a tied lm_head."""
    from optimum.exporters.onnx import main_export
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    with warnings.catch_warnings():
        # The legacy TorchScript exporter that optimum drives warns about itself and about traced
        # Python control flow (shape checks that are constant for this graph); none of it is actionable.
        # Scoped to this third-party call only.
        for category in (DeprecationWarning, FutureWarning, UserWarning):
            warnings.filterwarnings("ignore", category=category)
        _ignore_tracer_warnings()
        main_export(
            hf_dir,
            output=out_dir,
            task="text-generation-with-past",
            device="cpu",
            do_validation=False,
            local_files_only=True,
            library_name="transformers",
        )
    out = Path(out_dir)
    for extra in out.iterdir():  # optimum copies config and tokenizer files: the build keeps its own
        if not extra.name.startswith(ONNX_FILE):
            extra.unlink()
    untied = untie_lm_head(out / ONNX_FILE)
    return {"untied": untied, "bytes": sum(p.stat().st_size for p in onnx_files(out))}


def _ignore_tracer_warnings() -> None:
    from torch.jit import TracerWarning

    warnings.filterwarnings("ignore", category=TracerWarning)


def untie_lm_head(path: Path) -> list[str]:
    """Replace ``MatMul(x, Transpose(W))`` with ``MatMul(x, W.T)`` for constant ``W``; return the names."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path), load_external_data=True)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    untied = []
    for node in graph.node:
        if node.op_type != "MatMul":
            continue
        t = producer.get(node.input[1])
        if t is None or t.op_type != "Transpose" or t.input[0] not in inits:
            continue
        weight = numpy_helper.to_array(inits[t.input[0]])
        perm = next((list(a.ints) for a in t.attribute if a.name == "perm"), None)
        folded = np.ascontiguousarray(weight.transpose(perm) if perm else weight.T)
        name = f"{t.input[0]}.untied_T"
        if name not in inits:
            init = numpy_helper.from_array(folded, name)
            graph.initializer.append(init)
            inits[name] = init
        node.input[1] = name
        untied.append(node.name)
    if not untied:
        return []
    used = {i for n in graph.node for i in n.input} | {o.name for o in graph.output}
    dead = [n for n in graph.node if n.op_type == "Transpose" and not any(o in used for o in n.output)]
    for n in dead:
        graph.node.remove(n)
    weight_bytes = sum(int(np.prod(i.dims)) * 4 for i in graph.initializer)
    save_onnx(model, path, weight_bytes)
    logger.info("untied lm_head: %s", ", ".join(untied))
    return untied


def weight_nodes(path: Path) -> dict[str, str | None]:
    """Names of the lm_head MatMul (feeds ``logits``) and the embedding Gather (reads ``input_ids``)."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    head = gather = None
    for node in model.graph.node:
        if node.op_type == "MatMul" and "logits" in node.output:
            head = node.name
        if (
            node.op_type == "Gather"
            and len(node.input) > 1
            and node.input[1] == "input_ids"
            and gather is None
        ):
            gather = node.name
    return {"lm_head": head, "embedding": gather}


def size_mb(model_dir: Path) -> float:
    return round(sum(p.stat().st_size for p in onnx_files(model_dir)) / 1e6, 1)


def link_or_copy(src: Path, dst: Path) -> None:
    dst.unlink(missing_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        import shutil

        shutil.copy2(src, dst)
