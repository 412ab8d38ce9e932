"""The cloud worker's backend as settings name it (`worker_backend` and `[worker]`): for `tandem worker`
and for evaluations that ask the worker's model in-process (`tandem eval route`)."""

from __future__ import annotations

from typing import Any


def make_worker_backend(settings: Any) -> Any:
    """The backend `settings.worker_backend` names, with its options (models located or built)."""
    from cloud.backends import make_backend

    name = settings.worker_backend
    opts = settings.worker
    if name == "onnx":
        from tandem.assembly.runtime import model_dir

        return make_backend("onnx", model_dir=model_dir(settings.cloud_model, settings), threads=settings.threads)
    if name == "echo":
        return make_backend("echo", delay_s=opts.echo_delay_s)
    if name == "openai":
        return make_backend("openai", options=opts.openai)
    # llamacpp: an explicit GGUF, or a registered source assembled into the model cache
    gguf, label = opts.llamacpp.gguf, None
    if gguf is None:
        from quantize.sources import locate_gguf

        gguf, _digest = locate_gguf(opts.llamacpp.model, settings.models_dir)
        label = opts.llamacpp.model
    return make_backend("llamacpp", gguf=gguf, options=opts.llamacpp, model_name=label)


def worker_model_name(settings: Any) -> str:
    """The `model` name the backend `settings` name would report, without loading a llama.cpp or remote
    model (an answer cache is keyed by it); the onnx backend is built to ask it."""
    name = settings.worker_backend
    opts = settings.worker
    if name == "llamacpp":
        return str(opts.llamacpp.model if opts.llamacpp.gguf is None else opts.llamacpp.gguf.stem)
    if name == "openai":
        return str(opts.openai.model)
    if name == "echo":
        return "echo"
    return str(make_worker_backend(settings).model)
