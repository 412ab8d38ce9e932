"""The HTTP face as real clients use it: the `openai` Python client, simonw/llm (its OpenAI-compatible
model config) and the `ollama` client (what Home Assistant's Ollama integration calls), against
`HttpFace` in front of a real agent (tiny model, rule redactor) escalating to a real echo worker over
Mosquitto. The echo worker answers with what reached it (the earlier turns, then the request), so a
follow-up's reply shows the redacted context the cloud got."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import httpx
import pytest

from cloud.worker import Worker
from device.agent import Agent, AgentConfig
from device.escalation import Escalator
from device.personal.store import PersonalStore
from device.redaction import RuleRedactor
from device.redaction.vault_store import VaultStore
from device.service import AskService, Backend
from device.service.admission import AdmissionLimits
from device.service.http_face import ChatBody, HttpFace, HttpFaceError, read_chat
from inference.engine import Engine
from protocol.keys import DeviceKeys
from tandem.broker import BrokerProcess

TOKEN = "s3cret-token"
CONFIG = AgentConfig(threshold=1.8, probe_tokens=4, local_max_tokens=12, cloud_max_tokens=64, timeout_s=10)


class Served:
    """The service and its HTTP face on an event loop in a thread, as `tandem serve --http` runs them."""

    def __init__(self, agent: Agent, escalator: Escalator | None, token: str | None, host: str = "127.0.0.1",
                 limits: AdmissionLimits | None = None) -> None:
        self.agent, self.escalator, self.token, self.host, self.limits = agent, escalator, token, host, limits
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.face: HttpFace | None = None
        self._stop: asyncio.Event | None = None
        self.failed: BaseException | None = None
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),), daemon=True)

    async def _main(self) -> None:
        try:
            await self._serve()
        except BaseException as exc:  # the test thread reports it
            self.failed = exc
            self.ready.set()
            raise

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        if self.escalator is not None:
            await self.escalator.start()
            self.agent.escalator = self.escalator
        service = AskService(Backend(self.agent, profile="x86-dev"), self.limits)
        self.face = HttpFace(service, self.host, 0, token=self.token,
                             count_tokens=lambda text: len(self.agent.engine.encode(text)))
        await self.face.start()
        self.ready.set()
        await self._stop.wait()
        await self.face.stop()
        if self.escalator is not None:
            await self.escalator.close()

    def __enter__(self) -> Self:
        self.thread.start()
        assert self.ready.wait(30) and self.failed is None, f"the HTTP face did not start: {self.failed!r}"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self.loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(30)

    @property
    def url(self) -> str:
        assert self.face is not None
        return self.face.url


@pytest.fixture(scope="module")
def engine(tiny_model: Path) -> Engine:
    return Engine(tiny_model, threads=1)


@pytest.fixture
def store(tmp_path: Path) -> PersonalStore:
    return PersonalStore(tmp_path / "personal.sqlite", key=b"k" * 32)


@pytest.fixture
def served(engine: Engine, store: PersonalStore, tmp_path: Path, mosquitto: BrokerProcess, keys_root: Path,
           echo_pool: Worker) -> Iterator[Served]:
    agent = Agent(engine, RuleRedactor(ner=None), CONFIG, vaults=VaultStore(tmp_path / "vaults", tmp_path / "vault.key"),
                  memory=store)
    escalator = Escalator(broker_url=mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"))
    with Served(agent, escalator, TOKEN) as server:
        yield server


def _openai(served: Served, request: pytest.FixtureRequest) -> Any:
    """An `openai` client of the face, closed after the test."""
    from openai import OpenAI

    client = OpenAI(base_url=f"{served.url}/v1", api_key=TOKEN, max_retries=0)
    request.addfinalizer(client.close)
    return client


FOLLOW_UP = [{"role": "system", "content": "Answer in one word."},
             {"role": "user", "content": "What is the capital of France?"},
             {"role": "assistant", "content": "Paris."},
             {"role": "user", "content": "And of Canada?"}]


def test_openai_client_follow_up_sends_the_redacted_turn_and_streams_the_same_answer(served: Served,
                                                                                       store: PersonalStore, request: pytest.FixtureRequest) -> None:
    client = _openai(served, request)
    assert {m.id for m in client.models.list()} == {"tandem", "tandem-local", "tandem-cloud"}
    whole = client.chat.completions.create(model="tandem-cloud", messages=FOLLOW_UP)
    answer = whole.choices[0].message.content
    # the echo worker shows what reached it: the turn the follow-up needs, then the request
    assert answer == "What is the capital of France?\nParis.\nAnd of Canada?"
    assert whole.usage is not None and whole.usage.prompt_tokens > 0 and whole.usage.completion_tokens > 0
    sent = [s["payload"] for s in whole.model_extra["tandem"]["sent"]]
    assert sent[0]["history"] == [{"role": "user", "content": "What is the capital of France?"},
                                  {"role": "assistant", "content": "Paris."}]
    assert sent[0]["system"] == "Answer in one word."

    stream = client.chat.completions.create(model="tandem-cloud", messages=FOLLOW_UP, stream=True,
                                            stream_options={"include_usage": True})
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == answer
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    # both exchanges are kept on the device, in one conversation
    (info,) = store.conversations()
    assert info.face == "http" and info.turns == 2
    assert [t.user for t in store.turns(info.id)] == ["And of Canada?", "And of Canada?"]


def test_values_in_the_history_leave_as_placeholders(served: Served, request: pytest.FixtureRequest) -> None:
    client = _openai(served, request)
    messages = [{"role": "user", "content": "Write to anna.keller@example.com about the boiler."},
                {"role": "assistant", "content": "Dear anna.keller@example.com, the boiler is fixed."},
                {"role": "user", "content": "Make it shorter."}]
    reply = client.chat.completions.create(model="tandem-cloud", messages=messages)
    sent = json.dumps(reply.model_extra["tandem"]["sent"])
    assert "<EMAIL_1>" in sent and "anna.keller" not in sent
    assert "anna.keller@example.com" in (reply.choices[0].message.content or "")  # restored for the caller


def test_local_model_streams_tokens_and_the_join_is_the_answer(served: Served, request: pytest.FixtureRequest) -> None:
    client = _openai(served, request)
    messages = [{"role": "user", "content": "Say hello."}]
    stream = list(client.chat.completions.create(model="tandem-local", messages=messages, stream=True))
    contents = [c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content]
    whole = client.chat.completions.create(model="tandem-local", messages=messages)
    assert len(contents) > 1  # token by token, not one block at the end
    assert whole.model_extra["tandem"]["route"] == "local" and whole.model_extra["tandem"]["sent"] == []
    assert "".join(contents).strip() and "".join(contents).endswith("[... cut at the token limit]")


def test_llm_cli_talks_to_it_through_its_openai_compatible_config(served: Served, tmp_path: Path) -> None:
    user_dir = tmp_path / "llm"
    user_dir.mkdir()
    (user_dir / "extra-openai-models.yaml").write_text(
        f"- model_id: tandem\n  model_name: tandem-cloud\n  api_base: {served.url}/v1\n  api_key_name: tandem\n")
    (user_dir / "keys.json").write_text(json.dumps({"tandem": TOKEN}))
    env = {**os.environ, "LLM_USER_PATH": str(user_dir), "LLM_LOAD_PLUGINS": ""}
    llm = [sys.executable, "-m", "llm"]
    first = subprocess.run([*llm, "-m", "tandem", "What is the capital of France?"], env=env, capture_output=True,
                           text=True, timeout=60, check=False)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "What is the capital of France?"
    # llm -c sends the conversation so far: the follow-up reaches the cloud with the turn it needs
    follow = subprocess.run([*llm, "-c", "--no-stream", "And of Canada?"], env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert follow.returncode == 0, follow.stderr
    assert follow.stdout.strip() == "What is the capital of France?\nWhat is the capital of France?\nAnd of Canada?"


def test_ollama_client_as_home_assistant_calls_it(served: Served, request: pytest.FixtureRequest) -> None:
    from ollama import Client

    client = Client(host=served.url, headers={"Authorization": f"Bearer {TOKEN}"})
    request.addfinalizer(client.close)
    names = [m.model for m in client.list().models]
    assert "tandem:latest" in names
    parts = list(client.chat(model="tandem-cloud:latest", messages=FOLLOW_UP, stream=True, keep_alive="300s",
                             options={"num_ctx": 8192}))
    assert "".join(p.message.content or "" for p in parts) == "What is the capital of France?\nParis.\nAnd of Canada?"
    assert parts[-1].done and parts[-1].done_reason == "stop" and (parts[-1].eval_count or 0) > 0
    whole = client.chat(model="tandem-cloud", messages=FOLLOW_UP, stream=False)
    assert whole.message.content == "What is the capital of France?\nParis.\nAnd of Canada?"


def test_token_and_bad_requests_get_the_api_s_own_errors(served: Served) -> None:
    url = served.url
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.get(f"{url}/v1/models").status_code == 401
    assert httpx.get(f"{url}/v1/models", headers={"Authorization": "Bearer wrong"}).status_code == 401
    cases: list[tuple[str, Any, int]] = [
        ("/v1/chat/completions", b"not json", 400),
        ("/v1/chat/completions", {"model": "gpt-4", "messages": [{"role": "user", "content": "hi"}]}, 404),
        ("/v1/chat/completions", {"model": "tandem", "messages": []}, 400),
        ("/v1/chat/completions", {"model": "tandem", "messages": [{"role": "assistant", "content": "hi"}]}, 400),
        ("/v1/chat/completions", b"{" + b" " * (1 << 20) + b"}", 413),
        ("/api/chat", {"model": "nope", "messages": [{"role": "user", "content": "hi"}]}, 404),
    ]
    for path, body, status in cases:
        kwargs: dict[str, Any] = {"content": body} if isinstance(body, bytes) else {"json": body}
        response = httpx.post(f"{url}{path}", headers=auth, timeout=30, **kwargs)
        assert response.status_code == status, (path, body if isinstance(body, dict) else len(body))
        error = response.json()["error"]
        assert (error if path.startswith("/api/") else error["message"]), "the error says what is wrong"
    assert httpx.get(f"{url}/v1/nothing", headers=auth).json()["error"]["code"] == "not_found"
    assert httpx.get(f"{url}/").text.startswith("Ollama is running")  # what clients probe, no token needed


def test_without_a_token_only_loopback_is_served(engine: Engine, tmp_path: Path) -> None:
    agent = Agent(engine, RuleRedactor(ner=None), CONFIG)
    service = AskService(Backend(agent, profile="x86-dev"))
    with pytest.raises(HttpFaceError, match="token"):
        HttpFace(service, "0.0.0.0", 0)
    with Served(agent, None, None) as server:  # loopback: a token is optional, as with Ollama
        reply = httpx.post(f"{server.url}/v1/chat/completions", timeout=60,
                           json={"model": "tandem", "messages": [{"role": "user", "content": "Say hello."}]})
        assert reply.status_code == 200 and reply.json()["choices"][0]["message"]["content"]


def test_reading_a_chat_body() -> None:
    chat = read_chat(ChatBody.model_validate({"messages": [
        {"role": "developer", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "image_url", "image_url": {}}]},
        {"role": "assistant", "content": "Hello!"},
        {"role": "tool", "content": "{}"},
        {"role": "user", "content": "What is 2+2?"}]}))
    assert chat.text == "What is 2+2?" and chat.system == "Be brief." and chat.first == "Hi"
    assert [(t.user, t.answer) for t in chat.history] == [("Hi", "Hello!")]


def test_a_caller_over_its_rate_gets_429_with_retry_after(engine: Engine) -> None:
    agent = Agent(engine, RuleRedactor(ner=None), CONFIG)
    with Served(agent, None, None, limits=AdmissionLimits(burst=1, rate_per_s=0.01)) as server:
        body = {"model": "tandem-local", "messages": [{"role": "user", "content": "Say hello."}]}
        assert httpx.post(f"{server.url}/v1/chat/completions", json=body, timeout=60).status_code == 200
        for path, stream in (("/v1/chat/completions", True), ("/v1/chat/completions", False), ("/api/chat", None)):
            refused = httpx.post(f"{server.url}{path}", json={**body, "stream": stream}, timeout=60)
            assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
            error = refused.json()["error"]
            assert "rate limited" in (error if path.startswith("/api/") else error["message"])
