"""``tandem model sweep``: build and score more variants of a model than ``auto`` measures.

``auto`` measures a short candidate list (:data:`quantize.build.AUTO_CANDIDATES`) to choose what
ships. A sweep answers the wider question "what does each quantization cost this model?": it builds
every named variant with the same steps (one fp32 reference, GroupQueryAttention graphs from
onnxruntime-genai's builder, held-out scoring through tandem's engine) into ``<build root>/sweep/``
and writes ``quality.json`` / ``quality.md`` there, refused variants included with their reason.
It never changes which variant a model ships (its ``default``). Variant dirs are removed once scored
unless ``keep``; the scores (and sizes) stay, so a re-run only builds what is new.

fp16 graphs are for GPU profiles (CUDA execution provider): on a host without CUDA they are listed
as skipped with that reason, not scored on a provider they were not built for.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from quantize.build import (
    build_root,
    forget_sizeless_scores,
    make_gqa_dir,
    measure_variants,
    prepare,
    runtime_manifests,
)
from quantize.build_lock import build_lock
from quantize.build_log import build_log_path, start_log
from quantize.local_sources import BuildSource, resolve_source
from quantize.quality import write_reports
from quantize.steps import StepRunner

DEFAULT_SWEEP: tuple[str, ...] = ("int8", "int4-emb8", "int4", "int4-b64", "int4-b128", "int4-sym",
                                  "int4-b128-sym", "fp16")
SWEEP_DIR = "sweep"


def cuda_available() -> bool:
    import onnxruntime as ort

    return "CUDAExecutionProvider" in ort.get_available_providers()


def sweep_variants(source: str, cache_root: Path, variants: tuple[str, ...] = DEFAULT_SWEEP, *,
                   name: str | None = None, progress: bool = True, keep: bool = False) -> Path:
    """Build and score ``variants`` of ``source`` against fp32; return the dir holding the report."""
    from quantize.gqa import parse_variant

    for v in variants:
        parse_variant(v)  # a typed error before any work for a name the builder cannot make
    src = resolve_source(source, Path(cache_root), name=name, progress=progress)
    root = build_root(src.name, Path(cache_root), src.digest)
    with build_lock(root, f"{src.name} (sweep)"):  # the same steps and dirs as build_model's
        log = start_log(build_log_path(Path(cache_root), f"{src.name}-sweep"), f"sweep of {src.name} in {root}")
        return _sweep(src, root, variants, progress, keep, log)


def _sweep(src: BuildSource, root: Path, variants: tuple[str, ...], progress: bool, keep: bool,
           log: Path) -> Path:
    """The steps of :func:`sweep_variants`, run while holding the build lock of ``root``."""
    from quantize.gqa import parse_variant

    runner = StepRunner(root, progress=progress, log=log, label=src.name)
    out = root / SWEEP_DIR
    out.mkdir(parents=True, exist_ok=True)
    skipped: dict[str, str] = {}
    if "fp16" in variants and not cuda_available():
        skipped["fp16"] = "fp16 graphs target the CUDA execution provider, which this host lacks"
    wanted = ("fp32", *(v for v in variants if v != "fp32" and v not in skipped))
    runner.say(f"sweep of {src.name}: {', '.join(wanted)}" + (f" (skipped: {', '.join(skipped)})" if skipped else ""))
    hf_dir, tokenizer, tokenizer_json, parity = prepare(runner, src)
    eval_dir = root / "eval"
    graphs: dict[str, dict[str, Any]] = {}
    for v in wanted:
        forget_sizeless_scores(root, v)
        scores = eval_dir / f"{v}.json"
        shipped_dir = (root / v / "manifest.json").exists()  # a finished model dir: scored as it is
        if not scores.exists() and not shipped_dir:
            graphs[v] = make_gqa_dir(runner, v, hf_dir, tokenizer_json)
    manifests = runtime_manifests(src.name, tokenizer, graphs)
    reports = measure_variants(runner, {v: root / v for v in wanted}, parity,
                               {v: parse_variant(v).describe() for v in wanted}, manifests)
    for v, reason in skipped.items():
        reports[v] = {"variant": v, "description": parse_variant(v).describe(), "skipped": True, "reason": reason}
    write_reports(out, src.name, reports, None)
    if not keep:
        shipped = (root / "default").read_text().strip() if (root / "default").exists() else None
        for v in wanted:
            if v != shipped and (root / v).exists() and not (root / v / "manifest.json").exists():
                shutil.rmtree(root / v, ignore_errors=True)
                runner.forget(f"variant-{v}")
        if src.gguf_path is not None:  # the fp32 checkpoint converted from the GGUF (never a user's dir)
            runner.forget("gguf_to_hf", hf_dir)
            runner.forget("tokenizer_fix")
            runner.forget("tokenizer_parity")
        shutil.rmtree(root / "builder-work", ignore_errors=True)
    runner.say(f"sweep of {src.name}: report in {out}")
    return out

