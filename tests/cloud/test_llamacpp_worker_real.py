"""A `llamacpp` worker running Qwen2.5-Coder-1.5B-Instruct answers a sealed task (real model)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from cloud.backends import make_backend
from cloud.config import LlamaCppOptions
from cloud.worker import Worker
from device.escalation import Escalator
from protocol.keys import DeviceKeys
from protocol.messages import SubTask
from tandem.broker import BrokerProcess

MODEL = "qwen2.5-coder-1.5b-instruct"


@pytest.mark.real_model
def test_qwen_1_5b_answers_a_sealed_task(mosquitto: BrokerProcess, keys_root: Path) -> None:
    from quantize.sources import get_source, is_installed, locate_gguf
    from tandem.locations import default_models_dir

    if not is_installed(get_source(MODEL)):
        pytest.fail(f"{MODEL} is not installed: run scripts/setup ({get_source(MODEL).install_command})")
    gguf, digest = locate_gguf(MODEL, default_models_dir())  # pinned sha256, assembled once into the cache
    assert digest == get_source(MODEL).gguf_sha256
    backend = make_backend("llamacpp", gguf=gguf, options=LlamaCppOptions(n_ctx=1024, threads=2), model_name=MODEL)
    worker = Worker(broker_url=mosquitto.url, keys_root=keys_root, backend=backend)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    time.sleep(0.3)

    async def ask() -> tuple[str, str, int]:
        esc = Escalator(broker_url=mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"))
        await esc.start()
        try:
            record, fut = await esc.submit(SubTask(prompt="What is the capital of France? Answer in one word.",
                                                   max_tokens=8))
            result = await esc.wait(record, fut, 120)
            return result.text, result.model, result.tokens
        finally:
            await esc.close()

    try:
        text, model, tokens = asyncio.run(ask())
    finally:
        stop.set()
        thread.join(30)
    assert "paris" in text.lower() and model == MODEL and 0 < tokens <= 8
