"""Sessions for the chat app's tests: the tiny model for real turns, a scripted agent for snapshots.

The scripted agent redacts and divides with the real code, so what it reports as sent holds real
placeholders, but its answers and timings are fixed: SVG snapshots stay identical run to run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from device.agent import Agent, AgentConfig, Answer, PartTrace
from device.collab.planners.rules import divide
from device.redaction import RuleRedactor, Vault
from device.tui.session import ChatSession, Progress
from inference.engine import Engine

PII_TEXT = ("Remind Anna Keller (anna.keller@example.com) that the boiler service is on Friday, "
            "and explain how a condensing boiler works.")
PII_VALUES = ("Anna Keller", "Anna", "Keller", "anna.keller@example.com")


class Settings:
    device_id = "dev-test"
    broker_url = "mqtt://127.0.0.1:1"


class ScriptedAgent:
    """Agent-shaped: real redaction and division, fixed answers, streams through a thread."""

    def __init__(self, threshold: float = 1.8, cloud: bool = True) -> None:
        self.vault = Vault()
        self.config = AgentConfig(threshold=threshold)
        self.escalator: object | None = object() if cloud else None
        self.redactor = RuleRedactor()
        self.calls: list[tuple[str, str | None]] = []
        self.gate: asyncio.Event | None = None  # set: the stream pauses after its first tokens
        self.conversation: str | None = None
        self.opened: list[tuple[str | None, str | None]] = []  # (conversation, face) per open_conversation
        self.ask_first: str | None = None  # set: the turn asks the user this before answering
        self.confirmed: list[bool] = []
        self.cloud_model = "qwen2.5-coder-0.5b-instruct"  # what the cloud parts say answered them

    def open_conversation(self, conversation: str | None, *, face: str | None = None) -> None:
        """As Agent.open_conversation without a store: a fresh vault whatever the id (nothing is kept)."""
        self.vault = Vault()
        self.conversation = conversation
        self.opened.append((conversation, face))

    async def ask(self, text: str, *, force: str | None = None,
                  on_token: Callable[[int, str], None] | None = None,
                  confirm: Callable[[str, str], Awaitable[bool]] | None = None) -> Answer:
        self.calls.append((text, force))
        if self.ask_first is not None:
            assert confirm is not None, "the app must offer a way to ask the user"
            self.confirmed.append(await confirm("sensitive", self.ask_first))
        redaction = self.redactor.redact(text, self.vault)
        parts = divide(redaction.text)
        traces, sent, answers = [], [], []
        for part in parts:
            cloud = force == "cloud" or (force != "local" and part.index > 0 and self.escalator is not None)
            if cloud:
                payload = {"schema_version": 1, "prompt": part.text, "max_tokens": 320, "part": part.index,
                           "parts": len(parts)}
                sent.append({"task_id": f"task-{part.index}", "topic": "tandem/v1/task/dev-test",
                             "payload": payload, "wire_bytes": 612})
                traces.append(PartTrace(part.index, part.text, "cloud", "uncertain", 2.31, 48, f"task-{part.index}",
                                        self.cloud_model))
                answers.append("A condensing boiler cools its exhaust until the water vapour condenses.")
            else:
                traces.append(PartTrace(part.index, part.text, "local", "confident", 0.84, 12))
                answers.append(f"Noted: {part.text.rstrip('.')}.")
        if on_token is not None:
            await asyncio.to_thread(self._stream, on_token, answers[0])
            if self.gate is not None:
                await self.gate.wait()
        routes = {t.route for t in traces}
        return Answer(
            answer=self.vault.restore(" ".join(answers)), route="split" if len(routes) > 1 else routes.pop(),
            sent=sent, timings_ms={"redact": 1.0, "divide": 0.2, "local_model": 412.0, "network_and_crypto": 35.0,
                                   "cloud_backend": 900.0, "fusion": 0.4, "total": 1350.0},
            parts=traces, redacted=redaction.text,
            entities=[{"type": e.type, "start": e.start, "end": e.end, "placeholder": e.placeholder}
                      for e in redaction.entities],
        )

    @staticmethod
    def _stream(on_token: Callable[[int, str], None], text: str) -> None:
        for word in text.split(" ")[:3]:  # from a worker thread, as the engine does
            on_token(0, word + " ")


def scripted_factory(agent: ScriptedAgent, *, broker: str = "connected", notices: list[str] | None = None,
                     progress_lines: tuple[str, ...] = (), hold: asyncio.Event | None = None,
                     closed: list[bool] | None = None) -> Callable[[Progress], Any]:
    class _Session(ChatSession):
        def broker_state(self) -> str:
            return broker

        async def close(self) -> None:
            if closed is not None:
                closed.append(True)

    async def factory(progress: Progress) -> ChatSession:
        for line in progress_lines:
            progress(line)
        if hold is not None:
            await hold.wait()
        return _Session(agent, model="smollm2-135m-instruct", precision="int8",  # type: ignore[arg-type]
                        profile="raspberry-pi-5", notices=list(notices or []))

    return factory


def tiny_agent(tiny_model: Path, escalator: Any = None, threshold: float = 1.8) -> Agent:
    config = AgentConfig(threshold=threshold, probe_tokens=4, local_max_tokens=8, cloud_max_tokens=16, timeout_s=10)
    return Agent(Engine(tiny_model, threads=1), RuleRedactor(), config, escalator)


async def until(pilot: Any, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await pilot.pause(0.05)


def rendered_lines(widget: Any) -> list[str]:
    """The widget's lines as the terminal shows them (wrapped at its width), right-stripped."""
    from textual.geometry import Region

    width, height = widget.size
    return [strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height))]


def status_text(app: Any) -> str:
    from device.tui.widgets import StatusBar

    return str(app.query_one(StatusBar).render()).replace("\xa0", " ")
