"""The chat app over the real agent on the tiny model: real Mosquitto, a real echo worker, a broker
that is down at first and comes up, and placeholders (never values) in what the panel says was sent."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from textual.widgets import Input

from cloud.backends.echo import EchoBackend
from cloud.worker import Worker
from device.agent import CUT_MARK
from device.cloud_link import CloudLink
from device.escalation import Escalator
from device.tui import make_app
from device.tui.session import ChatSession, Progress, SessionFactory
from device.tui.widgets import ChatMessage, TracePanel
from protocol.keys import DeviceKeys
from tandem.broker import BrokerProcess, free_port, start_broker
from tests.device.tui.support import (
    PII_TEXT,
    PII_VALUES,
    Settings,
    rendered_lines,
    status_text,
    tiny_agent,
    until,
)


def _factory(tiny_model: Path, keys_root: Path, url: str, retry_s: float = 0.3) -> SessionFactory:
    async def factory(progress: Progress) -> ChatSession:
        agent = tiny_agent(tiny_model)
        link = CloudLink(agent, lambda: Escalator(broker_url=url, keys=DeviceKeys.load(keys_root, "dev-a")),
                         broker_url=url, retry_s=retry_s)
        session = ChatSession(agent, model="tiny", precision=agent.engine.manifest.precision, profile="x86-dev",
                              link=link)
        if not await link.start():
            session.notices.append(f"The broker is down ({link.last_error}). Answering on the device only.")
        return session

    return factory


def test_forced_cloud_turn_sends_placeholders_and_the_panel_shows_them(
        tiny_model: Path, keys_root: Path, mosquitto: BrokerProcess) -> None:
    worker = Worker(broker_url=mosquitto.url, keys_root=keys_root, backend=EchoBackend())
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    time.sleep(0.3)
    app = make_app(Settings(), agent_factory=_factory(tiny_model, keys_root, mosquitto.url))

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.session is not None)
            assert app.session.broker_state() == "connected"
            app.query_one("Input").value = PII_TEXT
            await pilot.press("ctrl+o", "enter")
            await until(pilot, lambda: app.turns == 1)
            text = app.query_one(TracePanel).texts[0]
            assert "cloud" in text and "<PERSON_1>" in text and "<EMAIL_1>" in text
            for value in PII_VALUES:
                assert value not in text
            assert "cloud 2 calls" in status_text(app)
            # the echo worker answered with the placeholders; the user sees the values restored
            assert "anna.keller@example.com" in list(app.query(ChatMessage))[-1].text

    try:
        asyncio.run(go())
    finally:
        stop.set()
        thread.join(10)


def test_broker_down_answers_locally_then_reconnects(tiny_model: Path, keys_root: Path, tmp_path: Path) -> None:
    port = free_port()
    url = f"mqtt://127.0.0.1:{port}"
    app = make_app(Settings(), agent_factory=_factory(tiny_model, keys_root, url))
    broker: list[BrokerProcess] = []

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.session is not None)
            messages = [m.text for m in app.query(ChatMessage)]
            assert any("broker is down" in m for m in messages)
            assert "broker down" in status_text(app)
            app.query_one("Input").value = "hello there, how are you"
            await pilot.press("enter")
            await until(pilot, lambda: app.turns == 1)
            assert "Left the device (0)" in app.query_one(TracePanel).texts[0]
            # the turn's reason says why it stayed: the broker, not a missing configuration
            panel = app.query_one(TracePanel).texts[0]
            assert "broker unreachable" in panel and "no cloud configured" not in panel, panel
            broker.append(await asyncio.to_thread(start_broker, port, workdir=tmp_path / "broker"))
            await until(pilot, lambda: "broker connected" in status_text(app), timeout=15)
            assert any("answers again" in m.text for m in app.query(ChatMessage))
            assert app.session.agent.escalator is not None
            # lost after it was up: paho reconnects by itself, the status and the chat say so
            await asyncio.to_thread(broker[0].stop)
            await until(pilot, lambda: "broker reconnecting" in status_text(app), timeout=15)
            assert any("Lost the broker" in m.text for m in app.query(ChatMessage))
            await asyncio.to_thread(broker[0].restart)
            await until(pilot, lambda: "broker connected" in status_text(app), timeout=20)

    try:
        asyncio.run(go())
    finally:
        for b in broker:
            b.stop()


def test_a_local_answer_cut_by_the_token_limit_shows_the_marker_in_the_chat(tiny_model: Path) -> None:
    async def factory(progress: Progress) -> ChatSession:
        agent = tiny_agent(tiny_model)  # 8 tokens at most: the random tiny model never stops by itself
        return ChatSession(agent, model="tiny", precision=agent.engine.manifest.precision, profile="x86-dev")

    app = make_app(Settings(), agent_factory=factory)

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.session is not None)
            app.query_one(Input).value = "Explain how a condensing boiler works."
            await pilot.press("ctrl+l", "enter")
            await until(pilot, lambda: app.turns == 1)
            await pilot.pause()
            reply = list(app.query(ChatMessage))[-1]
            assert reply.kind == "assistant" and reply.text.endswith(CUT_MARK), reply.text
            shown = " ".join(" ".join(rendered_lines(reply)).split())  # as wrapped on screen, rejoined
            assert CUT_MARK in shown, rendered_lines(reply)

    asyncio.run(go())


def test_a_follow_up_in_the_chat_reaches_the_cloud_with_the_turn_before(
        tiny_model: Path, keys_root: Path, mosquitto: BrokerProcess, echo_pool: Worker) -> None:
    app = make_app(Settings(), agent_factory=_factory(tiny_model, keys_root, mosquitto.url))

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.session is not None)
            for n, text in enumerate(("What is the capital of France?", "And of Canada?"), 1):
                app.query_one(Input).value = text
                await pilot.press("ctrl+o", "enter")
                await until(pilot, lambda n=n: app.turns == n)  # type: ignore[misc]
            # the echo worker answers with what reached it: the turn before, then the follow-up
            answers = [m.text for m in app.query(ChatMessage) if m.kind == "assistant"]
            assert answers[-1].startswith("What is the capital of France?\n" + answers[0])
            assert answers[-1].endswith("And of Canada?")

    asyncio.run(go())
