"""Assemble the running system from settings: models, keys, broker, worker, agent.

`tandem demo` and `tandem ask` start what is missing (a loopback broker, one worker process)
and stop what they started when they finish; `tandem serve` and the TUI reuse `make_agent`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from protocol.errors import TandemError

if TYPE_CHECKING:
    from device.tools.executor import DeviceTools
from protocol.mqtt import BrokerConnectError, MqttAuth, connect, make_client, parse_url
from tandem.broker import BrokerProcess, is_listening, start_broker
from tandem.settings import Settings

if TYPE_CHECKING:
    from device.collab.cloud_policy import CloudBudget
    from device.collab.executors import ToolPlanner
    from device.tools.executor import DeviceTools

log = logging.getLogger(__name__)


class SetupError(TandemError):
    pass


def model_dir(name: str, settings: Settings, *, build: bool = True, progress: bool = True) -> Path:
    """The built model dir for `name`, building it (with progress) on first use."""
    from quantize.locate import find_built

    found = find_built(name, settings.models_dir)
    if found is not None:
        return found
    if not build:
        raise SetupError(f"model {name} is not built: run `tandem model build {name}`")
    try:
        from quantize.build import build_model
    except ImportError as exc:
        raise SetupError(
            f"model {name} is not built and the build tools are missing: "
            "`pip install 'tandem-edge[quantize]'` (after `pip install torch==2.13.0`), or copy a built model "
            f"dir into {settings.models_dir}"
        ) from exc
    return build_model(name, settings.models_dir, progress=progress)  # its first line says what it builds


def ensure_keys(settings: Settings) -> None:
    """This device's own key pairs, created (0600) if missing. Never the pool's: a device holds the pool's
    public key only, pinned by enrolment (`tandem keys pin`), unless this machine also runs the pool
    (`ensure_local_pool`)."""
    from protocol.key_lifecycle import create_device_keys

    create_device_keys(settings.keys_dir, settings.device_id)


def ensure_enrolled(settings: Settings) -> None:
    """The device's own keys (created if missing), then a check that it is enrolled with a pool: raises
    KeyStoreError (saying how to enrol) when the pool's public key is not pinned. A key problem shows here,
    once, instead of on every connection attempt."""
    from protocol.keys import DeviceKeys

    ensure_keys(settings)
    DeviceKeys.load(settings.keys_dir, settings.device_id)


def ensure_local_pool(settings: Settings) -> str | None:
    """This machine runs the worker pool too (`demo`, `chat --autostart`, `ask` when it starts a worker):
    the pool's key pairs (created if missing), this device enrolled in it and the pool pinned on it. A note
    to show when the pool's keys were created here, else None."""
    from protocol.keys import init_keys, pool_dir

    home = pool_dir(settings.keys_dir)
    had = (home / "ed25519.key").exists() and (home / "x25519.key").exists()
    init_keys(settings.keys_dir, settings.device_id)
    if had:
        return None
    return (f"created the local worker pool's keys in {home}: this machine runs the pool as well as the device "
            "(a device of a separate pool gets only the pool's public key: `tandem keys pin`)")


@dataclass
class Infra:
    """What `ensure_infra` started, to be stopped afterwards."""

    broker_url: str
    broker: BrokerProcess | None = None
    worker: subprocess.Popen[bytes] | None = None
    notes: list[str] = field(default_factory=list)

    def stop(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.terminate()
            try:
                self.worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.worker.kill()
        if self.broker is not None:
            self.broker.stop()


def workers_online(broker_url: str, wait_s: float = 0.6, mqtt_version: str = "5",
                   auth: MqttAuth | None = None) -> list[str]:
    """Worker ids whose retained status says online."""
    from cloud.worker import STATUS_TOPIC

    online: dict[str, bool] = {}
    client = make_client(f"probe-{os.getpid()}-{time.monotonic_ns() % 100000}", mqtt_version)

    def on_message(c: object, u: object, msg: object) -> None:
        worker = msg.topic.split("/")[3]  # type: ignore[attr-defined]
        online[worker] = msg.payload == b"online"  # type: ignore[attr-defined]

    client.on_message = on_message
    connect(client, broker_url, timeout=5, auth=auth)
    client.subscribe(STATUS_TOPIC.format(worker_id="+"), qos=1)
    time.sleep(wait_s)
    client.disconnect()
    client.loop_stop()
    return [w for w, up in online.items() if up]


def ensure_infra(settings: Settings, *, start_worker: bool = True, worker_backend: str | None = None) -> Infra:
    """Make sure a broker answers and a worker listens; start on loopback what is missing."""
    host, port, tls = parse_url(settings.broker_url)
    infra = Infra(settings.broker_url)
    if not is_listening(host, port):
        if host not in ("127.0.0.1", "localhost", "::1") or tls:
            raise SetupError(f"no MQTT broker answers at {settings.broker_url}; start it, or unset "
                             "TANDEM_BROKER_URL to let tandem start one on loopback")
        infra.broker = start_broker(port)
        infra.notes.append(f"started {infra.broker.kind} broker on {infra.broker.url}")
    mqtt_version = settings.mqtt_version
    if infra.broker is not None and not infra.broker.supports_shared_subscriptions:
        mqtt_version = "3.1.1"  # the embedded broker speaks 3.1.1 only
    if start_worker and settings.mqtt_auth() is not None:
        # a secured broker's ACL gives devices no view of the workers and a worker needs the pool's own
        # account: tandem starts none here
        infra.notes.append("secured broker (TLS/account settings): not starting a worker; run `tandem worker` "
                           "with the pool's broker account")
    elif start_worker and not workers_online(settings.broker_url, mqtt_version=mqtt_version):
        created = ensure_local_pool(settings)  # the worker started here needs the pool's keys; the device, its pin
        if created is not None:
            infra.notes.append(created)
        env = dict(os.environ, TANDEM_BROKER_URL=settings.broker_url, TANDEM_MQTT_VERSION=mqtt_version,
                   TANDEM_KEYS_DIR=str(settings.keys_dir), TANDEM_MODELS_DIR=str(settings.models_dir),
                   TANDEM_CLOUD_MODEL=settings.cloud_model)
        cmd = [sys.executable, "-m", "tandem.cli", "worker", "--backend", worker_backend or settings.worker_backend]
        infra.worker = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
        try:
            _wait_worker(infra, mqtt_version)
        except SetupError:
            infra.stop()  # leave nothing running that the caller cannot stop
            raise
        infra.notes.append(f"started a {worker_backend or settings.worker_backend} worker (pid {infra.worker.pid})")
    return infra


def _wait_worker(infra: Infra, mqtt_version: str, timeout_s: float = 120) -> None:
    assert infra.worker is not None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if infra.worker.poll() is not None:
            raise SetupError(f"the worker exited with code {infra.worker.returncode}; see its log above")
        with contextlib.suppress(BrokerConnectError):
            if workers_online(infra.broker_url, 0.3, mqtt_version):
                return
    raise SetupError(f"the worker did not come online within {timeout_s:.0f} s")


def make_escalator(settings: Settings):  # -> Escalator, not started
    """The device's escalation client as settings describe it; `tandem chat`/`serve` build one per
    connection attempt while the broker is down."""
    from device.escalation import Escalator, RetryPolicy
    from device.spool import Spool
    from protocol.keys import DeviceKeys
    from tandem import locations

    esc = settings.escalation
    spool_path = esc.spool_path or locations.state_dir() / "spool" / f"{settings.device_id}.sqlite"
    return Escalator(broker_url=settings.broker_url, mqtt_version=settings.mqtt_version,
                     keys=DeviceKeys.load(settings.keys_dir, settings.device_id),
                     ttl_s=esc.ttl_s, spool=Spool(spool_path, max_tasks=esc.spool_max_tasks),
                     retry=RetryPolicy(first_s=esc.retry_s), auth=settings.mqtt_auth())


def make_agent(settings: Settings, *, with_cloud: bool = True):
    from device.agent import Agent, AgentConfig
    from device.collab import RouterOptions, make_fuser, make_planner, make_router
    from device.collab.cloud_policy import LatencyTarget
    from device.redaction.sensitive_policy import SensitivePolicy
    from inference.engine import load_engine
    from tandem.assembly.engine_options import engine_options
    from tandem.assembly.redaction_setup import (
        device_policy,
        device_redactor,
        device_sensitive,
        device_vault_store,
        ner_model_dir,
    )
    from tandem.assembly.tools_setup import make_tools

    opts = engine_options(settings)  # the hardware profile's threads/max_context unless set explicitly
    engine = load_engine(model_dir(settings.device_model, settings), threads=opts.threads,
                         max_context=opts.max_context, allow_spinning=opts.allow_spinning)
    escalator = make_escalator(settings) if with_cloud else None
    esc = settings.escalation
    config = AgentConfig(threshold=esc.threshold, probe_tokens=esc.probe_tokens,
                         local_max_tokens=settings.local_max_tokens, cloud_max_tokens=settings.cloud_max_tokens,
                         timeout_s=esc.timeout_s, keep_personal_local=esc.keep_personal_local,
                         no_repeat_ngram=settings.local_no_repeat_ngram)
    collab = settings.collab
    router = make_router(collab.routers, RouterOptions(
        threshold=esc.threshold, probe_tokens=esc.probe_tokens, keep_personal_local=esc.keep_personal_local,
        logprob_threshold=esc.logprob_threshold, pregen_threshold=esc.pregen_threshold,
        deferral_threshold=esc.deferral_threshold,
        models_dir=settings.models_dir))
    tools = make_tools(settings)  # the home, timers, lists, reminders: started by the face
    if tools.services.personal is not None:  # expired conversations go on opening, as their vaults do
        tools.services.personal.purge_expired_conversations()
    ner_dir = ner_model_dir(settings)  # every face redacts with it; built here on first use
    sensitive = device_sensitive(settings)  # and tags sensitive context with this one
    s = settings.redaction.sensitive
    return Agent(engine, device_redactor(settings, ner_dir), config, escalator,
                 policy=device_policy(settings, has_ner=ner_dir is not None, has_sensitive=sensitive is not None),
                 sensitive=sensitive, sensitive_policy=SensitivePolicy(dict(s.policy), s.default),
                 vaults=device_vault_store(settings), planner=make_planner(collab.planner, tools.recognise),
                 router=router, tools=tools, tool_planner=_tool_planner(settings, tools, esc.timeout_s),
                 fuser=make_fuser(collab.fuser), contacts=_contact_names(tools),
                 public_figures=esc.public_figures, budget=_budget(settings),
                 latency=LatencyTarget(esc.latency_target_s) if esc.latency_target_s is not None else None,
                 memory=tools.services.personal), escalator


def _budget(settings: Settings) -> CloudBudget | None:
    """The daily cloud budget, counted in `<state dir>/cloud-budget/<device_id>.json` (None: no limit)."""
    per_day = settings.escalation.daily_cloud_budget
    if per_day is None:
        return None
    from device.collab.cloud_policy import CloudBudget
    from tandem.locations import state_dir

    return CloudBudget(per_day, state_dir() / "cloud-budget" / f"{settings.device_id}.json")


def _contact_names(tools: DeviceTools) -> Callable[[], list[str]] | None:
    """The names (and aliases) of the user's contacts, read when asked (they change)."""
    store = tools.services.personal
    if store is None:
        return None
    return lambda: [n for c in store.contacts() for n in (c.name, *c.aliases)]


def _tool_planner(settings: Settings, tools: DeviceTools, timeout_s: float) -> ToolPlanner | None:
    """The cloud planner of commands the device cannot parse (used only while a cloud is connected)."""
    if not settings.tools.cloud_planner:
        return None
    from device.tools.parsers.cloud_planner import CloudPlanner

    return CloudPlanner(tools.registry, tools.vocabulary, min_confidence=settings.tools.cloud_planner_min_confidence,
                        timeout_s=timeout_s)
