"""The `openai` backend: any OpenAI-compatible chat-completions server, streamed over SSE.

vLLM, Ollama, llama.cpp's server, TGI and OpenAI itself all speak `POST {base_url}/chat/completions`
with `"stream": true`: the answer comes back as server-sent events, one `data: {json}` line per
chunk and `data: [DONE]` at the end. Chunks are yielded as they arrive.

A sub-task that offers tools is planned with the chat-completions `tools` parameter (not streamed):
the server's first `tool_calls` entry is the call, plain content means no call.

Failures before the first chunk (connection refused, timeouts, 429, 5xx) are retried with
exponential backoff and jitter, honouring `Retry-After`; after the first chunk nothing is retried,
since the text already yielded cannot be taken back. 4xx other than 408/429 are not retried: a bad
key or an unknown model does not get better. httpx's errors become `BackendError`s here.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import httpx
from pydantic import SecretStr

from cloud.backends.base import CLOUD_SYSTEM_PROMPT, chat_request
from cloud.config import OpenAIOptions
from cloud.errors import BackendError, BackendRefused, BackendUnavailable
from cloud.planning import json_schema_of, parse_plan
from protocol.messages import SubTask
from protocol.tools import PlannedToolCall, ToolSpec

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class _Retry(Exception):
    """Internal: this attempt failed in a way worth another try."""

    def __init__(self, message: str, after_s: float | None = None) -> None:
        super().__init__(message)
        self.after_s = after_s


def resolve_api_key(options: OpenAIOptions) -> SecretStr | None:
    if options.api_key is not None:
        return options.api_key
    value = os.environ.get(options.api_key_env)
    return SecretStr(value) if value else None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def iter_sse_data(lines: Iterator[str]) -> Iterator[str]:
    """The `data` payloads of a server-sent event stream (multi-line data joined by newlines)."""
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield "\n".join(data)
                data = []
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
        # comments (":") and event/id/retry fields carry nothing we need
    if data:
        yield "\n".join(data)


class OpenAIBackend:
    """Streams chat completions from an OpenAI-compatible server."""

    name: ClassVar[str] = "openai"
    can_stream: ClassVar[bool] = True

    def __init__(self, options: OpenAIOptions | None = None, *, system_prompt: str | None = None,
                 transport: httpx.BaseTransport | None = None, **overrides: Any) -> None:
        """`overrides`: fields of OpenAIOptions (`base_url=...`); `transport`: an httpx transport
        (tests use `httpx.MockTransport` for the failure paths a real server will not produce)."""
        base = options or OpenAIOptions()
        self.options = OpenAIOptions.model_validate({**base.model_dump(), **overrides})
        self.system_prompt = system_prompt or CLOUD_SYSTEM_PROMPT
        key = resolve_api_key(self.options)
        headers = {"Accept": "text/event-stream"}
        if key is not None:
            headers["Authorization"] = f"Bearer {key.get_secret_value()}"
        o = self.options
        self._client = httpx.Client(
            base_url=o.base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(o.read_timeout_s, connect=o.connect_timeout_s),
            transport=transport,
            trust_env=False,  # a worker talks to the server it was given, never through an env proxy
        )
        self._local = threading.local()
        self.retries = 0
        """Attempts retried since start (for tests and logs)."""

    @property
    def model(self) -> str:
        return self.options.model

    @property
    def last_tokens(self) -> int:
        """Completion tokens of this thread's last answer (the server's count, else chunk count)."""
        return int(getattr(self._local, "tokens", 0))

    def close(self) -> None:
        self._client.close()

    def _body(self, task: SubTask) -> dict[str, Any]:
        return {"model": self.options.model, **chat_request(task, self.system_prompt)}

    def generate(self, task: SubTask) -> Iterator[str]:
        o = self.options
        body = self._body(task)
        self._local.tokens = 0
        attempt = 0
        while True:
            started = False
            try:
                for chunk in self._attempt(body):
                    started = True
                    yield chunk
                return
            except _Retry as exc:
                if started or attempt >= o.max_retries:
                    raise BackendUnavailable(
                        f"the OpenAI-compatible server at {o.base_url} failed {attempt + 1} time(s), last: "
                        f"{exc}; check that it runs and is not overloaded") from exc
                delay = min(o.backoff_s * 2**attempt, o.backoff_max_s) * random.uniform(0.8, 1.2)
                if exc.after_s is not None:
                    delay = max(delay, min(exc.after_s, 60.0))
                attempt += 1
                self.retries += 1
                log.warning("openai backend retry=%d in=%.2fs reason=%s", attempt, delay, exc)
                time.sleep(delay)

    def plan(self, prompt: str, tools: Sequence[ToolSpec]) -> PlannedToolCall | None:
        """The call the server picks among `tools` (OpenAI `tools`, `tool_choice` "auto"); None when it
        answers in words. Retried like `generate` (nothing was yielded yet, so every failure may retry)."""
        o = self.options
        body = {"model": o.model, "temperature": 0.0, "tool_choice": "auto",
                "messages": [{"role": "system", "content": self.system_prompt}, {"role": "user", "content": prompt}],
                "tools": [{"type": "function", "function": {"name": t.name, "description": t.description,
                                                            "parameters": json_schema_of(t.parameters)}}
                          for t in tools]}
        attempt = 0
        while True:
            try:
                message = self._complete(body)
                break
            except _Retry as exc:
                if attempt >= o.max_retries:
                    raise BackendUnavailable(
                        f"the OpenAI-compatible server at {o.base_url} failed {attempt + 1} time(s), last: "
                        f"{exc}; check that it runs and is not overloaded") from exc
                delay = min(o.backoff_s * 2**attempt, o.backoff_max_s) * random.uniform(0.8, 1.2)
                attempt += 1
                self.retries += 1
                log.warning("openai backend plan retry=%d in=%.2fs reason=%s", attempt, delay, exc)
                time.sleep(max(delay, min(exc.after_s, 60.0)) if exc.after_s is not None else delay)
        calls = message.get("tool_calls") or []
        if not calls:
            return None
        function = calls[0].get("function") if isinstance(calls[0], dict) else None
        if not isinstance(function, dict):
            raise BackendError("the server's tool call has no function")
        return parse_plan(json.dumps({"name": function.get("name"), "arguments": function.get("arguments", {})}),
                          tools)

    def _complete(self, body: dict[str, Any]) -> dict[str, Any]:
        """One non-streamed chat completion: the first choice's message."""
        try:
            resp = self._client.post("/chat/completions", json=body, headers={"Accept": "application/json"})
        except httpx.TimeoutException as exc:
            raise _Retry(f"timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise _Retry(f"{type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise BackendError(f"HTTP error talking to {self.options.base_url}: {exc}") from exc
        if resp.status_code in RETRY_STATUS:
            raise _Retry(f"HTTP {resp.status_code}", _retry_after(resp))
        if resp.status_code >= 400:
            raise BackendRefused(
                f"the OpenAI-compatible server at {self.options.base_url} refused the request: "
                f"HTTP {resp.status_code} {_error_message(resp)}; check the API key "
                f"(${self.options.api_key_env}), the model name {self.options.model!r} and that it supports tools")
        try:
            doc = resp.json()
            message = doc["choices"][0]["message"]
            usage = doc.get("usage") or {}
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise BackendError("the server's answer is not a chat completion") from exc
        if not isinstance(message, dict):
            raise BackendError("the server's answer has no message")
        if isinstance(usage, dict) and "completion_tokens" in usage:
            self._local.tokens = int(usage["completion_tokens"])
        return message

    def _attempt(self, body: dict[str, Any]) -> Iterator[str]:
        chunks, usage_tokens = 0, None
        try:
            with self._client.stream("POST", "/chat/completions", json=body) as resp:
                if resp.status_code in RETRY_STATUS:
                    raise _Retry(f"HTTP {resp.status_code}", _retry_after(resp))
                if resp.status_code >= 400:
                    resp.read()
                    raise BackendRefused(
                        f"the OpenAI-compatible server at {self.options.base_url} refused the request: "
                        f"HTTP {resp.status_code} {_error_message(resp)}; check the API key "
                        f"(${self.options.api_key_env}) and the model name {self.options.model!r}")
                for data in iter_sse_data(resp.iter_lines()):
                    if data.strip() == "[DONE]":
                        break
                    text, usage = _parse_chunk(data)
                    if usage is not None:
                        usage_tokens = usage
                    if text:
                        chunks += 1
                        yield text
            self._local.tokens = usage_tokens if usage_tokens is not None else chunks
        except httpx.TimeoutException as exc:
            raise _Retry(f"timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise _Retry(f"{type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:  # anything else httpx may raise (bad URL, decoding)
            raise BackendError(f"HTTP error talking to {self.options.base_url}: {exc}") from exc


def _error_message(resp: httpx.Response) -> str:
    """The server's own error message, short; never the request (it holds the prompt)."""
    try:
        err = resp.json().get("error")
    except (ValueError, AttributeError):
        return resp.text[:200]
    if isinstance(err, dict):
        return str(err.get("message", ""))[:200]
    return str(err)[:200]


def _parse_chunk(data: str) -> tuple[str, int | None]:
    """(text delta, completion tokens if this chunk reports usage) of one streamed chunk."""
    try:
        obj = json.loads(data)
    except json.JSONDecodeError as exc:
        raise BackendError(f"the server streamed a chunk that is not JSON ({exc.msg})") from exc
    if not isinstance(obj, dict):
        raise BackendError("the server streamed a chunk that is not a JSON object")
    if "error" in obj:
        err = obj["error"]
        msg = err.get("message", "") if isinstance(err, dict) else str(err)
        raise BackendError(f"the server reported an error mid-stream: {str(msg)[:200]}")
    usage = obj.get("usage")
    tokens = int(usage["completion_tokens"]) if isinstance(usage, dict) and "completion_tokens" in usage else None
    text = ""
    for choice in obj.get("choices") or []:
        delta = choice.get("delta") or {}
        content = delta.get("content")
        if isinstance(content, str):
            text += content
    return text, tokens
