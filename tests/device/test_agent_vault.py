"""The agent's vault in real use: streamed answers restored chunk by chunk, named conversations sealed on disk.

A stub engine streams a local answer token by token and a stub escalator answers the cloud part,
both with placeholders cut across chunks; what `on_token` shows the user must hold the values and
never a placeholder or a piece of one. A named conversation keeps its vault in the encrypted store
between agents (a restart), the file holds no value in clear, and an expired one is gone.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from device.agent import Agent, AgentConfig
from device.errors import VaultError
from device.escalation import SentRecord
from device.redaction import RuleRedactor, Vault
from device.redaction.stream import PartStreams
from device.redaction.vault_store import VaultStore
from device.service import AskRequest, AskService, Backend
from inference.engine import Generation, TokenEvent
from protocol.messages import SubTask, TaskResult

REQUEST = "Remind Anna Keller (anna.keller@example.com) about Friday. Then explain how a heat pump works."
VALUES = ("Anna Keller", "anna.keller@example.com")


class ChunkedEngine:
    """Streams `chunks` as tokens, whatever it is asked (the agent only needs `chat`)."""

    def __init__(self, chunks: list[str]) -> None:
        self.chunks = chunks

    def chat(self, messages: Any, params: Any, on_token: Callable[[TokenEvent], None] | None = None,
             cancel: threading.Event | None = None) -> Generation:
        for i, chunk in enumerate(self.chunks):
            if on_token is not None:
                on_token(TokenEvent(i, chunk, -0.1, 0.1))
        n = len(self.chunks)
        return Generation("".join(self.chunks), tuple(range(n)), (-0.1,) * n, (0.1,) * n, 3, "stop", 1.0, 1.0)


class CannedEscalator:
    """Answers every escalation at once with `text` (no broker): what a worker would send back."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.prompts: list[str] = []

    async def submit(self, task: SubTask) -> tuple[SentRecord, asyncio.Future[TaskResult]]:
        self.prompts.append(task.prompt)
        fut: asyncio.Future[TaskResult] = asyncio.get_running_loop().create_future()
        fut.set_result(TaskResult(task_id="0" * 32, text=self.text, model="m", backend="echo", tokens=3))
        return SentRecord("0" * 32, "tasks", task.model_dump(), 10), fut

    async def wait(self, record: SentRecord, fut: asyncio.Future[TaskResult], timeout_s: float | None = None) -> TaskResult:
        return await fut


def _agent(engine: ChunkedEngine, escalator: CannedEscalator | None = None, vaults: VaultStore | None = None) -> Agent:
    config = AgentConfig(threshold=1.8, probe_tokens=2, local_max_tokens=8, timeout_s=5)
    return Agent(engine, RuleRedactor(ner=None), config, escalator, vaults=vaults)  # type: ignore[arg-type]


def _streamed(agent: Agent, text: str, force: str | None = None) -> tuple[str, dict[int, str]]:
    shown: dict[int, str] = {}

    def on_token(part: int, chunk: str) -> None:
        shown[part] = shown.get(part, "") + chunk

    answer = asyncio.run(agent.ask(text, force=force, on_token=on_token))
    return answer.answer, shown


def test_placeholders_split_across_chunks_of_a_streamed_local_answer_are_restored() -> None:
    engine = ChunkedEngine(["Sure, I will remind <PER", "SON", "_1> and write to <EM", "AIL_1", ">", " today."])
    _, shown = _streamed(_agent(engine), "Remind Anna Keller (anna.keller@example.com) about Friday.", "local")
    assert shown[0] == "Sure, I will remind Anna Keller and write to anna.keller@example.com today."


def test_a_placeholder_split_over_chunks_in_a_streamed_cloud_answer_is_restored() -> None:
    cloud = CannedEscalator("A heat pump moves heat; <PERSON_1> can read more.")
    answer, shown = _streamed(_agent(ChunkedEngine(["ok"]), cloud), REQUEST, "cloud")
    assert all(v not in p for p in cloud.prompts for v in VALUES)  # the cloud saw placeholders only
    assert "<PERSON_1>" in "".join(cloud.prompts)
    joined = "".join(shown.values())
    assert "Anna Keller can read more." in joined and "<" not in joined and "Anna Keller" in answer

    # the same answer cut anywhere, through the per-part restorers the agent puts before on_token
    vault = Vault()
    placeholder = vault.placeholder_for("PERSON", "Anna Keller")
    text = f"Dear {placeholder}, see {placeholder}!"
    for cut in range(1, len(text)):
        out: list[tuple[int, str]] = []
        streams = PartStreams(vault, lambda part, chunk, out=out: out.append((part, chunk)))
        streams.feed(1, text[:cut])
        streams.feed(0, "<PERS")  # another part's half placeholder never joins this one
        streams.feed(1, text[cut:])
        streams.flush()
        assert "".join(c for p, c in out if p == 1) == "Dear Anna Keller, see Anna Keller!", cut
        assert "".join(c for p, c in out if p == 0) == "<PERS"


def test_a_named_conversation_survives_a_restart_sealed_and_expires(tmp_path: Path) -> None:
    store = VaultStore(tmp_path / "vaults", tmp_path / "keys" / "vault.key", ttl_s=60)
    first = _agent(ChunkedEngine(["noted"]), vaults=store)
    first.open_conversation("kitchen")
    asyncio.run(first.ask("Remind Anna Keller (anna.keller@example.com) about Friday.", force="local"))

    sealed = (tmp_path / "vaults" / "kitchen.vault").read_bytes()
    for value in (*VALUES, "Keller", "anna.keller", "PERSON_1"):
        assert value.encode() not in sealed and value.encode("utf-16-le") not in sealed

    # a new agent (the device restarted) continues the conversation with the same placeholders
    again = _agent(ChunkedEngine(["noted"]), vaults=store)
    again.open_conversation("kitchen")
    answer = asyncio.run(again.ask("Did anna.keller@example.com reply? Keller is late.", force="local"))
    assert answer.redacted == "Did <EMAIL_1> reply? <PERSON_2> is late."  # "Keller" known from before

    # past its expiry the vault is deleted on opening, and the conversation starts empty
    expired = VaultStore(tmp_path / "vaults", tmp_path / "keys" / "vault.key", ttl_s=-1)
    expired.save("kitchen", again.vault)
    later = _agent(ChunkedEngine(["noted"]), vaults=expired)
    later.open_conversation("kitchen")
    assert len(later.vault) == 0 and not (tmp_path / "vaults" / "kitchen.vault").exists()


def test_a_vault_that_does_not_open_is_refused_not_replaced(tmp_path: Path) -> None:
    store = VaultStore(tmp_path / "vaults", tmp_path / "keys" / "vault.key")
    agent = _agent(ChunkedEngine(["noted"]), vaults=store)
    agent.open_conversation("a")
    asyncio.run(agent.ask("Remind Anna Keller about Friday.", force="local"))
    (tmp_path / "vaults" / "a.vault").rename(tmp_path / "vaults" / "b.vault")  # bound to "a": does not open as "b"
    with pytest.raises(VaultError):
        agent.open_conversation("b")
    assert (tmp_path / "vaults" / "b.vault").exists()
    with pytest.raises(VaultError):
        _agent(ChunkedEngine([])).open_conversation("a")  # no store: nothing can be kept


def test_the_service_keeps_named_conversations_and_forgets_the_rest(tmp_path: Path) -> None:
    store = VaultStore(tmp_path / "vaults", tmp_path / "keys" / "vault.key")
    service = AskService(Backend(_agent(ChunkedEngine(["noted"]), vaults=store)))

    async def go() -> None:
        one = await service.ask(AskRequest(text="Remind Anna Keller about Friday.", force="local", conversation="c1"))
        assert one.ok and len(service.backend.agent.vault) == 0  # values leave memory after each request
        two = await service.ask(AskRequest(text="Is Keller coming?", force="local", conversation="c1"))
        assert two.ok and two.parts[0]["redacted_text"] == "Is <PERSON_2> coming?"  # known from turn one
        other = await service.ask(AskRequest(text="Is Keller coming?", force="local"))
        assert other.ok and other.parts[0]["redacted_text"] == "Is Keller coming?"  # a one-off knows nothing

    asyncio.run(go())
    assert [p.name for p in (tmp_path / "vaults").iterdir()] == ["c1.vault"]
