"""Conversations with memory: the device model reads the earlier turns, the cloud gets the redacted turns a
follow-up needs (and none for a request that stands alone), turns survive a restart sealed in the personal
store, and a follow-up of a turn held for its sensitive context stays on the device (tiny model, real
broker, real echo worker: the echo shows what the cloud saw)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from cloud.worker import Worker
from device.agent import CUT_MARK, Agent, AgentConfig, Answer
from device.escalation import Escalator
from device.personal.store import PersonalStore
from device.redaction import RuleRedactor
from device.redaction.vault_store import VaultStore
from inference.chat_format import Message
from inference.engine import Engine
from protocol.keys import DeviceKeys
from tandem.broker import BrokerProcess

CONFIG = AgentConfig(threshold=0.5, probe_tokens=4, local_max_tokens=8, timeout_s=10)


class RecordingEngine(Engine):
    """The real engine, remembering the messages of each generation (what the device model read)."""

    seen: list[list[Message]]

    def chat(self, messages: Sequence[Message], *args: Any, **kwargs: Any) -> Any:
        self.seen.append(list(messages))
        return super().chat(messages, *args, **kwargs)


@pytest.fixture(scope="module")
def engine(tiny_model: Path) -> RecordingEngine:
    engine = RecordingEngine(tiny_model, threads=1)
    engine.seen = []
    return engine


@pytest.fixture
def store(tmp_path: Path) -> PersonalStore:
    return PersonalStore(tmp_path / "personal.sqlite", key=b"k" * 32)


def _agent(engine: Engine, store: PersonalStore, tmp_path: Path, **kwargs: Any) -> Agent:
    vaults = VaultStore(tmp_path / "vaults", tmp_path / "vault.key")
    return Agent(engine, RuleRedactor(ner=None), CONFIG, vaults=vaults, memory=store, **kwargs)


def _turns(agent: Agent, broker_url: str, keys_root: Path, *asks: tuple[str, str | None]) -> list[Answer]:
    async def go() -> list[Answer]:
        agent.escalator = Escalator(broker_url=broker_url, keys=DeviceKeys.load(keys_root, "dev-a"))
        await agent.escalator.start()
        try:
            return [await agent.ask(text, force=force) for text, force in asks]  # type: ignore[arg-type]
        finally:
            await agent.escalator.close()

    return asyncio.run(go())


def _history(answer: Answer) -> list[dict[str, str]] | None:
    assert len(answer.sent) == 1
    return answer.sent[0]["payload"].get("history")


def test_a_follow_up_carries_the_turn_it_needs_and_a_new_question_none(
        engine: RecordingEngine, store: PersonalStore, tmp_path: Path, mosquitto: BrokerProcess, keys_root: Path,
        echo_pool: Worker) -> None:
    agent = _agent(engine, store, tmp_path)
    agent.open_conversation("trip", face="chat")
    first, follow, other = _turns(agent, mosquitto.url, keys_root, ("What is the capital of France?", "cloud"),
                                  ("And of Canada?", "cloud"), ("Explain how a heat pump works.", "cloud"))
    assert _history(first) is None  # nothing before it
    assert _history(follow) == [{"role": "user", "content": "What is the capital of France?"},
                                {"role": "assistant", "content": first.answer}]
    assert follow.sent[0]["payload"]["prompt"] == "And of Canada?"
    assert _history(other) is None  # stands on its own: the cloud gets nothing of the conversation
    assert [t.user for t in store.turns("trip")] == ["What is the capital of France?", "And of Canada?",
                                                     "Explain how a heat pump works."]
    assert other.conversation == "trip"


def test_the_device_model_reads_the_earlier_turns(engine: RecordingEngine, store: PersonalStore, tmp_path: Path,
                                                  mosquitto: BrokerProcess, keys_root: Path, echo_pool: Worker) -> None:
    agent = _agent(engine, store, tmp_path)
    agent.open_conversation("local", face="chat")
    engine.seen.clear()
    first, _ = _turns(agent, mosquitto.url, keys_root, ("Name a colour.", "local"), ("Another one?", "local"))
    assert [m.role for m in engine.seen[0]] == ["user"]
    read = engine.seen[-1]
    # the answer as the user saw it, less the device's own marks (the cut marker, notes)
    said = first.answer.replace(CUT_MARK, "").rstrip()
    assert said and [(m.role, m.content) for m in read[:2]] == [("user", "Name a colour."), ("assistant", said)]
    assert read[-1] == Message("user", "Another one?")


def test_values_in_earlier_turns_leave_as_placeholders_and_come_back(
        engine: RecordingEngine, store: PersonalStore, tmp_path: Path, mosquitto: BrokerProcess, keys_root: Path,
        echo_pool: Worker) -> None:
    agent = _agent(engine, store, tmp_path)
    agent.open_conversation("mail", face="ask")
    first, follow = _turns(agent, mosquitto.url, keys_root,
                           ("Draft a note to anna.keller@example.com about the boiler.", "cloud"),
                           ("Make it shorter.", "cloud"))
    history = _history(follow)
    assert history is not None and "<EMAIL_1>" in history[0]["content"]
    assert "anna.keller@example.com" not in str(follow.sent)
    assert "anna.keller@example.com" in first.answer  # the echo, restored for the user
    raw = (tmp_path / "personal.sqlite").read_bytes()
    assert b"anna.keller" not in raw and b"boiler" not in raw  # the turns are sealed at rest


def test_turns_survive_a_restart_and_the_follow_up_resolves_against_them(
        engine: RecordingEngine, store: PersonalStore, tmp_path: Path, mosquitto: BrokerProcess, keys_root: Path,
        echo_pool: Worker) -> None:
    before = _agent(engine, store, tmp_path)
    before.open_conversation("kept", face="socket")
    (first,) = _turns(before, mosquitto.url, keys_root, ("What is the capital of France?", "cloud"))
    after = _agent(engine, store, tmp_path)  # a new process: the store and the vault files are all there is
    after.open_conversation("kept", face="socket")
    assert [t.answer for t in after.turns] == [first.answer]
    (follow,) = _turns(after, mosquitto.url, keys_root, ("And of Canada?", "cloud"))
    assert _history(follow) == [{"role": "user", "content": "What is the capital of France?"},
                                {"role": "assistant", "content": first.answer}]
    after.open_conversation("other", face="socket")
    assert after.turns == []


class KeywordSensitivity:
    """Tags `health` on "HIV" (a stand-in for the sensitive-context model)."""

    def classify(self, text: str, *also: str) -> tuple[str, ...]:
        return ("health",) if any("HIV" in t for t in (text, *also)) else ()


def test_a_follow_up_of_a_sensitive_turn_stays_on_the_device(
        engine: RecordingEngine, store: PersonalStore, tmp_path: Path, mosquitto: BrokerProcess, keys_root: Path,
        echo_pool: Worker) -> None:
    agent = _agent(engine, store, tmp_path, sensitive=KeywordSensitivity())
    agent.open_conversation("health", face="chat")
    held, follow, fresh = _turns(agent, mosquitto.url, keys_root,
                                 ("I was told I have HIV. What should I eat?", "cloud"),
                                 ("And what about exercise?", "cloud"),
                                 ("Explain how tides work.", "cloud"))
    assert held.sent == [] and follow.sent == []
    assert any("follows up on a turn that stayed on the device" in n for n in follow.notices)
    assert [t.shareable for t in store.turns("health")] == [False, False, True]  # the follow-up is as sensitive
    assert _history(fresh) is None  # a new subject leaves, without the held turns


def test_a_caller_s_own_history_replaces_the_stored_one(
        engine: RecordingEngine, store: PersonalStore, tmp_path: Path, mosquitto: BrokerProcess, keys_root: Path,
        echo_pool: Worker) -> None:
    from device.personal.values import Turn

    agent = _agent(engine, store, tmp_path)
    agent.open_conversation("http-1", face="http")
    told = [Turn("What is the capital of France?", "Paris.")]

    async def go() -> Answer:
        agent.escalator = Escalator(broker_url=mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"))
        await agent.escalator.start()
        try:
            return await agent.ask("and of Canada?", force="cloud", history=told)
        finally:
            await agent.escalator.close()

    answer = asyncio.run(go())
    assert _history(answer) == [{"role": "user", "content": "What is the capital of France?"},
                                {"role": "assistant", "content": "Paris."}]
    assert agent.turns == []  # the caller keeps its history; the log still gets the turn
    assert [t.user for t in store.turns("http-1")] == ["and of Canada?"]




def test_a_history_longer_than_the_context_window_loses_its_oldest_turns_not_the_request(
        engine: RecordingEngine, store: PersonalStore, tmp_path: Path, mosquitto: BrokerProcess, keys_root: Path,
        echo_pool: Worker) -> None:
    from device.personal.values import Turn

    long = " ".join(["word"] * 60)  # a few of these overflow the tiny model's context
    told = [Turn(f"{long} {i}?", f"{long} {i}.") for i in range(3)]
    agent = _agent(engine, store, tmp_path)
    engine.seen.clear()

    async def go() -> Answer:
        return await agent.ask("Another one?", force="local", history=told)

    answer = asyncio.run(go())
    assert answer.route == "local" and answer.answer
    read = engine.seen[-1]
    assert read[-1] == Message("user", "Another one?")
    assert 0 < len(engine.seen) and len(read) < 1 + 2 * len(told)  # older turns dropped to fit
    assert all(len(call) >= len(read) for call in engine.seen)  # it tried with more first
