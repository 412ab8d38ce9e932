"""transformers checkpoint -> GroupQueryAttention ONNX graph, via onnxruntime-genai's model builder.

The builder writes graphs with fused ``GroupQueryAttention`` whose past and present KV share one
buffer, ``MatMulNBits`` weights, a quantized embedding shared with the head, and (``prune_lm_head``)
logits for the last position only: a 100-token prefill then computes one row of a 49k-262k vocabulary
head instead of 100. tandem's own engine runs the result (``kv_cache = "shared"``), so per-token
log-probabilities stay available; onnxruntime-genai itself can run the same dir (``genai_config.json``).

The builder needs transformers >= 5 while optimum-onnx caps it below 4.58, so it runs in its own venv
(``TANDEM_GENAI_VENV``, default ``$XDG_CACHE_HOME/tandem/genai-venv`` (``~/.cache/...``); scripts/setup creates it).

Variant names: ``fp32``, ``fp16`` (GPU profiles), ``int8`` (8-bit MatMulNBits, per-block), and
``int4[-b32|-b64|-b128][-sym][-emb8]``: 4-bit MatMulNBits, block size (default 32), asymmetric
unless ``-sym``, embedding and head at 4 bit unless ``-emb8`` (8 bit). accuracy_level=4 (int8 compute).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from quantize.build_log import child_env, failure_note
from quantize.errors import BuildStepError, QuantizeError

GENAI_CONFIG = "genai_config.json"
_INT4 = re.compile(r"^int4(?:-b(?P<block>32|64|128))?(?P<sym>-sym)?(?P<emb8>-emb8)?(?P<kq>-kq)?$")


@dataclass(frozen=True)
class VariantSpec:
    name: str
    precision: str  # builder precision: fp32 | fp16 | int8 | int4
    execution_provider: str = "cpu"
    block_size: int = 32
    symmetric: bool = False
    emb8: bool = False
    head4: bool = False
    kquant: bool = False

    def extra_options(self) -> list[str]:
        opts = ["prune_lm_head=true"]
        if self.precision in ("int4", "int8"):
            opts += [
                "accuracy_level=4",
                f"block_size={self.block_size}",
                f"is_symmetric={'true' if self.symmetric else 'false'}",
                "op_types_to_quantize=MatMul/Gather",
            ]
            if self.emb8:
                opts.append("matmul_mixed_precision=last_matmul:int8")
            elif self.head4:
                # the head alone at 4 bit: for large vocabularies it is most of the bytes read per token
                opts += ["matmul_mixed_precision=last_matmul:int4", "shared_embeddings=false"]
            elif self.precision == "int4":
                # builder 0.18 writes an invalid graph for a 4-bit embedding shared with the head
                opts.append("shared_embeddings=false")
            if self.kquant:  # scales chosen to minimise the error (llama.cpp's k-quants), not min/max
                opts.append("algo_config=k_quant")
        return opts

    def describe(self) -> str:
        if self.precision in ("fp32", "fp16"):
            return f"{self.precision} GroupQueryAttention graph ({self.execution_provider})"
        sym = "symmetric" if self.symmetric else "asymmetric"
        algo = ", k-quant scales" if self.kquant else ""
        if self.head4:
            parts = "embedding 8-bit, lm_head 4-bit"
        else:
            parts = f"embedding and lm_head {'8-bit' if self.emb8 or self.precision == 'int8' else '4-bit'}"
        return (f"{self.precision} MatMulNBits block {self.block_size} {sym}{algo}, accuracy_level 4; "
                f"{parts}; GroupQueryAttention, shared KV buffer")


def parse_variant(name: str) -> VariantSpec:
    if name in ("fp32", "int8"):
        return VariantSpec(name, name)
    if name in ("int8-head4", "int8-head4-kq"):
        return VariantSpec(name, "int8", head4=True, kquant=name.endswith("-kq"))
    if name == "fp16":
        return VariantSpec(name, "fp16", execution_provider="cuda")
    m = _INT4.match(name)
    if m is None:
        raise QuantizeError(
            f"unknown variant {name!r}: fp32, fp16, int8, int8-head4[-kq], or "
            "int4[-b32|-b64|-b128][-sym][-emb8][-kq]"
        )
    return VariantSpec(name, "int4", block_size=int(m["block"] or 32), symmetric=bool(m["sym"]),
                       emb8=bool(m["emb8"]), kquant=bool(m["kq"]))


def genai_python() -> Path:
    """The interpreter of the builder's venv, or a typed error that says how to create it."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    venv = Path(os.environ.get("TANDEM_GENAI_VENV") or cache / "tandem" / "genai-venv")
    python = venv / "bin" / "python"
    if not python.exists():
        raise QuantizeError(
            f"onnxruntime-genai's model builder is not installed (no {python}); run scripts/setup, or: "
            f"python3 -m venv {venv} && {venv}/bin/pip install torch==2.13.0 && "
            f"{venv}/bin/pip install onnxruntime-genai 'transformers>=5' onnx onnx_ir"
        )
    return python


def repair_shared_head(onnx_path: Path) -> list[str]:
    """Point the embedding at the 8-bit head weights the builder actually wrote.

    With ``shared_embeddings`` and an 8-bit last MatMul, builder 0.18 names the tensors the shared
    ``GatherBlockQuantized`` reads ``<w>_Q8G32`` / ``<w>_scale`` / ``<w>_zp`` but stores them as
    ``<w>_Q8`` / ``<w>_scales`` / ``<w>_zero_points``; onnxruntime then refuses the graph.
    """
    import onnx

    model = onnx.load(str(onnx_path), load_external_data=False)
    inits = {i.name for i in model.graph.initializer}
    fixed = []
    for node in model.graph.node:
        for k, name in enumerate(node.input):
            if not name or name in inits:
                continue
            for bad, good in (("_Q8G32", "_Q8"), ("_scale", "_scales"), ("_zp", "_zero_points")):
                if name.endswith(bad) and name[: -len(bad)] + good in inits:
                    node.input[k] = name[: -len(bad)] + good
                    fixed.append(name)
    if fixed:
        onnx.save_model(model, str(onnx_path))  # weights stay in the external data file
    return fixed


def build_variant(hf_dir: str, out_dir: str, variant: str, cache_dir: str, log: str | None = None) -> dict[str, object]:
    """Run the builder for ``variant`` into ``out_dir``; return the graph facts the manifest needs.

    The builder's output (a line per tensor, transformers' warnings) is appended to ``log``
    (default ``<cache_dir>/builder.log``); a failure quotes its end and names the file."""
    spec = parse_variant(variant)
    out, work = Path(out_dir), Path(cache_dir)
    work.mkdir(parents=True, exist_ok=True)
    log_path = Path(log) if log else work / "builder.log"
    main = Path(__file__).with_name("genai_builder_main.py")  # flattens Gemma 3's rope config first
    cmd = [str(genai_python()), str(main), "-i", str(hf_dir), "-o", str(out),
           "-p", spec.precision, "-e", spec.execution_provider, "-c", str(work / "builder-cache"),
           "--extra_options", *spec.extra_options()]
    with log_path.open("a") as sink:
        proc = subprocess.run(cmd, stdout=sink, stderr=subprocess.STDOUT, env=child_env(), check=False)
    if proc.returncode != 0:
        raise BuildStepError(f"onnxruntime-genai builder failed for {variant} (exit {proc.returncode}); "
                             f"{failure_note(log_path)}")
    fixed = repair_shared_head(out / "model.onnx")
    decoder = json.loads((out / GENAI_CONFIG).read_text())["model"]["decoder"]
    for extra in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        (out / extra).unlink(missing_ok=True)  # the build ships its own fixed tokenizer
    return {
        "kv_cache": "shared",
        "num_kv_heads": int(decoder["num_key_value_heads"]),
        "head_size": int(decoder["head_size"]),
        "num_layers": int(decoder["num_hidden_layers"]),
        "description": spec.describe(),
        "repaired": fixed,
    }
