"""The quality report of one model variant, and the floor a variant must reach to ship.

Measured through tandem's own engine (the code that will run the model) on a held-out text shipped
with the project (``quantize/data/heldout.txt``: public-domain prose plus a little code):

* ``perplexity``: exp of the mean negative log-likelihood of each next token of the text;
* ``top1_agreement``: fraction of positions where the variant's most likely next token equals fp32's
  (1.0 for fp32 itself): the direct measure of how far quantization moved the model;
* ``tokenizer_parity``: matched/checked strings against llama.cpp on the same GGUF (from the build), or
  ``skipped`` with the reason where there is no GGUF (a build from a Hugging Face checkpoint dir);
* ``file_mb``, ``load_ms``, ``prefill_ms`` (a ~100-token prompt) and ``decode_tok_s`` (best of runs).

The text is scored token by token through the KV cache (the graphs only return last-position logits),
which is also what generation does. A variant whose agreement is below ``AGREEMENT_FLOOR`` is refused.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any

from quantize.errors import VariantRefused

HELDOUT = Path(__file__).parent / "data" / "heldout.txt"
#: Tokens of the held-out text that are scored (a few seconds per variant on 2 cores).
EVAL_TOKENS = 320
#: Minimum top-1 agreement with fp32; TANDEM_AGREEMENT_FLOOR overrides it.
AGREEMENT_FLOOR = 0.80
REPORT_JSON = "quality.json"
REPORT_MD = "quality.md"
SPEED_PROMPT_TOKENS = 100
SPEED_NEW_TOKENS = 32


def agreement_floor() -> float:
    return float(os.environ.get("TANDEM_AGREEMENT_FLOOR", AGREEMENT_FLOOR))


def heldout_ids(encode: Any, limit: int = EVAL_TOKENS) -> list[int]:
    return list(encode(HELDOUT.read_text(encoding="utf-8")))[:limit]


def score_text(engine: Any, ids: list[int], progress: bool = False) -> tuple[list[int], list[float]]:
    """Per position i < len-1: the argmax next token and log p(ids[i+1]) under ``engine``'s model."""
    import numpy as np
    from tqdm import tqdm

    runner = engine._runner
    argmax: list[int] = []
    logp: list[float] = []
    logits = runner.prefill(np.asarray([ids[:1]], dtype=np.int64))
    for i in tqdm(range(1, len(ids)), desc=f"scoring {engine.manifest.precision}", disable=not progress,
                  leave=False):
        z = logits.astype(np.float64)
        z -= z.max()
        log_total = math.log(float(np.exp(z).sum()))
        argmax.append(int(np.argmax(z)))
        logp.append(float(z[ids[i]]) - log_total)
        if i < len(ids) - 1:
            logits = runner.step(ids[i], i)
    return argmax, logp


def measure_speed(engine: Any, ids: list[int], runs: int = 2) -> dict[str, float]:
    from inference.engine import SamplingParams

    prompt = (ids * 4)[:SPEED_PROMPT_TOKENS]
    params = SamplingParams(max_new_tokens=SPEED_NEW_TOKENS, stop_token_ids=())
    eos = set(engine.manifest.eos_token_ids)
    gens = []
    for _ in range(runs):
        engine._eos = set()  # measure a fixed number of tokens
        try:
            gens.append(engine.generate(prompt, params))
        finally:
            engine._eos = eos
    return {
        "prefill_ms": round(min(g.prefill_ms for g in gens), 1),
        "decode_tok_s": round(max(g.decode_tokens_per_s for g in gens), 1),
    }


def evaluate_model(
    model_dir: str, out_json: str, runtime_manifest: dict[str, Any] | None = None, threads: int = 2
) -> dict[str, Any]:
    """Score ``model_dir`` on the held-out text and time it; save per-position results (child process).

    ``runtime_manifest``: the fields the engine loads by, written as a provisional ``manifest.json``
    for the duration of the measurement (a dir without the final, hashed manifest is not "built").
    """
    from inference.engine import Engine

    provisional = Path(model_dir) / "manifest.json"
    if runtime_manifest is not None:
        provisional.write_text(json.dumps(runtime_manifest))
    try:
        started = time.perf_counter()
        # >= 512: Gemma 3's sliding-window attention needs a KV buffer at least one window long
        engine = Engine(Path(model_dir), threads=threads, max_context=1024)
        load_ms = (time.perf_counter() - started) * 1000
    finally:
        if runtime_manifest is not None:
            provisional.unlink()
    ids = heldout_ids(engine.encode, min(EVAL_TOKENS, engine.max_context - SPEED_PROMPT_TOKENS - SPEED_NEW_TOKENS))
    argmax, logp = score_text(engine, ids)  # a build step's child: the parent shows the step's bar
    data = {
        "tokens": len(ids),
        "ids": ids,
        "argmax": argmax,
        "logp": logp,
        "load_ms": round(load_ms, 1),
        **measure_speed(engine, ids),
    }
    Path(out_json).write_text(json.dumps(data))
    return {k: v for k, v in data.items() if k not in ("ids", "argmax", "logp")}


def make_report(
    variant: str,
    scores: dict[str, Any],
    reference: dict[str, Any] | None,
    *,
    file_mb: float,
    parity: dict[str, Any],
    description: str,
) -> dict[str, Any]:
    """Combine the per-position scores with fp32's (``reference``; None for fp32 itself)."""
    nll = -sum(scores["logp"]) / len(scores["logp"])
    ref = reference or scores
    # A prediction only compares with fp32's where both saw the same text as the same tokens: after
    # the first differing input token (a wrong tokenizer) every position counts as a disagreement.
    aligned = next((i for i, (a, b) in enumerate(zip(scores["ids"], ref["ids"])) if a != b),
                   min(len(scores["ids"]), len(ref["ids"])))
    same = sum(a == b for a, b in zip(scores["argmax"][: max(aligned - 1, 0)], ref["argmax"]))
    floor = agreement_floor()
    agreement = same / len(ref["argmax"])
    return {
        "variant": variant,
        "description": description,
        "heldout": {"file": "quantize/data/heldout.txt", "tokens_scored": len(scores["logp"])},
        "perplexity": round(math.exp(nll), 3),
        "top1_agreement": round(agreement, 4),
        "same_tokenization_as_fp32": aligned == len(ref["ids"]) == len(scores["ids"]),
        "agreement_floor": floor,
        "accepted": agreement >= floor,
        "tokenizer_parity": {
            "matched": parity.get("matched"),
            "checked": parity.get("checked"),
            "reference": parity.get("reference"),
            # a build without a GGUF records why nothing was compared (never a pass)
            **({"skipped": True, "reason": parity.get("reason")} if parity.get("skipped") else {}),
        },
        "file_mb": file_mb,
        "load_ms": scores["load_ms"],
        "prefill_ms": scores["prefill_ms"],
        "prefill_tokens": SPEED_PROMPT_TOKENS,
        "decode_tok_s": scores["decode_tok_s"],
    }


def check_floor(report: dict[str, Any]) -> None:
    if not report["accepted"]:
        raise VariantRefused(
            f"variant {report['variant']} refused: top-1 agreement with fp32 {report['top1_agreement']:.3f} "
            f"is below the floor {report['agreement_floor']:.2f} (perplexity {report['perplexity']}); "
            "choose a less aggressive variant (e.g. int4-emb8 or int8) or lower TANDEM_AGREEMENT_FLOOR"
        )


def to_markdown(name: str, reports: dict[str, dict[str, Any]], chosen: str | None) -> str:
    rows = [
        f"# Quality report: {name}",
        "",
        "Held-out text: `quantize/data/heldout.txt` (scored token by token through tandem's engine); agreement "
        + "= top-1 next-token agreement with fp32.",
        "",
        "| variant | perplexity | top-1 agreement | accepted | parity | file MB | load ms | prefill ms | decode tok/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    measured = {v: r for v, r in reports.items() if not r.get("skipped")}
    for v, r in reports.items():
        if r.get("skipped"):
            rows.append(f"| {v} | not measured: {r['reason']} | | | | | | | |")
            continue
        p = r["tokenizer_parity"]
        mark = " (chosen)" if v == chosen else ""
        parity = "skipped (no GGUF)" if p.get("skipped") else f"{p['matched']}/{p['checked']}"
        rows.append(
            f"| {v}{mark} | {r['perplexity']} | {r['top1_agreement']:.3f} | {'yes' if r['accepted'] else 'NO'} "
            f"| {parity} | {r['file_mb']} | {r['load_ms']:.0f} | {r['prefill_ms']:.0f} "
            f"| {r['decode_tok_s']:.1f} |"
        )
    floor = next(iter(measured.values()))["agreement_floor"] if measured else AGREEMENT_FLOOR
    skipped = next((r["tokenizer_parity"] for r in measured.values() if r["tokenizer_parity"].get("skipped")), None)
    if skipped:
        rows += ["", f"Tokenizer parity with llama.cpp skipped: {skipped['reason']}."]
    rows += ["", f"Agreement floor: {floor} (TANDEM_AGREEMENT_FLOOR). Descriptions:", ""]
    rows += [f"- `{v}`: {r['description']}" for v, r in reports.items()]
    return "\n".join(rows) + "\n"


def write_reports(model_dir: Path, name: str, reports: dict[str, dict[str, Any]], chosen: str | None) -> None:
    """``quality.json`` and ``quality.md`` next to the model (every variant measured, chosen marked)."""
    payload = {"model": name, "chosen": chosen, "variants": reports}
    (model_dir / REPORT_JSON).write_text(json.dumps(payload, indent=2) + "\n")
    (model_dir / REPORT_MD).write_text(to_markdown(name, reports, chosen))
