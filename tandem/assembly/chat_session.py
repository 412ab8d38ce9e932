"""The real session behind `tandem chat`: keys, the device model (built on first use), the cloud link.

Runs inside the app, so every long step reports to its startup screen: a first model build runs
`tandem model build` as a child process whose progress lines (steps and bars) are shown as they
come, instead of a frozen terminal. The broker being down is not an error: the chat answers on the
device and the link retries in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import sys
from collections.abc import Sequence
from functools import partial

from device.cloud_link import CloudLink
from device.tui.session import ChatSession, Progress, SessionStartError
from protocol.errors import TandemError
from tandem.settings import Settings

log = logging.getLogger(__name__)

_LINE_END = re.compile(rb"[\r\n]+")


async def build_with_progress(name: str, settings: Settings, progress: Progress,
                              command: Sequence[str] | None = None) -> None:
    """`tandem model build NAME` (or `command`, for tests) in a child process, its stderr forwarded."""
    progress(f"model {name} is not built yet: building it once into {settings.models_dir} (minutes)")
    argv = list(command or [sys.executable, "-m", "tandem.cli", "model", "build", name])
    shown = " ".join(["tandem", *argv[3:]]) if argv[1:3] == ["-m", "tandem.cli"] else " ".join(argv)
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        env=dict(os.environ, TANDEM_MODELS_DIR=str(settings.models_dir)),  # the cache this session reads
        start_new_session=True,  # its own process group: quitting stops the build's step children too
    )
    assert proc.stderr is not None
    buffer, last = b"", ""
    try:
        while chunk := await proc.stderr.read(4096):
            *lines, buffer = _LINE_END.split(buffer + chunk)  # tqdm redraws with \r: each redraw is a line
            for raw in lines:
                line = raw.decode("utf-8", errors="replace").strip()
                if line:
                    last = line
                    progress(line)
    finally:
        if not proc.stderr.at_eof():
            # the user quit mid-build: stop it (the build resumes at the first unfinished step next time)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            await proc.wait()
    code = await proc.wait()
    if code != 0:
        raise SessionStartError(
            f"model {name} is missing and building it failed ({last or f'exit code {code}'}). "
            f"Run `{shown}` in a shell to see the whole log, or copy a built model "
            f"dir into {settings.models_dir}; then start `tandem chat` again."
        )


async def open_session(settings: Settings, progress: Progress, conversation: str | None = None) -> ChatSession:
    """Keys, model (built if missing), engine with the hardware profile, the named conversation's
    vault (if any), then the broker."""
    from device.redaction.ner import MODEL_NAME as NER_MODEL
    from device.redaction.ner import find_ner_model
    from device.redaction.sensitive import MODEL_NAME as SENSITIVE_MODEL
    from device.redaction.sensitive import find_built as find_sensitive
    from quantize.locate import find_built
    from tandem.assembly.engine_options import engine_options
    from tandem.assembly.runtime import ensure_enrolled, make_agent, make_escalator

    opts = engine_options(settings)
    progress(f"hardware profile: {opts.profile.name} (threads {opts.threads}, max context {opts.max_context})")
    if find_built(settings.device_model, settings.models_dir) is None:
        await build_with_progress(settings.device_model, settings, progress)
    if settings.redaction.ner != "off" and find_ner_model(settings.models_dir) is None:
        # the PII name/address model: trained once, its progress on this screen (not under the UI)
        await build_with_progress(NER_MODEL, settings, progress,
                                  [sys.executable, "-m", "tandem.cli", "model", "train-ner"])
    if settings.redaction.sensitive.model != "off" and find_sensitive(settings.models_dir) is None:
        await build_with_progress(SENSITIVE_MODEL, settings, progress,
                                  [sys.executable, "-m", "tandem.cli", "model", "train-sensitive"])
    progress(f"loading {settings.device_model} …")
    try:
        agent, _ = await asyncio.to_thread(make_agent, settings, with_cloud=False)
    except TandemError as exc:
        raise SessionStartError(f"the device model could not be loaded: {exc}") from exc
    from device.personal.conversations import new_conversation_id

    try:  # every chat is a conversation the device keeps (`tandem logs`); a named one continues
        agent.open_conversation(conversation or new_conversation_id("chat"), face="chat")
    except TandemError as exc:
        raise SessionStartError(f"conversation {conversation!r} cannot be continued: {exc}") from exc
    if agent.tools is not None:
        progress("connecting to the home …")
        await agent.tools.start()
    manifest = agent.engine.manifest
    session = ChatSession(agent, model=manifest.name, precision=manifest.precision, profile=opts.profile.name)
    if agent.policy.hold_all is not None:  # a model it could not have
        session.notices.append(agent.policy.hold_all)

    try:
        await asyncio.to_thread(ensure_enrolled, settings)
    except TandemError as exc:
        session.notices.append(f"No cloud this session: {exc}. Answers stay on the device.")
        return session

    progress(f"connecting to the broker at {settings.broker_url} …")
    session.link = CloudLink(agent, partial(make_escalator, settings), broker_url=settings.broker_url)
    if not await session.link.start():
        session.notices.append(
            f"The broker is down ({session.link.last_error}). Answering on the device only; retrying every "
            f"{session.link.retry_s:.0f} s. To use the cloud, start a broker and a worker (`tandem worker`), "
            "or run `tandem chat --autostart`."
        )
    return session
