"""The real session factory behind `tandem chat`: model lookup, the build's progress, broker down."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from device.tui import SessionStartError
from protocol.keys import init_keys
from tandem.assembly.chat_session import open_session
from tandem.broker import BrokerProcess, free_port
from tandem.settings import Settings
from tests.tandem.tiny_layout import models_dir_with_tiny


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TANDEM_CONFIG", str(tmp_path / "none.toml"))
    for var in ("TANDEM_THREADS", "TANDEM_MAX_CONTEXT", "TANDEM_BROKER_URL", "TANDEM_MODELS_DIR"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def test_broker_down_gives_a_local_session_with_a_notice(tiny_model: Path, isolated: Path) -> None:
    settings = Settings(models_dir=models_dir_with_tiny(tiny_model, isolated / "models"), device_model="tiny",
                        keys_dir=isolated / "keys", device_id="dev-t", hardware_profile="raspberry-pi-4",
                        broker_url=f"mqtt://127.0.0.1:{free_port()}")
    init_keys(isolated / "keys", "dev-t")  # an enrolled device (a single box: `tandem keys init`)
    lines: list[str] = []

    async def go() -> None:
        session = await open_session(settings, lines.append)
        try:
            assert session.profile == "raspberry-pi-4"
            assert session.broker_state() == "down" and session.agent.escalator is None
            assert any("broker is down" in n and "tandem worker" in n for n in session.notices)
            answer = await session.agent.ask("hello there, how are you")
            assert answer.route == "local" and answer.sent == []
        finally:
            await session.close()

    asyncio.run(go())
    assert lines[0].startswith("hardware profile: raspberry-pi-4 (threads 4, max context 1024)")
    assert any(line.startswith("connecting to the broker") for line in lines)


def test_session_connects_to_a_running_broker(tiny_model: Path, isolated: Path, mosquitto: BrokerProcess) -> None:
    settings = Settings(models_dir=models_dir_with_tiny(tiny_model, isolated / "models"), device_model="tiny",
                        keys_dir=isolated / "keys", device_id="dev-t", broker_url=mosquitto.url)
    init_keys(isolated / "keys", "dev-t")

    async def go() -> None:
        session = await open_session(settings, lambda line: None)
        try:
            assert session.broker_state() == "connected" and session.notices == []
            assert session.agent.escalator is not None and session.spooled() == 0
        finally:
            await session.close()
        assert session.agent.escalator is None

    asyncio.run(go())


def test_model_that_cannot_be_built_is_a_clear_error_after_progress(isolated: Path) -> None:
    settings = Settings(models_dir=isolated / "models", device_model="no-such-model", keys_dir=isolated / "keys")
    lines: list[str] = []
    with pytest.raises(SessionStartError, match="tandem model build no-such-model"):
        asyncio.run(open_session(settings, lines.append))
    assert any("is not built yet" in line for line in lines)
    assert len(lines) >= 3  # the child's own error line came through as progress


def test_build_progress_streams_lines_and_quitting_stops_the_whole_build(isolated: Path) -> None:
    import os
    import sys
    import time

    from tandem.assembly.chat_session import build_with_progress

    pid_file = isolated / "grandchild.pid"
    # a "build" that reports progress with \r redraws, then waits on a child of its own, as the steps do
    script = (
        "import subprocess, sys, time\n"
        "sys.stderr.write('step 1: running\\n10%\\r50%\\r'); sys.stderr.flush()\n"
        f"p = subprocess.Popen(['sleep', '60']); open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
        "p.wait()\n"
    )
    lines: list[str] = []
    settings = Settings(models_dir=isolated / "models")

    async def go() -> None:
        task = asyncio.create_task(build_with_progress("m", settings, lines.append, [sys.executable, "-c", script]))
        while not pid_file.exists() or "50%" not in lines:
            await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(go())
    assert lines[1:] == ["step 1: running", "10%", "50%"]
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError("the build's own child kept running after the chat quit")


def test_a_failed_build_names_its_last_line(isolated: Path) -> None:
    import sys

    from tandem.assembly.chat_session import build_with_progress

    script = "import sys; sys.stderr.write('error: the build tools are missing (torch)\\n'); sys.exit(2)"
    with pytest.raises(SessionStartError, match=r"building it failed \(error: the build tools are missing"):
        asyncio.run(build_with_progress("m", Settings(models_dir=isolated / "m"), lambda line: None,
                                        [sys.executable, "-c", script]))


def test_a_device_not_enrolled_chats_locally_and_never_creates_the_pool_s_keys(
        tiny_model: Path, isolated: Path, mosquitto: BrokerProcess) -> None:
    settings = Settings(models_dir=models_dir_with_tiny(tiny_model, isolated / "models"), device_model="tiny",
                        keys_dir=isolated / "keys", device_id="dev-n", broker_url=mosquitto.url)

    async def go() -> None:
        session = await open_session(settings, lambda line: None)
        try:
            assert session.broker_state() == "off" and session.agent.escalator is None
            assert any("not enrolled with a worker pool" in n and "tandem keys pin" in n for n in session.notices)
        finally:
            await session.close()

    asyncio.run(go())
    assert (isolated / "keys" / "device" / "dev-n" / "ed25519.key").exists()  # its own keys, created
    assert not list((isolated / "keys").glob("pool/*.key"))  # and nothing of the pool's
