"""Assemble and run `tandem serve`: the agent from settings, its faces, signals.

SIGHUP re-reads the config and swaps in a freshly built agent (model, threshold, broker for
escalations) between requests; if the new config cannot be built, the running one stays and the
error is logged. SIGTERM/SIGINT stop cleanly: availability goes "offline" (retained) first.
The command broker (where `tandem/<device>/ask/<caller>` lives) and the socket path are fixed for
the process lifetime: changing them takes a restart. Before anything is built, the command broker is
checked (`device.service.exposure`): an anonymous one beyond loopback stops the start unless allowed;
on one with accounts, callers are verified by the broker's ACL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from device.cloud_link import CloudLink
from device.service import AskService, Backend
from device.service.admission import AdmissionLimits
from device.service.http_face import HttpFace, HttpFaceError, is_loopback
from device.service.mqtt_face import MqttFace
from device.service.socket_face import SocketFace
from protocol.errors import TandemError
from tandem import locations
from tandem.settings import Settings

log = logging.getLogger(__name__)


def default_socket_path() -> Path:
    """systemd's RuntimeDirectory (/run/tandem), else $XDG_RUNTIME_DIR/tandem, else the state dir."""
    runtime = os.environ.get("RUNTIME_DIRECTORY") or (
        str(Path(os.environ["XDG_RUNTIME_DIR"]) / "tandem") if os.environ.get("XDG_RUNTIME_DIR") else None)
    return Path(runtime or locations.state_dir()) / "tandem.sock"


async def build_backend(settings: Settings, *, cloud: bool = True, retry_s: float = 10.0) -> Backend:
    """The agent with the hardware profile applied, and a cloud link that retries while the broker is down."""
    from tandem.assembly.engine_options import engine_options
    from tandem.assembly.runtime import ensure_enrolled, make_agent, make_escalator

    profile = engine_options(settings).profile.name
    agent, _ = await asyncio.to_thread(make_agent, settings, with_cloud=False)
    if agent.tools is not None:
        await agent.tools.start()  # the home's broker and its devices, before the first request
    backend = Backend(agent, profile=profile)
    if not cloud:
        return backend
    try:
        await asyncio.to_thread(ensure_enrolled, settings)  # the pool's key arrives by enrolment, never made here
    except TandemError as exc:
        log.error("no cloud: %s; answering on the device", exc)
        return backend
    backend.link = CloudLink(agent, partial(make_escalator, settings), broker_url=settings.broker_url,
                             retry_s=retry_s)
    if not await backend.link.start():
        log.warning("escalation broker unreachable (%s); answering on the device, retrying", backend.link.last_error)
    return backend


@dataclass
class ServeOptions:
    socket_path: Path
    command_broker: str | None  # None: no MQTT face
    discovery_prefix: str = "homeassistant"
    cloud: bool = True
    allow_anonymous_broker: bool = False  # or settings.serve.allow_anonymous_broker
    state_interval_s: float = 30.0  # re-publish the state document (spool counts change without requests)
    http: tuple[str, int] | None = None  # (host, port) of the OpenAI/Ollama-compatible API; None: none
    http_token: str | None = None  # the bearer token it requires (required off loopback)


async def run_service(load: Callable[[], Settings], options: ServeOptions, stop: asyncio.Event | None = None,
                      on_ready: Callable[[str], None] | None = None) -> None:
    """Run until SIGTERM/SIGINT (or `stop` is set); SIGHUP reloads `load()`."""
    from device.service.exposure import check
    from tandem import __version__

    settings = load()
    stop = stop or asyncio.Event()
    auth = settings.mqtt_auth()
    exposure = None
    if options.command_broker:  # refuse an open broker before the model is loaded
        exposure = await asyncio.to_thread(
            check, options.command_broker, auth,
            allow_anonymous=options.allow_anonymous_broker or settings.serve.allow_anonymous_broker)
    if options.http is not None and not is_loopback(options.http[0]) and not options.http_token:
        raise HttpFaceError(f"--http {options.http[0]}:{options.http[1]} is not a loopback address: set a bearer "
                            "token (--http-token or TANDEM_HTTP_TOKEN) so that only your clients can ask")
    s = settings.serve
    service = AskService(await build_backend(settings, cloud=options.cloud),
                         AdmissionLimits(max_waiting=s.max_waiting, rate_per_s=s.caller_rate_per_s, burst=s.caller_burst))
    faces: list[MqttFace | SocketFace | HttpFace] = [SocketFace(service, options.socket_path)]
    if options.http is not None:
        faces.append(HttpFace(service, *options.http, token=options.http_token,
                              count_tokens=lambda text: len(service.backend.agent.engine.encode(text))))
    if options.command_broker and exposure is not None:
        faces.append(MqttFace(service, broker_url=options.command_broker, device_id=settings.device_id,
                              mqtt_version=settings.mqtt_version, discovery_prefix=options.discovery_prefix,
                              version=__version__, auth=auth, verified_callers=not exposure.anonymous))
    for face in faces:
        await face.start()
    service.set_state("idle")
    scheduler_task = _start_scheduler(settings, [f for f in faces if isinstance(f, MqttFace)], stop)

    async def reload() -> None:
        log.info("SIGHUP: reloading the config")
        try:
            fresh = load()
            await service.swap(partial(build_backend, fresh, cloud=options.cloud))
        except (TandemError, ValueError) as exc:  # ValueError: pydantic's invalid settings
            log.error("reload failed, keeping the running config: %s", exc)
            return
        log.info("reloaded threshold=%.2f model=%s", fresh.escalation.threshold, fresh.device_model)

    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()

    def on_hup() -> None:
        task = loop.create_task(reload())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    loop.add_signal_handler(signal.SIGHUP, on_hup)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    ready = ready_line(options, settings, [f.url for f in faces if isinstance(f, HttpFace)])
    log.info("%s", ready)
    if on_ready is not None:
        on_ready(ready)
    try:
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), options.state_interval_s)
            service.set_state(service.stats.state)  # periodic state publish
    finally:
        for sig in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        for task in list(tasks):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await scheduler_task
        for face in reversed(faces):
            await face.stop()
        await service.backend.close()
        log.info("stopped")


def _start_scheduler(settings: Settings, faces: list[MqttFace], stop: asyncio.Event) -> asyncio.Task[None]:
    """Fire reminders, alarms, timers and messages on time (late ones with a note), on the notify topic
    `tandem/<device>/notify` as a Home Assistant-style event: {"event_type": "tandem_<kind>", "data": ...}."""
    from device.personal.scheduler import Fired
    from tandem.assembly.personal_setup import open_personal_store, personal_scheduler

    async def notify(fired: Fired) -> None:
        payload = {"event_type": f"tandem_{fired.kind}", "data": {**fired.to_json(), "note": fired.note()}}
        for face in faces:
            face.publish_notification(payload)
        log.info("fired kind=%s id=%s late=%s", fired.kind, fired.id, fired.late)

    store = open_personal_store(settings)
    return asyncio.get_running_loop().create_task(personal_scheduler(settings, store, notify).run(stop))


def ready_line(options: ServeOptions, settings: Settings, http_urls: list[str] | None = None) -> str:
    where = [f"socket {options.socket_path}"]
    if options.command_broker:
        where.append(f"mqtt {options.command_broker} topic tandem/{settings.device_id}/ask/<caller>")
    for url in http_urls or ():
        where.append(f"http {url}/v1 (OpenAI) and {url}/api (Ollama)")
    return "ready: " + "; ".join(where)
