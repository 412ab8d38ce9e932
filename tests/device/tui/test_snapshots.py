"""SVG snapshots of the main screens at 80x24 (pytest-textual-snapshot; `--snapshot-update` to accept).

The scripted agent keeps answers and timings fixed, so each SVG is the same on every run. The
zoomed trace panel's snapshot is also read back: it holds placeholders and no PII value.
"""

from __future__ import annotations

import asyncio
import html
import re
from typing import Any

import pytest

from device.tui import make_app
from device.tui.screens import StartupScreen, VaultScreen
from device.tui.widgets import TracePanel
from tests.device.tui.support import PII_TEXT, PII_VALUES, ScriptedAgent, Settings, scripted_factory, until

SIZE = (80, 24)


async def _one_turn(app: Any, pilot: Any, force: str | None = None) -> None:
    await until(pilot, lambda: app.session is not None and not isinstance(app.screen, StartupScreen))
    app.query_one("Input").value = PII_TEXT
    if force == "cloud":
        await pilot.press("ctrl+o")
    await pilot.press("enter")
    await until(pilot, lambda: app.turns == 1)
    app.clear_notifications()
    await pilot.pause()


def _svg_text(svg: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def test_main_screen_after_a_split_turn(snap_compare: Any) -> None:
    app = make_app(Settings(), agent_factory=scripted_factory(ScriptedAgent()))

    async def run_before(pilot: Any) -> None:
        await _one_turn(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_trace_panel_shows_placeholders_never_values(snap_compare: Any) -> None:
    app = make_app(Settings(), agent_factory=scripted_factory(ScriptedAgent()))
    shots: list[str] = []

    async def run_before(pilot: Any) -> None:
        await _one_turn(app, pilot, force="cloud")
        await pilot.press("ctrl+t")  # the panel alone, full screen
        await until(pilot, lambda: app.screen.maximized is app.query_one(TracePanel))
        await pilot.pause()
        shots.append(app.export_screenshot())

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    text = _svg_text(shots[0])
    assert "<PERSON_1>" in text and "<EMAIL_1>" in text and "Left the device (2)" in text
    for value in PII_VALUES:
        assert value not in text


def test_vault_screen(snap_compare: Any) -> None:
    app = make_app(Settings(), agent_factory=scripted_factory(ScriptedAgent()))

    async def run_before(pilot: Any) -> None:
        await _one_turn(app, pilot)
        await pilot.press("ctrl+g")
        await until(pilot, lambda: isinstance(app.screen, VaultScreen))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_startup_screen_with_build_progress(snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(StartupScreen, "show_elapsed_after_s", 1e9)  # no clock in the picture
    lines = ("hardware profile: raspberry-pi-5 (threads 4, max context 2048)",
             "model smollm2-135m-instruct is not built yet: building it once into ~/.cache/tandem/models",
             "[tandem.quantize] gguf_to_hf: running (child process) ...",
             "[tandem.quantize] gguf_to_hf: finished in 24.5 s, peak RSS 1210 MB",
             "[tandem.quantize] export: running (child process) ...")
    hold = asyncio.Event()
    app = make_app(Settings(), agent_factory=scripted_factory(ScriptedAgent(), progress_lines=lines, hold=hold))

    async def run_before(pilot: Any) -> None:
        await until(pilot, lambda: isinstance(app.screen, StartupScreen)
                    and len(app.screen.lines) == len(lines))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    hold.set()


def test_broker_down_screen(snap_compare: Any) -> None:
    notice = ("The broker is down (cannot reach the MQTT broker at 127.0.0.1:1883 (Connection refused)). "
              "Answering on the device only; retrying every 10 s.")
    app = make_app(Settings(), agent_factory=scripted_factory(ScriptedAgent(cloud=False), broker="down",
                                                              notices=[notice]))

    async def run_before(pilot: Any) -> None:
        await until(pilot, lambda: app.session is not None and not isinstance(app.screen, StartupScreen))
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
