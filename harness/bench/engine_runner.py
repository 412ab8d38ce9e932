"""One engine, one child process: the measuring side of ``tandem bench engine``.

Run as ``python -m harness.bench.engine_runner REQUEST.json`` (repo root on PYTHONPATH) by the parent
(:mod:`harness.bench.engine`),
which runs each engine in its own process so every peak RSS is that engine's alone. The
onnxruntime-genai peer runs under the builder's venv, where tandem is not installed: this file
imports only the standard library at module level, and each engine's own package inside its runner.

Every runner feeds the same prompt token ids, greedily generates ``new_tokens`` tokens ignoring EOS,
does one warm-up, then ``runs`` timed runs, and prints one JSON line: ``load_ms``, per run
``prefill_ms`` and ``decode_tok_s`` (tokens after the first, over the time after prefill), and
``peak_rss_mb`` (``ru_maxrss`` of this process).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

Run = dict[str, float]


def _timed(fn: Callable[[], Run], runs: int) -> list[Run]:
    fn()  # warm-up: first-run allocations and lazy initialisation are not part of the figures
    return [fn() for _ in range(runs)]


def run_tandem(req: dict[str, Any]) -> tuple[float, list[Run]]:
    from pathlib import Path

    from inference.engine import Engine, SamplingParams

    t0 = time.perf_counter()
    engine = Engine(Path(req["model_dir"]), threads=req["threads"], max_context=req["max_context"])
    load_ms = (time.perf_counter() - t0) * 1000
    engine._eos = set()  # a fixed number of tokens, as the peers generate
    params = SamplingParams(max_new_tokens=req["new_tokens"], stop_token_ids=())

    def once() -> Run:
        g = engine.generate(req["prompt_ids"], params)
        return {"prefill_ms": g.prefill_ms, "decode_tok_s": g.decode_tokens_per_s}

    return load_ms, _timed(once, req["runs"])


def run_genai(req: dict[str, Any]) -> tuple[float, list[Run]]:
    import onnxruntime_genai as og

    t0 = time.perf_counter()
    model = og.Model(req["model_dir"])
    load_ms = (time.perf_counter() - t0) * 1000
    ids, n = req["prompt_ids"], req["new_tokens"]

    def once() -> Run:
        params = og.GeneratorParams(model)
        # >= 512: sliding-window models (Gemma 3) need a KV buffer one window long; the loop stops at n
        params.set_search_options(max_length=max(len(ids) + n, 512), do_sample=False)
        gen = og.Generator(model, params)
        start = time.perf_counter()
        gen.append_tokens(ids)  # prefill, producing the first token's logits
        prefilled = time.perf_counter()
        produced = 0
        while not gen.is_done() and produced < n:
            gen.generate_next_token()
            produced += 1
        end = time.perf_counter()
        return {"prefill_ms": (prefilled - start) * 1000, "decode_tok_s": (produced - 1) / (end - prefilled)}

    return load_ms, _timed(once, req["runs"])


def run_llama(req: dict[str, Any]) -> tuple[float, list[Run]]:
    import urllib.request

    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = req["gguf"]
    params.n_ctx = req["max_context"]
    params.n_parallel = 1
    params.cpuparams.n_threads = req["threads"]
    params.cpuparams_batch.n_threads = req["threads"]
    params.warmup = True
    params.verbosity = 0
    params.port = 0
    t0 = time.perf_counter()
    server = xllamacpp.Server(params)
    load_ms = (time.perf_counter() - t0) * 1000
    url = server.listening_address.rstrip("/") + "/completion"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy

    def once() -> Run:
        body = {"prompt": req["prompt_ids"], "n_predict": req["new_tokens"], "temperature": 0.0, "top_k": 1,
                "ignore_eos": True, "cache_prompt": False, "stream": False}
        request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with opener.open(request, timeout=600) as resp:
            timings = json.loads(resp.read())["timings"]
        # llama.cpp's own timers: prompt_ms covers the prompt; predicted_* the generated tokens
        return {"prefill_ms": float(timings["prompt_ms"]), "decode_tok_s": float(timings["predicted_per_second"])}

    try:
        return load_ms, _timed(once, req["runs"])
    finally:
        del server


def run_optimum(req: dict[str, Any]) -> tuple[float, list[Run]]:
    import warnings

    import onnxruntime as ort

    warnings.simplefilter("ignore")  # third-party deprecation chatter on stderr is not a result
    import torch
    from optimum.onnxruntime import ORTModelForCausalLM

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = req["threads"]
    opts.inter_op_num_threads = 1
    t0 = time.perf_counter()
    model = ORTModelForCausalLM.from_pretrained(req["model_dir"], session_options=opts, use_cache=True,
                                                provider="CPUExecutionProvider")
    load_ms = (time.perf_counter() - t0) * 1000
    ids = torch.tensor([req["prompt_ids"]], dtype=torch.int64)
    mask = torch.ones_like(ids)
    n = req["new_tokens"]

    def gen(k: int) -> float:
        start = time.perf_counter()
        model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=k, min_new_tokens=k, do_sample=False)
        return time.perf_counter() - start

    def once() -> Run:
        prefill = gen(1)  # one token: the prefill (plus one sampling step)
        total = gen(n)
        return {"prefill_ms": prefill * 1000, "decode_tok_s": (n - 1) / max(total - prefill, 1e-9)}

    return load_ms, _timed(once, req["runs"])


RUNNERS = {"tandem": run_tandem, "onnxruntime-genai": run_genai, "llama.cpp": run_llama, "optimum": run_optimum}


def main(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        req = json.loads(f.read())
    load_ms, runs = RUNNERS[req["engine"]](req)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    print(json.dumps({"load_ms": load_ms, "runs": runs, "peak_rss_mb": peak}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
