"""The optimum peer's model for ``tandem bench engine``: an optimum export of the same weights.

Built on first use into the model's build dir (``optimum-<precision>/``, resumable steps) with the
``concat`` pipeline of :mod:`quantize.export` and :mod:`quantize.variants`, quantized like tandem's
model where that pipeline has the same precision (int8 / int4 / int4-emb8; fp32 otherwise), plus the
transformers ``config.json`` that ``ORTModelForCausalLM`` loads by. Needs the ``quantize`` extra.
"""

from __future__ import annotations

import shutil
from pathlib import Path

OPTIMUM_PRECISIONS = ("fp32", "int8", "int4", "int4-emb8")


def optimum_dir(name: str, models_dir: Path, precision: str) -> Path:
    from quantize.build import build_root
    from quantize.convert import gguf_to_hf
    from quantize.export import export_onnx
    from quantize.sources import locate_gguf
    from quantize.steps import StepRunner
    from quantize.variants import make_variant

    gguf, digest = locate_gguf(name, models_dir)
    root = build_root(name, models_dir, digest)
    wanted = precision if precision in OPTIMUM_PRECISIONS else "fp32"
    out = root / f"optimum-{wanted}"
    if (out / "config.json").exists():
        return out
    runner = StepRunner(root / "optimum-work", progress=True)
    hf, fp32 = runner.build_dir / "hf", runner.build_dir / "onnx-fp32"
    runner.run("optimum-hf", gguf_to_hf, str(gguf), str(hf))
    runner.run("optimum-export", export_onnx, str(hf), str(fp32))
    shutil.rmtree(out, ignore_errors=True)
    runner.run(f"optimum-{wanted}", make_variant, wanted, str(fp32), str(out))
    for f in ("config.json", "generation_config.json"):
        if (hf / f).exists():
            shutil.copyfile(hf / f, out / f)
    shutil.rmtree(runner.build_dir)  # hf/ and the fp32 export are large; the variant is all we keep
    return out
