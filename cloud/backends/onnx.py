"""The `onnx` backend: the tandem inference engine (onnxruntime) on a cloud-sized model from the cache.

The engine runs one generation at a time, so a worker process with this backend takes one task at
a time (`tandem worker` refuses more); scale with more processes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

from cloud.backends.base import CLOUD_SYSTEM_PROMPT, chat_messages
from cloud.errors import BackendError
from cloud.planning import constrained_plan
from protocol.messages import SubTask
from protocol.tools import PlannedToolCall, ToolSpec

__all__ = ["OnnxBackend"]


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

    def plan(self, prompt: str, tools: Sequence[ToolSpec]) -> PlannedToolCall | None:
        """A call of one of `tools` by grammar-constrained decoding (`cloud.planning.constrained_plan`)."""
        return constrained_plan(self._engine, prompt, tools)

    def generate(self, task: SubTask) -> Iterator[str]:
        from inference.chat_format import Message
        from inference.engine import SamplingParams
        from inference.errors import ModelError

        messages = [Message(m["role"], m["content"]) for m in chat_messages(task, CLOUD_SYSTEM_PROMPT)]
        chunks: list[str] = []
        params = SamplingParams(max_new_tokens=task.max_tokens, temperature=task.temperature)
        try:
            result = self._engine.chat(messages, params, on_token=lambda ev: chunks.append(ev.text))
        except ModelError as exc:
            raise BackendError(str(exc)) from exc
        self.last_tokens = len(result.token_ids)
        yield from chunks
