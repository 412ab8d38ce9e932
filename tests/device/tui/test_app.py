"""The chat app driven by Pilot: a turn, every key, startup progress, and the errors it survives."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Input, Static

from device.tui import SessionStartError, make_app
from device.tui.screens import StartupScreen, VaultScreen
from device.tui.session import ChatSession, Progress
from device.tui.widgets import ChatLog, ChatMessage, StatusBar, TracePanel
from tests.device.tui.support import (
    PII_TEXT,
    PII_VALUES,
    ScriptedAgent,
    Settings,
    rendered_lines,
    scripted_factory,
    status_text,
    until,
)


def _messages(app: object) -> list[tuple[str, str]]:
    return [(m.kind, m.text) for m in app.query(ChatMessage)]  # type: ignore[attr-defined]


def _status(app: object) -> str:
    return status_text(app)


def test_a_turn_streams_then_shows_the_answer_and_its_trace() -> None:
    agent = ScriptedAgent()
    agent.gate = asyncio.Event()
    app = make_app(Settings(), agent_factory=scripted_factory(agent))

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.session is not None and not isinstance(app.screen, StartupScreen))
            await pilot.press(*"Hello there, how are you?")
            await pilot.press("enter")
            # mid-stream: the first tokens are visible while the turn is still running
            await until(pilot, lambda: _messages(app)[-1][1].startswith("Noted: Hello"))
            assert app.busy and "answering" in _status(app)
            agent.gate.set()
            await until(pilot, lambda: not app.busy)
            assert _messages(app)[-1] == ("assistant", "Noted: Hello there, how are you?.")
            panel = app.query_one(TracePanel)
            assert len(panel.texts) == 1 and panel.texts[0].startswith("Turn 1 ")
            assert "Left the device (1)" in panel.texts[0] or "Left the device (0)" in panel.texts[0]

    asyncio.run(go())


def test_side_panel_and_status_show_placeholders_never_values() -> None:
    agent = ScriptedAgent()
    app = make_app(Settings(), agent_factory=scripted_factory(agent))

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.session is not None)
            app.query_one("Input").value = PII_TEXT
            await pilot.press("ctrl+o", "enter")
            await until(pilot, lambda: app.turns == 1)
            text = app.query_one(TracePanel).texts[0]
            assert "<PERSON_1>" in text and "<EMAIL_1>" in text
            for value in PII_VALUES:
                assert value not in text
                assert value not in _status(app)
            # the chat pane is the user's own: their text shows as typed
            assert ("user", PII_TEXT) in _messages(app)

    asyncio.run(go())


def test_force_keys_apply_to_the_next_turn_only_and_toggle() -> None:
    agent = ScriptedAgent()
    app = make_app(Settings(), agent_factory=scripted_factory(agent))

    async def turn(pilot: object, text: str) -> None:
        app.query_one("Input").value = text
        await pilot.press("enter")  # type: ignore[attr-defined]
        await until(pilot, lambda: not app.busy and len(agent.calls) and agent.calls[-1][0] == text)

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.session is not None)
            await pilot.press("ctrl+l")
            assert app.force_next == "local" and "next: local" in _status(app)
            await turn(pilot, "first question here")
            await turn(pilot, "second question here")
            await pilot.press("ctrl+o")
            assert "next: cloud" in _status(app)
            await turn(pilot, "third question here")
            await pilot.press("f2", "f2")  # pressed twice: back to routing by uncertainty
            assert app.force_next is None
            await turn(pilot, "fourth question here")
            assert [f for _, f in agent.calls] == ["local", None, "cloud", None]

    asyncio.run(go())


def test_vault_screen_is_the_only_place_values_show() -> None:
    agent = ScriptedAgent()
    app = make_app(Settings(), agent_factory=scripted_factory(agent))

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.session is not None)
            app.query_one("Input").value = PII_TEXT
            await pilot.press("enter")
            await until(pilot, lambda: app.turns == 1)
            await pilot.press("ctrl+g")
            await until(pilot, lambda: isinstance(app.screen, VaultScreen))
            rows = app.screen.rows
            assert ("<PERSON_1>", "PERSON", "Anna Keller") in rows
            assert ("<EMAIL_1>", "EMAIL", "anna.keller@example.com") in rows
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, VaultScreen))
            assert app.query_one("Input").has_focus

    asyncio.run(go())


def test_new_conversation_forgets_the_vault_and_the_turns() -> None:
    agent = ScriptedAgent()
    app = make_app(Settings(), agent_factory=scripted_factory(agent))

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.session is not None)
            app.query_one("Input").value = PII_TEXT
            await pilot.press("enter")
            await until(pilot, lambda: app.turns == 1)
            old_vault = agent.vault
            assert len(old_vault) == 2
            await pilot.press("ctrl+n")
            await pilot.pause()
            assert agent.vault is not old_vault and len(agent.vault) == 0
            # a new conversation of its own, kept apart from the old one (`tandem logs`)
            (new_id, face), = agent.opened
            assert face == "chat" and new_id is not None and new_id.startswith("chat-")
            assert app.turns == 0 and app.placeholders == {} and app.query_one(TracePanel).texts == []
            assert [k for k, _ in _messages(app)] == ["notice"]
            await pilot.press("ctrl+g")
            await until(pilot, lambda: isinstance(app.screen, VaultScreen))
            assert app.screen.rows == []

    asyncio.run(go())


def test_quit_closes_the_session() -> None:
    closed: list[bool] = []
    app = make_app(Settings(), agent_factory=scripted_factory(ScriptedAgent(), closed=closed))

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.session is not None)
            await pilot.press("ctrl+q")
            await pilot.pause()

    asyncio.run(go())
    assert closed == [True]
    assert app.return_code == 0


def test_startup_shows_progress_until_the_session_is_ready() -> None:
    hold = asyncio.Event()
    lines = ("model smollm2-135m-instruct is not built yet: building it once", "[tandem.quantize] export: running")
    app = make_app(Settings(), agent_factory=scripted_factory(ScriptedAgent(), progress_lines=lines, hold=hold))

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, StartupScreen)
                        and len(app.screen.lines) == 2)
            assert app.screen.lines == list(lines)
            assert "starting" in _status(app)
            hold.set()
            await until(pilot, lambda: app.session is not None and not isinstance(app.screen, StartupScreen))
            assert app.query_one("Input").has_focus

    asyncio.run(go())


def test_missing_model_is_a_clear_message_and_the_app_stays_up() -> None:
    async def factory(progress: Progress) -> ChatSession:
        progress("model smollm2-135m-instruct is not built yet")
        raise SessionStartError("model smollm2-135m-instruct is missing and building it failed (no torch). "
                                "Run `tandem model build smollm2-135m-instruct` in a shell")

    app = make_app(Settings(), agent_factory=factory)

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.start_error is not None and not isinstance(app.screen, StartupScreen))
            assert "model missing" in _status(app)
            assert _messages(app)[0][0] == "error" and "tandem model build" in _messages(app)[0][1]
            app.query_one("Input").value = "hello?"
            await pilot.press("enter")
            await pilot.pause()
            assert _messages(app)[-1][0] == "error" and "Cannot answer" in _messages(app)[-1][1]
            await pilot.press("ctrl+g")  # keys still work
            await until(pilot, lambda: isinstance(app.screen, VaultScreen))

    asyncio.run(go())


def test_answer_errors_show_and_the_next_turn_works() -> None:
    from inference.errors import ContextTooLong

    agent = ScriptedAgent()
    real_ask = agent.ask
    failures = [ContextTooLong(3000, 200, 2048)]

    async def ask(text: str, **kw: object) -> object:
        if failures:
            raise failures.pop()
        return await real_ask(text, **kw)  # type: ignore[arg-type]

    agent.ask = ask  # type: ignore[method-assign]
    app = make_app(Settings(), agent_factory=scripted_factory(agent))

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.session is not None)
            app.query_one("Input").value = "a very long question"
            await pilot.press("enter")
            await until(pilot, lambda: not app.busy and _messages(app)[-1][0] == "error")
            assert "shorten the request" in _messages(app)[-1][1]
            app.query_one("Input").value = "a short question"
            await pilot.press("enter")
            await until(pilot, lambda: app.turns == 1)

    asyncio.run(go())


def test_chat_log_keeps_order(tmp_path: Path) -> None:
    # ChatLog.add returns the message it mounted, which the app then streams into
    app = make_app(Settings(), agent_factory=scripted_factory(ScriptedAgent()))

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.session is not None)
            log = app.query_one(ChatLog)
            first = log.add("user", "one")
            log.add("assistant", "two")
            await pilot.pause()
            first.set_text("one!")
            assert [t for _, t in _messages(app)][-2:] == ["one!", "two"]

    asyncio.run(go())


def test_a_sensitive_request_asks_first_and_no_is_the_default() -> None:
    from device.tui.screens import ConfirmScreen

    agent = ScriptedAgent()
    agent.ask_first = "This request tells something about you (health). May a redacted copy go to the cloud?"
    app = make_app(Settings(), agent_factory=scripted_factory(agent))

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.session is not None and not isinstance(app.screen, StartupScreen))
            for key, expected in (("y", [True]), ("escape", [True, False])):
                await pilot.press(*"my test came back positive")
                await pilot.press("enter")
                await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
                assert "(health)" in str(app.screen.query_one("#confirm-question").render())
                await pilot.press(key)
                await until(pilot, lambda: not app.busy)
                assert agent.confirmed == expected

    asyncio.run(go())


def test_what_the_user_types_lands_in_the_prompt_after_the_trace_closes_a_toast_and_a_turn() -> None:
    app = make_app(Settings(), agent_factory=scripted_factory(ScriptedAgent()))

    async def go() -> None:
        async with app.run_test(size=(80, 24), notifications=True) as pilot:  # toasts shown
            await until(pilot, lambda: app.session is not None and not isinstance(app.screen, StartupScreen))
            prompt = app.query_one(Input)
            panel = app.query_one(TracePanel)
            for close in ("escape", "ctrl+t"):  # Esc, or the same key again
                await pilot.press("ctrl+t")
                await until(pilot, lambda: app.screen.maximized is panel)
                await pilot.press(close)
                await until(pilot, lambda: app.screen.maximized is None)
                await pilot.press(*"hi")
                assert prompt.value == "hi", close
                prompt.value = ""
            await pilot.press("ctrl+l")  # a toast: "Next turn: local only."
            await until(pilot, lambda: len(app.screen.query("Toast")) > 0)
            await pilot.press(*"hi")
            assert prompt.value == "hi"
            await pilot.press("enter")
            await until(pilot, lambda: app.turns == 1)
            await pilot.press(*"hi")
            assert prompt.value == "hi"

    asyncio.run(go())


def test_the_side_panel_wraps_between_words_and_never_splits_a_model_name() -> None:
    agent = ScriptedAgent()
    agent.cloud_model = "qwen2.5-coder-1.5b-instruct/int8"  # wider than the side panel at 80x24
    app = make_app(Settings(), agent_factory=scripted_factory(agent))

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.session is not None)
            app.query_one(Input).value = PII_TEXT
            await pilot.press("ctrl+o", "enter")
            await until(pilot, lambda: app.turns == 1)
            await pilot.pause()
            panel = app.query_one(TracePanel)
            block = panel.query_one(".turn", Static)
            words = set(panel.texts[0].split())
            lines = rendered_lines(block)
            # every word shown is a whole word of the trace, or the start of one ended by an ellipsis
            for token in (t for line in lines for t in line.split()):
                assert token in words or (token.endswith("…") and any(w.startswith(token[:-1]) for w in words)), (
                    token, lines)
            assert any(line.startswith("qwen2.5-coder-1.5b-instruct") for line in lines), lines
            # zoomed, the panel is wide enough to show the name whole
            await pilot.press("ctrl+t")
            await until(pilot, lambda: app.screen.maximized is panel)
            await pilot.pause()
            assert any(agent.cloud_model in line for line in rendered_lines(block)), rendered_lines(block)

    asyncio.run(go())


def test_toasts_sit_above_the_prompt_and_the_status_bar() -> None:
    app = make_app(Settings(), agent_factory=scripted_factory(ScriptedAgent()))

    async def go() -> None:
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await until(pilot, lambda: app.session is not None and not isinstance(app.screen, StartupScreen))
            await pilot.press("ctrl+l")  # "Next turn: local only.", and the status bar grows to two lines
            await until(pilot, lambda: len(app.screen.query("Toast")) > 0)
            await pilot.pause()
            toast = app.screen.query_one("Toast")
            status = app.query_one(StatusBar)
            assert toast.region.height > 0 and status.region.height == 2, (toast.region, status.region)
            for widget in (status, app.query_one(Input)):
                assert not toast.region.overlaps(widget.region), (toast.region, widget, widget.region)

    asyncio.run(go())
