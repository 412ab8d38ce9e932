"""The contract every LLM backend of the worker keeps, and what the built-ins share.

A backend turns one opened sub-task into text chunks:

    class Backend(Protocol):
        name: ClassVar[str]          # the registry name ("echo", "onnx", "openai", "llamacpp")
        can_stream: ClassVar[bool]   # chunks come as they are decoded, not all at the end
        model: str                   # what answered (a property): goes into every TaskResult
        def generate(self, task: SubTask) -> Iterator[str]: ...

`generate` may block (the worker calls it in a processing thread) and is called from several threads
at once when the worker's concurrency is above one. It raises only `cloud.errors.BackendError` (or a
subclass) for a failure on the task: the worker reports it to the device as an error result. A
backend that cannot start (missing model file, binding, API key) raises `BackendConfigError` from its
constructor. Third-party errors are translated inside the backend, with `from exc`.

Two optional attributes, read with `getattr` by the worker:

* `last_tokens: int`: the token count of the calling thread's last answer (for metrics and the
  result); without it the worker reports 0.
* `inline: bool`: true when the backend answers in microseconds without blocking (echo without a
  delay): the worker then runs it in the MQTT thread instead of handing each task to a processing
  thread (two thread switches that cost more than the task).

Each backend lives in its own module of this package and imports only this one (never another
backend); `cloud.backends` maps names to them and imports a backend's module, and so its
third-party binding, only when that backend is made.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Protocol

from protocol.messages import SubTask

__all__ = ["CLOUD_SYSTEM_PROMPT", "Backend", "chat_messages", "chat_request"]

# The cloud sees placeholders such as <PERSON_1> instead of personal data; it must keep them.
CLOUD_SYSTEM_PROMPT = (
    "You are a helpful assistant. The request may contain placeholders such as <PERSON_1> or "
    "<EMAIL_1> standing for private values; copy them exactly as written where needed and never "
    "guess what they stand for. Answer clearly and concisely."
)


def chat_messages(task: SubTask, system_prompt: str) -> list[dict[str, str]]:
    """The sub-task's chat: the system prompt, the conversation it follows up on (if any), its prompt."""
    history = [{"role": m.role, "content": m.content} for m in task.history or ()]
    return [{"role": "system", "content": task.system or system_prompt}, *history,
            {"role": "user", "content": task.prompt}]


def chat_request(task: SubTask, system_prompt: str) -> dict[str, Any]:
    """One sub-task as an OpenAI chat-completions request, streamed with a final usage chunk: the
    `openai` backend posts it (plus its model name), the `llamacpp` backend hands it to the binding."""
    return {
        "messages": chat_messages(task, system_prompt),
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
