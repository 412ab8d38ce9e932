"""``tandem bench``: measurements that compare tandem with its peers (a click group to extend).

``tandem bench engine`` runs tandem's engine and its peers on the same model, prompt (~100 tokens of
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
from pathlib import Path
from typing import Any

import click

PROMPT_TOKENS = 100
NEW_TOKENS = 64
ENGINES = ("tandem", "onnxruntime-genai", "llama.cpp", "optimum")


@click.group()
def bench() -> None:
    """Benchmarks: tandem against its peers, on this machine."""


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


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
    # -m, not the file's path: a script's own dir goes first on sys.path, and tandem/trace.py
    # would then shadow the standard library module of the same name
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    proc = subprocess.run([python, "-m", "tandem.bench_engines", str(path)], capture_output=True, text=True,
                          env=env, check=False)
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
        from tandem.bench_optimum import optimum_dir

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


@bench.command("engine")
@click.option("--model", "model_name", default=None, help="model name (default: the device model)")
@click.option("--threads", type=int, default=None, help="intra-op threads (default: the hardware profile's)")
@click.option("--runs", type=int, default=3, show_default=True, help="rounds; each engine runs once per round")
@click.option("--precision", default=None, help="a built variant other than the model's default (e.g. int8-head4-kq)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def bench_engine(model_name: str | None, threads: int | None, runs: int, precision: str | None,
                 as_json: bool) -> None:
    """tandem's engine vs onnxruntime-genai, llama.cpp and optimum: prefill, decode, peak RSS."""
    from protocol.errors import TandemError
    from tandem.settings import Settings

    settings = Settings()
    name = model_name or settings.device_model
    if threads is None:
        from tandem.assembly.engine_options import engine_options

        threads = engine_options(settings).threads or 2
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmpdir:
        tmp = Path(tmpdir)
        try:
            plan, facts = _plan(name, settings, threads, tmp, precision)
        except TandemError as exc:
            _fail(str(exc))
        rounds: dict[str, list[dict[str, Any]]] = {e: [] for e in ENGINES}
        for k in range(runs):
            for engine in ENGINES:
                step = plan[engine]
                if "skipped" in step:
                    rounds[engine].append({"skipped": step["skipped"]})
                    continue
                if not as_json:
                    click.echo(f"round {k + 1}/{runs}: {engine} ...", err=True)
                rounds[engine].append(_child(step["python"], step["request"], tmp))
    results = {e: _summary(r) for e, r in rounds.items()}
    report = {**facts, "threads": threads, "new_tokens": NEW_TOKENS, "rounds": runs, "engines": results,
              "tandem_ratio": _ratios(results, facts["model_files_mb"])}
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"{name} ({facts['precision']}, {facts['model_files_mb']} MB model files), "
               f"{facts['prompt_tokens']}-token prompt, {NEW_TOKENS} new tokens, {threads} threads, {runs} rounds")
    click.echo(f"{'engine':<20}{'prefill ms':>12}{'decode tok/s':>14}{'peak RSS MB':>13}  (best; median)")
    for e, r in results.items():
        if "skipped" in r:
            click.echo(f"{e:<20}skipped: {r['skipped']}")
            continue
        click.echo(f"{e:<20}{r['prefill_ms_best']:>12.0f}{r['decode_tok_s_best']:>14.1f}{r['peak_rss_mb']:>13.0f}"
                   f"  ({r['prefill_ms_median']:.0f} ms; {r['decode_tok_s_median']:.1f} tok/s)")
    for peer, ratio in report["tandem_ratio"].items():
        if isinstance(ratio, dict):
            click.echo(f"tandem vs {peer}: decode {ratio['decode']}x, prefill speed {ratio['prefill_speed']}x, "
                       f"RSS {ratio['rss']}x")
    if "rss_vs_model_files" in report["tandem_ratio"]:
        click.echo(f"tandem peak RSS / model files: {report['tandem_ratio']['rss_vs_model_files']}x")


from tandem.bench_worker import bench_worker

bench.add_command(bench_worker)
