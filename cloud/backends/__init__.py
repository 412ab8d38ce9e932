"""LLM backends of the worker: one small interface (`cloud.backends.base.Backend`), a plain registry.

Built-ins, one module each: `onnx` (the tandem inference engine on a model from the cache,
`cloud.backends.onnx`), `echo` (for load tests, `cloud.backends.echo`), `openai` (any
OpenAI-compatible server, `cloud.backends.openai`) and `llamacpp` (a GGUF in-process,
`cloud.backends.llamacpp`).

`BACKENDS` maps each name to a factory that imports its backend's module only when called, so a
worker needs only the binding of the backend it runs, and importing this package costs nothing: the
settings (`tandem.settings`) and the `tandem worker --backend` choices take their names from it.
A new backend is one module that imports `cloud.backends.base`, and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cloud.errors import UnknownBackend

if TYPE_CHECKING:
    from cloud.backends.base import Backend

__all__ = ["BACKENDS", "make_backend"]


def _onnx(**kwargs: Any) -> Backend:
    from cloud.backends.onnx import OnnxBackend

    return OnnxBackend(**kwargs)


def _echo(**kwargs: Any) -> Backend:
    from cloud.backends.echo import EchoBackend

    return EchoBackend(**kwargs)


def _openai(**kwargs: Any) -> Backend:
    from cloud.backends.openai import OpenAIBackend

    return OpenAIBackend(**kwargs)


def _llamacpp(**kwargs: Any) -> Backend:
    from cloud.backends.llamacpp import LlamaCppBackend

    return LlamaCppBackend(**kwargs)


BACKENDS: dict[str, Callable[..., Backend]] = {
    "onnx": _onnx,
    "echo": _echo,
    "openai": _openai,
    "llamacpp": _llamacpp,
}
"""Backend name -> factory (keyword arguments: the backend's own). The order is the one `tandem
worker --help` lists."""


def make_backend(name: str, **kwargs: object) -> Backend:
    """The backend registered as `name`, made with `kwargs`; UnknownBackend (listing the known
    names) for any other name."""
    try:
        factory = BACKENDS[name]
    except KeyError as exc:
        raise UnknownBackend(f"unknown backend {name!r}; known: {', '.join(sorted(BACKENDS))}") from exc
    return factory(**kwargs)
