"""The `openai` backend against llama.cpp's real server, plus failure paths a real server won't produce.

Answers are kept to a few tokens: the point is the protocol (SSE streaming, usage, errors, retries),
not the model's prose.
"""

from __future__ import annotations

import json

import httpx
import pytest

from cloud.backends import make_backend
from cloud.backends.openai import OpenAIBackend, iter_sse_data
from cloud.config import OpenAIOptions
from cloud.errors import BackendError, BackendRefused, BackendUnavailable
from protocol.messages import SubTask
from tandem.broker import free_port

TASK = SubTask(prompt="Say hello.", max_tokens=3)


def test_streams_an_answer_from_a_real_llama_cpp_server(llama_server: str) -> None:
    backend = make_backend("openai", base_url=llama_server, max_retries=0)
    chunks = list(backend.generate(TASK))
    assert len(chunks) >= 2, f"expected a streamed answer in several chunks, got {chunks!r}"
    assert "".join(chunks).strip()
    assert backend.last_tokens == 3  # the server's usage report, max_tokens reached


def test_unreachable_server_is_retried_then_reported() -> None:
    port = free_port()  # nothing listens here
    backend = OpenAIBackend(base_url=f"http://127.0.0.1:{port}/v1", max_retries=2, backoff_s=0.01,
                            connect_timeout_s=1)
    with pytest.raises(BackendUnavailable, match="failed 3 time"):
        list(backend.generate(TASK))
    assert backend.retries == 2


def _sse(*texts: str, usage: int | None = None) -> bytes:
    events = [json.dumps({"choices": [{"index": 0, "delta": {"content": t}}]}) for t in texts]
    if usage is not None:
        events.append(json.dumps({"choices": [], "usage": {"completion_tokens": usage}}))
    return "".join(f"data: {e}\n\n" for e in events + ["[DONE]"]).encode()


def test_overload_is_retried_with_retry_after_and_the_key_is_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(503, headers={"Retry-After": "0.05"})
        return httpx.Response(200, content=_sse("Hel", "lo"), headers={"content-type": "text/event-stream"})

    backend = OpenAIBackend(OpenAIOptions(api_key="sk-test-123"), base_url="http://llm.invalid/v1",
                            backoff_s=0.01, transport=httpx.MockTransport(handler))
    assert "".join(backend.generate(TASK)) == "Hello"
    assert backend.retries == 1 and len(seen) == 2
    assert seen[1].headers["authorization"] == "Bearer sk-test-123"
    body = json.loads(seen[1].content)
    assert body["stream"] is True and body["max_tokens"] == 3
    assert backend.last_tokens == 2  # no usage chunk: counted chunks
    assert "sk-test-123" not in repr(backend.options)


def test_api_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_TEST_LLM_KEY", "sk-env-456")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=_sse("ok", usage=7))

    backend = OpenAIBackend(api_key_env="TANDEM_TEST_LLM_KEY", transport=httpx.MockTransport(handler))
    assert list(backend.generate(TASK)) == ["ok"]
    assert seen[0].headers["authorization"] == "Bearer sk-env-456"
    assert backend.last_tokens == 7


def test_a_refusal_is_not_retried() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(401, json={"error": {"message": "invalid api key"}})

    backend = OpenAIBackend(backoff_s=0.01, transport=httpx.MockTransport(handler))
    with pytest.raises(BackendRefused, match="HTTP 401 invalid api key"):
        list(backend.generate(TASK))
    assert calls == 1


def test_an_error_mid_stream_is_not_retried() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        body = b'data: {"choices":[{"delta":{"content":"par"}}]}\n\ndata: {"error":{"message":"slot lost"}}\n\n'
        return httpx.Response(200, content=body)

    backend = OpenAIBackend(backoff_s=0.01, transport=httpx.MockTransport(handler))
    got: list[str] = []
    with pytest.raises(BackendError, match="slot lost"):
        got.extend(backend.generate(TASK))  # keeps the chunks that came before the error
    assert got == ["par"] and calls == 1


def test_sse_parser_joins_multiline_data_and_skips_comments() -> None:
    lines = [": keep-alive", "event: message", "data: a", "data: b", "", "data: c", ""]
    assert list(iter_sse_data(iter(lines))) == ["a\nb", "c"]
