"""The `llamacpp` backend: a GGUF run in-process by llama.cpp through the `xllamacpp` binding.

For a worker without a separate model server. xllamacpp's `Server` loads the model once and
answers OpenAI-style chat requests through `handle_chat_completions` (the same code as llama.cpp's
HTTP server, with its chat templates and `n_parallel` slots for continuous batching). That call
blocks and hands streamed chunks to a callback, so it runs in a helper thread and the chunks reach
`generate`'s caller through a queue as they are decoded.

A sub-task that offers tools is planned, not streamed, in two steps whose `response_format` is a JSON
Schema that llama.cpp compiles to a grammar: the tool's name or null (`cloud.planning.choice_schema`),
then that tool's arguments (`answer_schema([tool])`), so the model can only write a call of an offered
tool with arguments of the right types, or no call. Two small grammars instead of one `anyOf` over
every tool's arguments (45 branches for the built-in registry), whose constrained sampling is slow.

The binding also opens llama.cpp's HTTP listener; it is bound to 127.0.0.1 on a free port and
nothing here uses it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from cloud.backends.base import CLOUD_SYSTEM_PROMPT, chat_request
from cloud.config import LlamaCppOptions
from cloud.errors import BackendConfigError, BackendError
from cloud.planning import answer_schema, choice_schema, parse_choice, parse_plan, planning_messages
from protocol.messages import SubTask
from protocol.tools import PlannedToolCall, ToolSpec

log = logging.getLogger(__name__)

_DONE = object()


def _chunk_text(chunk: dict[str, Any]) -> str:
    text = ""
    for choice in chunk.get("choices") or []:
        content = (choice.get("delta") or {}).get("content")
        if isinstance(content, str):
            text += content
    return text


def _error_of(obj: object) -> str | None:
    if isinstance(obj, dict) and "error" in obj:
        err = obj["error"]
        return str(err.get("message", err) if isinstance(err, dict) else err)[:200]
    return None


class LlamaCppBackend:
    """llama.cpp in this process, on one GGUF file."""

    name: ClassVar[str] = "llamacpp"
    can_stream: ClassVar[bool] = True

    def __init__(self, gguf: Path, options: LlamaCppOptions | None = None, *, model_name: str | None = None,
                 system_prompt: str | None = None) -> None:
        self.options = options or LlamaCppOptions()
        self.gguf = Path(gguf)
        self._model = model_name or self.gguf.stem
        self.system_prompt = system_prompt or CLOUD_SYSTEM_PROMPT
        if not self.gguf.is_file():
            raise BackendConfigError(f"GGUF file {self.gguf} does not exist: set worker.llamacpp.gguf or "
                                     "install the model's packages (`tandem model list`)")
        try:
            import xllamacpp
        except ImportError as exc:
            raise BackendConfigError("the llamacpp backend needs xllamacpp: pip install 'tandem-edge[cloud]'") from exc
        o = self.options
        params = xllamacpp.CommonParams()
        params.model.path = str(self.gguf)
        params.n_ctx = o.n_ctx
        params.n_parallel = o.n_parallel
        params.n_gpu_layers = o.gpu_layers
        params.warmup = False
        params.verbosity = 0
        params.endpoint_metrics = False
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # the binding's HTTP listener: loopback, any free port, unused
        if o.threads is not None:
            params.cpuparams.n_threads = o.threads
            params.cpuparams_batch.n_threads = o.threads
        try:
            self._server = xllamacpp.Server(params)
        except (RuntimeError, ValueError, OSError) as exc:
            raise BackendConfigError(f"llama.cpp could not load {self.gguf} ({exc}): check the file and "
                                     "free memory") from exc
        self._local = threading.local()
        log.info("llamacpp backend loaded gguf=%s n_ctx=%d n_parallel=%d", self.gguf.name, o.n_ctx, o.n_parallel)

    @property
    def model(self) -> str:
        return self._model

    @property
    def last_tokens(self) -> int:
        return int(getattr(self._local, "tokens", 0))

    def plan(self, prompt: str, tools: Sequence[ToolSpec], max_tokens: int = 256) -> PlannedToolCall | None:
        """The call the model picks among `tools` for `prompt`, in two grammar-constrained steps: the
        tool's name (or null) under `choice_schema`, then its arguments under that one tool's schema.
        Both steps send the same messages, so the second reuses the first's prompt cache."""
        messages = planning_messages(prompt, tools)
        self._local.tokens = 0
        tool = parse_choice(self._complete(messages, choice_schema(tools), 32), tools)
        if tool is None:
            return None
        return parse_plan(self._complete(messages, answer_schema([tool], allow_none=False), max_tokens), tools)

    def _complete(self, messages: list[dict[str, str]], schema: dict[str, Any], max_tokens: int) -> str:
        """One non-streamed completion whose text fits `schema` (llama.cpp compiles it to a grammar)."""
        request = {"messages": messages, "max_tokens": max_tokens, "temperature": 0.0,
                   "response_format": {"type": "json_schema", "json_schema": {"name": "call", "schema": schema}}}
        try:
            out = self._server.handle_chat_completions(request)
        except (RuntimeError, ValueError, TypeError) as exc:
            raise BackendError(f"llama.cpp failed to plan the task: {exc}") from exc
        error = _error_of(out)
        if error is not None:
            raise BackendError(f"llama.cpp refused the planning task: {error}")
        try:
            text = out["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise BackendError("llama.cpp answered the planning task without a message") from exc
        usage = out.get("usage")
        if isinstance(usage, dict) and "completion_tokens" in usage:
            self._local.tokens = self.last_tokens + int(usage["completion_tokens"])
        return str(text or "")

    def generate(self, task: SubTask) -> Iterator[str]:
        request = chat_request(task, self.system_prompt)
        chunks: queue.Queue[object] = queue.Queue()
        self._local.tokens = 0

        def on_chunk(chunk: object) -> bool:
            chunks.put(chunk)
            return False  # keep going

        def run() -> None:
            try:
                out = self._server.handle_chat_completions(request, on_chunk)
                if out is not None:
                    chunks.put(out)
            except (RuntimeError, ValueError, TypeError) as exc:
                chunks.put(BackendError(f"llama.cpp failed on the task: {exc}"))
            finally:
                chunks.put(_DONE)

        threading.Thread(target=run, name="llamacpp-task", daemon=True).start()
        produced = 0
        while True:
            item = chunks.get()
            if item is _DONE:
                break
            if isinstance(item, BackendError):
                raise item
            if not isinstance(item, dict):
                continue
            error = _error_of(item)
            if error is not None:
                raise BackendError(f"llama.cpp refused the task: {error}")
            usage = item.get("usage")
            if isinstance(usage, dict) and "completion_tokens" in usage:
                self._local.tokens = int(usage["completion_tokens"])
            text = _chunk_text(item)
            if text:
                produced += 1
                yield text
        if not self._local.tokens:
            self._local.tokens = produced
