"""``tandem bench engine``: tandem's engine against its peers, on this machine.

It runs tandem's engine and its peers on the same model, prompt (~100 tokens of
``quantize/data/heldout.txt``) and thread count, each engine in its own child process (so its peak RSS
is its own), round-robin for ``--runs`` rounds (a noisy neighbour slows every engine alike):

* ``tandem``: the built model dir (GroupQueryAttention graph, shared KV buffer);
* ``onnxruntime-genai``: the SAME graph files, through onnxruntime-genai (its builder made them), run
  under the builder's venv with ``intra_op_num_threads`` set in a copy of ``genai_config.json``;
* ``llama.cpp``: xllamacpp's server on the source GGUF, timed by llama.cpp's own counters;
* ``optimum``: ``ORTModelForCausalLM.generate`` on an optimum export of the same weights, quantized
  like tandem's model where the optimum path can (built on first use into the build dir).

A peer that is not installed or fails is reported as ``skipped`` with the reason, never estimated.
Ratios use each engine's best run (interference only ever slows a run down); medians are printed too.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROMPT_TOKENS = 100
NEW_TOKENS = 64
ENGINES = ("tandem", "onnxruntime-genai", "llama.cpp", "optimum")


def _model_files_mb(model_dir: Path) -> float:
    return sum(p.stat().st_size for p in model_dir.iterdir() if p.name.startswith("model.onnx")) / 1e6


def _genai_dir(model_dir: Path, threads: int, tmp: Path) -> Path:
    """A view of ``model_dir`` whose genai_config.json sets the thread count (the original stays hashed)."""
    view = tmp / "genai-model"
    view.mkdir()
    for f in model_dir.iterdir():
        if f.name != "genai_config.json":
            (view / f.name).symlink_to(f)
    config = json.loads((model_dir / "genai_config.json").read_text())
    config["model"]["decoder"]["session_options"].update({"intra_op_num_threads": threads,
                                                          "inter_op_num_threads": 1})
    (view / "genai_config.json").write_text(json.dumps(config))
    return view


def _child(python: str, request: dict[str, Any], tmp: Path) -> dict[str, Any]:
    path = tmp / f"request-{request['engine']}.json"
    path.write_text(json.dumps(request))
    # -m with the repo root on PYTHONPATH: the genai peer's interpreter is another venv, where
    # tandem is not installed (and a script's own dir on sys.path could shadow a stdlib module)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.run([python, "-m", "harness.bench.engine_runner", str(path)], capture_output=True,
                          text=True, env=env, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"skipped": f"failed (exit {proc.returncode}): {tail[:300]}"}
    return json.loads(lines[-1])


def _plan(name: str, settings: Any, threads: int, tmp: Path,
          precision: str | None = None) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Per engine: the interpreter and request, or the reason it is skipped; plus the model facts."""
    from quantize.errors import QuantizeError
    from quantize.quality import heldout_ids
    from tandem.assembly.runtime import model_dir as built_dir

    if precision is None:
        mdir = built_dir(name, settings)
    else:
        from quantize.locate import find_built

        found = find_built(name, settings.models_dir, precision)
        if found is None:
            raise QuantizeError(f"{name} has no built {precision} variant: `tandem model build {name} "
                                f"--precision {precision}` first")
        mdir = found
    from tokenizers import Tokenizer

    from inference.manifest import load_manifest

    manifest = load_manifest(mdir)
    tok = Tokenizer.from_file(str(mdir / manifest.tokenizer_file))
    prompt = heldout_ids(lambda t: tok.encode(t).ids, PROMPT_TOKENS)
    base = {"prompt_ids": prompt, "threads": threads, "new_tokens": NEW_TOKENS,
            "max_context": 512, "runs": 1}
    plan: dict[str, dict[str, Any]] = {
        "tandem": {"python": sys.executable, "request": {**base, "engine": "tandem", "model_dir": str(mdir)}}
    }
    try:
        from quantize.gqa import genai_python

        if manifest.kv_cache != "shared" or not (mdir / "genai_config.json").exists():
            raise QuantizeError("the built model is not an onnxruntime-genai builder graph")
        plan["onnxruntime-genai"] = {"python": str(genai_python()), "request": {
            **base, "engine": "onnxruntime-genai", "model_dir": str(_genai_dir(mdir, threads, tmp))}}
    except QuantizeError as exc:
        plan["onnxruntime-genai"] = {"skipped": str(exc)}
    try:
        import importlib.util

        from quantize.sources import locate_gguf

        if importlib.util.find_spec("xllamacpp") is None:
            raise QuantizeError("xllamacpp is not installed (pip install xllamacpp)")
        gguf, _ = locate_gguf(name, settings.models_dir)
        plan["llama.cpp"] = {"python": sys.executable, "request": {**base, "engine": "llama.cpp", "gguf": str(gguf)}}
    except QuantizeError as exc:
        plan["llama.cpp"] = {"skipped": str(exc)}
    try:
        from harness.bench.optimum import optimum_dir

        plan["optimum"] = {"python": sys.executable, "request": {
            # optimum quantizes whole graphs only: int8 variants compare with its int8, others with fp32
            **base, "engine": "optimum",
            "model_dir": str(optimum_dir(name, settings.models_dir, manifest.precision.split("-")[0]))}}
    except (ImportError, QuantizeError) as exc:
        plan["optimum"] = {"skipped": f"{type(exc).__name__}: {exc}"}
    facts = {"model": name, "precision": manifest.precision, "model_dir": str(mdir),
             "model_files_mb": round(_model_files_mb(mdir), 1), "prompt_tokens": len(prompt)}
    return plan, facts


def _summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in rounds if "runs" in r]
    if not ok:
        return {"skipped": rounds[-1].get("skipped", "no result")}
    runs = [run for r in ok for run in r["runs"]]
    pre = [r["prefill_ms"] for r in runs]
    dec = [r["decode_tok_s"] for r in runs]
    return {
        "prefill_ms_best": round(min(pre), 1), "prefill_ms_median": round(statistics.median(pre), 1),
        "decode_tok_s_best": round(max(dec), 1), "decode_tok_s_median": round(statistics.median(dec), 1),
        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in ok), 1),
        "load_ms": round(min(r["load_ms"] for r in ok), 1), "runs": len(runs),
    }


def _ratios(results: dict[str, dict[str, Any]], files_mb: float) -> dict[str, Any]:
    me = results["tandem"]
    out: dict[str, Any] = {}
    if "skipped" in me:
        return out
    out["rss_vs_model_files"] = round(me["peak_rss_mb"] / files_mb, 2)
    for peer, r in results.items():
        if peer == "tandem" or "skipped" in r:
            continue
        out[peer] = {
            "decode": round(me["decode_tok_s_best"] / r["decode_tok_s_best"], 2),
            "prefill_speed": round(r["prefill_ms_best"] / me["prefill_ms_best"], 2),
            "rss": round(me["peak_rss_mb"] / r["peak_rss_mb"], 2),
        }
    return out


def run_engine_bench(name: str, settings: Any, threads: int, runs: int, precision: str | None = None,
                     progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run every engine `runs` rounds (round-robin) on model `name` and return the report: the model facts,
    ``threads``, ``new_tokens``, ``rounds``, per engine its summary (or ``skipped``) and ``tandem_ratio``."""
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmpdir:
        tmp = Path(tmpdir)
        plan, facts = _plan(name, settings, threads, tmp, precision)
        rounds: dict[str, list[dict[str, Any]]] = {e: [] for e in ENGINES}
        for k in range(runs):
            for engine in ENGINES:
                step = plan[engine]
                if "skipped" in step:
                    rounds[engine].append({"skipped": step["skipped"]})
                    continue
                if progress is not None:
                    progress(f"round {k + 1}/{runs}: {engine} ...")
                rounds[engine].append(_child(step["python"], step["request"], tmp))
    results = {e: _summary(r) for e, r in rounds.items()}
    return {**facts, "threads": threads, "new_tokens": NEW_TOKENS, "rounds": runs, "engines": results,
            "tandem_ratio": _ratios(results, facts["model_files_mb"])}
