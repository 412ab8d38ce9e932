"""A `llamacpp` worker running Qwen2.5-Coder-1.5B-Instruct plans a call under the answer's grammar (real model)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from cloud.backends import make_backend
from cloud.config import LlamaCppOptions
from cloud.planning import tool_specs
from cloud.worker import Worker
from device.escalation import Escalator
from device.tools import load_registry
from protocol.keys import DeviceKeys
from protocol.messages import SubTask, TaskResult
from tandem.broker import BrokerProcess

MODEL = "qwen2.5-coder-1.5b-instruct"
OFFERED = ("HassTurnOn", "HassTurnOff", "HassLightSet", "HassStartTimer")


@pytest.mark.real_model
def test_qwen_1_5b_plans_a_call_with_the_placeholder(mosquitto: BrokerProcess, keys_root: Path) -> None:
    from quantize.sources import get_source, is_installed, locate_gguf
    from tandem.locations import default_models_dir

    if not is_installed(get_source(MODEL)):
        pytest.fail(f"{MODEL} is not installed: run scripts/setup ({get_source(MODEL).install_command})")
    gguf, _digest = locate_gguf(MODEL, default_models_dir())
    backend = make_backend("llamacpp", gguf=gguf, options=LlamaCppOptions(n_ctx=2048, threads=2), model_name=MODEL)
    tools = tool_specs([{k: v for k, v in d.items() if k != "acts"}
                        for d in load_registry(entry_points=False).describe() if d["name"] in OFFERED])
    worker = Worker(broker_url=mosquitto.url, keys_root=keys_root, backend=backend)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    time.sleep(0.3)

    async def ask() -> TaskResult:
        esc = Escalator(broker_url=mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"))
        await esc.start()
        try:
            record, fut = await esc.submit(SubTask(prompt="Kill the <DEVICE_1>.", tools=tools))
            return await esc.wait(record, fut, 300)
        finally:
            await esc.close()

    try:
        result = asyncio.run(ask())
    finally:
        stop.set()
        thread.join(30)
    assert result.error is None and result.text == ""
    call = result.tool_call
    assert call is not None and call.name == "HassTurnOff" and call.arguments.get("name") == "<DEVICE_1>"
    assert result.model == MODEL and result.tokens > 0
