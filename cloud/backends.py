"""LLM backends of the worker: one small interface, a plain registry.

A backend turns one opened sub-task into text chunks (`generate` yields them as they come).
Built-ins: `onnx` (the tandem inference engine on a model from the cache), `echo` (for load
tests), `openai` (any OpenAI-compatible server, `cloud.backend_openai`) and `llamacpp` (a GGUF
in-process, `cloud.backend_llamacpp`). Each module imports its third-party binding only when its
backend is made, so a worker needs only the binding of the backend it runs.

A backend that reports a token count exposes `last_tokens` for the calling thread's last answer.
A backend whose `inline` is true answers in microseconds without blocking (echo without a delay):
the worker then runs it in the MQTT thread instead of handing each task to a processing thread
(two thread switches that cost more than the task).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar, Protocol

from cloud.errors import BackendError, UnknownBackend
from protocol.messages import SubTask

# The cloud sees placeholders such as <PERSON_1> instead of personal data; it must keep them.
CLOUD_SYSTEM_PROMPT = (
    "You are a helpful assistant. The request may contain placeholders such as <PERSON_1> or "
    "<EMAIL_1> standing for private values; copy them exactly as written where needed and never "
    "guess what they stand for. Answer clearly and concisely."
)


def chat_request(task: SubTask, system_prompt: str) -> dict[str, Any]:
    """One sub-task as an OpenAI chat-completions request, streamed with a final usage chunk: the
    `openai` backend posts it (plus its model name), the `llamacpp` backend hands it to the binding."""
    return {
        "messages": [{"role": "system", "content": task.system or system_prompt},
                     {"role": "user", "content": task.prompt}],
        "max_tokens": task.max_tokens,
        "temperature": task.temperature,
        "stream": True,
        "stream_options": {"include_usage": True},
    }


class Backend(Protocol):
    name: ClassVar[str]
    can_stream: ClassVar[bool]

    @property
    def model(self) -> str: ...

    def generate(self, task: SubTask) -> Iterator[str]: ...


class EchoBackend:
    """Returns the prompt: measures the transport and crypto, not a model.

    `delay_s` makes each answer take that long, so fault tests can kill a worker mid-task.
    """

    name: ClassVar[str] = "echo"
    can_stream: ClassVar[bool] = True

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.inline = delay_s <= 0  # no delay: answers at once, never blocks the MQTT thread

    @property
    def model(self) -> str:
        return "echo"

    def generate(self, task: SubTask) -> Iterator[str]:
        if self.delay_s > 0:
            time.sleep(self.delay_s)
        yield task.prompt


class OnnxBackend:
    """The tandem engine (onnxruntime) running a cloud-sized model from the model cache."""

    name: ClassVar[str] = "onnx"
    can_stream: ClassVar[bool] = True

    def __init__(self, model_dir: Path, threads: int | None = None, max_context: int = 4096) -> None:
        from inference.engine import Engine

        self._engine = Engine(model_dir, threads=threads, max_context=max_context)
        self.last_tokens = 0

    @property
    def model(self) -> str:
        return f"{self._engine.name}/{self._engine.manifest.precision}"

    def generate(self, task: SubTask) -> Iterator[str]:
        from inference.chat_format import Message
        from inference.engine import SamplingParams
        from inference.errors import ModelError

        messages = [Message("system", task.system or CLOUD_SYSTEM_PROMPT), Message("user", task.prompt)]
        chunks: list[str] = []
        params = SamplingParams(max_new_tokens=task.max_tokens, temperature=task.temperature)
        try:
            result = self._engine.chat(messages, params, on_token=lambda ev: chunks.append(ev.text))
        except ModelError as exc:
            raise BackendError(str(exc)) from exc
        self.last_tokens = len(result.token_ids)
        yield from chunks


def _openai(**kwargs: Any) -> Backend:
    from cloud.backend_openai import OpenAIBackend

    return OpenAIBackend(**kwargs)


def _llamacpp(**kwargs: Any) -> Backend:
    from cloud.backend_llamacpp import LlamaCppBackend

    return LlamaCppBackend(**kwargs)


BACKENDS: dict[str, Callable[..., Backend]] = {
    "echo": EchoBackend,
    "onnx": OnnxBackend,
    "openai": _openai,
    "llamacpp": _llamacpp,
}


def make_backend(name: str, **kwargs: object) -> Backend:
    try:
        factory = BACKENDS[name]
    except KeyError as exc:
        raise UnknownBackend(f"unknown backend {name!r}; known: {', '.join(sorted(BACKENDS))}") from exc
    return factory(**kwargs)
