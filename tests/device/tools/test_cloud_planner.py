"""The cloud plans, the device acts: a command the device's parsers cannot parse is planned by a real
worker over a real Mosquitto, and executed on a simulated home device with the value restored.

Everything that crosses the broker is captured; what the worker decrypted is recorded by its backend
(the echo backend's keyword planner, a test double of a model): neither holds a home name or a value.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from cloud.backends.echo import EchoBackend
from cloud.worker import Worker
from device.agent import Agent, AgentConfig, Answer
from device.collab import make_planner
from device.escalation import Escalator
from device.redaction import RuleRedactor
from device.tools.parsers.cloud_planner import CloudPlanner
from harness.sim.home_devices import Lock, SimHome
from inference.engine import Engine
from protocol.keys import DeviceKeys
from protocol.tools import PlannedToolCall, ToolSpec
from tandem.assembly.tools_setup import make_tools
from tandem.broker import BrokerProcess
from tandem.settings import HomeSettings, PersonalSettings, Settings, ToolsSettings
from tests.mqtt_observer import Observer

CONFIG = AgentConfig(threshold=99, probe_tokens=4, local_max_tokens=8, timeout_s=20, keep_personal_local=False)
HOME_WORDS = ("kitchen", "spots", "patio", "living room", "study", "nursery", "heat pump", "kettle", "reading")


class RecordingEcho(EchoBackend):
    """The echo backend, recording what the worker decrypted and handed it; `answer` overrides its plan."""

    def __init__(self, answer: PlannedToolCall | None | str = "echo") -> None:
        super().__init__()
        self.received: list[tuple[str, tuple[ToolSpec, ...]]] = []
        self.answer = answer

    def plan(self, prompt: str, tools: Sequence[ToolSpec]) -> PlannedToolCall | None:
        self.received.append((prompt, tuple(tools)))
        if self.answer == "echo":
            return super().plan(prompt, tools)
        assert not isinstance(self.answer, str)
        return self.answer


@pytest.fixture(scope="module")
def engine(tiny_model: Path) -> Engine:
    return Engine(tiny_model, threads=1)


@pytest.fixture
def sim(mosquitto: BrokerProcess) -> Iterator[SimHome]:
    uid = uuid.uuid4().hex[:8]
    home = SimHome(mosquitto.url, prefix=f"ha-{uid}", base=f"sim-{uid}").start()
    yield home
    home.close()


@pytest.fixture
def observer(mosquitto: BrokerProcess) -> Iterator[Observer]:
    obs = Observer(mosquitto.url)
    yield obs
    obs.close()


def _worker(mosquitto: BrokerProcess, keys_root: Path, backend: Any) -> Iterator[Worker]:
    worker = Worker(broker_url=mosquitto.url, keys_root=keys_root, backend=backend, shared=False)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not worker.connected and time.monotonic() < deadline:  # the deadline only bounds the wait
        time.sleep(0.02)
    yield worker
    stop.set()
    thread.join(30)


def _settings(tmp_path: Path, mosquitto: BrokerProcess, sim: SimHome) -> Settings:
    # the device parses with Home Assistant's templates and the rules only (not the learned stage, which
    # reads "power off ..."): what they miss is what the cloud is asked to plan here
    return Settings(keys_dir=tmp_path / "keys", device_id="dev-a", tools=ToolsSettings(stages=["hassil", "rules"]),
                    home=HomeSettings(broker_url=mosquitto.url, discovery_prefix=sim.prefix, area="Kitchen"),
                    personal=PersonalSettings(path=tmp_path / "personal.sqlite", timezone="Europe/Zurich"))


def _ask(engine: Engine, settings: Settings, keys_root: Path, mosquitto: BrokerProcess, texts: list[str],
         config: AgentConfig = CONFIG, **kwargs: Any) -> list[Answer]:
    async def go() -> list[Answer]:
        tools = make_tools(settings)
        escalator = Escalator(broker_url=mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"))
        planner = CloudPlanner(tools.registry, tools.vocabulary, timeout_s=20)
        agent = Agent(engine, RuleRedactor(), config, escalator, planner=make_planner("rules", tools.recognise),
                      tools=tools, tool_planner=planner)
        await tools.start()
        await escalator.start()
        try:
            return [await agent.ask(text, **kwargs) for text in texts]
        finally:
            await escalator.close()
            await tools.close()

    return asyncio.run(go())


@pytest.fixture
def echo_worker(mosquitto: BrokerProcess, keys_root: Path) -> Iterator[tuple[Worker, RecordingEcho]]:
    backend = RecordingEcho()
    for worker in _worker(mosquitto, keys_root, backend):
        yield worker, backend


def test_a_command_the_device_cannot_parse_is_planned_in_the_cloud_and_executed_here(
        engine: Engine, tmp_path: Path, keys_root: Path, mosquitto: BrokerProcess, sim: SimHome,
        observer: Observer, echo_worker: tuple[Worker, RecordingEcho]) -> None:
    backend = echo_worker[1]
    settings = _settings(tmp_path, mosquitto, sim)
    assert make_tools(settings).recognise("Power off the kitchen spots, mail bob@example.com after.") is None
    (answer,) = _ask(engine, settings, keys_root, mosquitto, ["Power off the kitchen spots, mail bob@example.com after."])
    # the device executed it: the light got its command, with the name restored from the vault
    assert json.loads(sim.wait_command(sim.light.command_topic)[0])["state"] == "OFF"
    call = answer.tool_calls[0]
    assert call["name"] == "HassTurnOff" and call["planned_by"] == "cloud"
    assert call["arguments"] == {"name": "<DEVICE_1>"}  # the trace keeps the placeholder
    assert call["result"]["entities"][0]["state"] == "off"
    assert answer.answer.startswith("Turned off the Kitchen Spots")
    # what the worker decrypted: the request with placeholders, and schemas without home values
    ((prompt, tools),) = backend.received
    assert prompt == "Power off the <DEVICE_1>, mail <EMAIL_1> after."
    offered = json.dumps([t.model_dump() for t in tools]).lower()
    assert "HassTurnOff" in {t.name for t in tools}
    for word in (*HOME_WORDS, "bob@example.com", "example.com"):
        assert word not in prompt.lower() and word not in offered, word
    # what the device shows it sent is that same payload
    assert [s["payload"]["prompt"] for s in answer.sent] == [prompt]
    # every byte on the cloud's topics is sealed: no home word, no value in the clear
    cloud = [p for t, p in observer.messages if t.startswith("tandem/")]
    assert len(observer.on("tandem/v1/task")) >= 1 and len(observer.on("tandem/v1/result")) >= 1
    for payload in cloud:
        low = payload.lower()
        assert b"bob@" not in low and b"kitchen" not in low and b"hassturnoff" not in low


def test_a_planned_act_under_a_confirm_policy_asks_first(engine: Engine, tmp_path: Path, keys_root: Path,
                                                        mosquitto: BrokerProcess, sim: SimHome,
                                                        echo_worker: tuple[Worker, RecordingEcho]) -> None:
    lock = sim.device(Lock)
    settings = _settings(tmp_path, mosquitto, sim)
    text = "Please make sure to unlock the patio door for me."
    assert make_tools(settings).recognise(text) is None
    asked: list[tuple[str, str]] = []

    async def no(kind: str, question: str) -> bool:
        asked.append((kind, question))
        return False

    (declined,) = _ask(engine, settings, keys_root, mosquitto, [text], confirm=no)
    assert declined.tool_calls[0]["planned_by"] == "cloud" and declined.tool_calls[0]["name"] == "HassTurnOff"
    assert asked and asked[0][0] == "act" and "Patio Door" in asked[0][1]
    assert "did not" in declined.answer and sim.on(lock.command_topic) == []

    async def yes(kind: str, question: str) -> bool:
        return True

    (done,) = _ask(engine, settings, keys_root, mosquitto, [text], confirm=yes)
    assert sim.wait_command(lock.command_topic)
    assert done.tool_calls[0]["result"]["entities"][0]["state"] == "unlocked"


def test_a_command_with_private_data_stays_here_when_personal_parts_stay_local(
        engine: Engine, tmp_path: Path, keys_root: Path, mosquitto: BrokerProcess, sim: SimHome,
        echo_worker: tuple[Worker, RecordingEcho]) -> None:
    backend = echo_worker[1]
    keep = AgentConfig(threshold=99, probe_tokens=4, local_max_tokens=8, timeout_s=20, keep_personal_local=True)
    (answer,) = _ask(engine, _settings(tmp_path, mosquitto, sim), keys_root, mosquitto,
                     ["Power off the kitchen spots, mail bob@example.com after."], config=keep)
    assert backend.received == [] and answer.sent == [] and answer.tool_calls == []


def test_a_question_is_not_sent_to_be_planned(engine: Engine, tmp_path: Path, keys_root: Path,
                                              mosquitto: BrokerProcess, sim: SimHome,
                                              echo_worker: tuple[Worker, RecordingEcho]) -> None:
    backend = echo_worker[1]
    (answer,) = _ask(engine, _settings(tmp_path, mosquitto, sim), keys_root, mosquitto,
                     ["How does a light switch work?"])
    assert answer.tool_calls == [] and backend.received == []


@pytest.mark.parametrize(("planned", "why"), [
    (PlannedToolCall(name="HassRmRf", arguments={}), "not a tool of this device"),
    (PlannedToolCall(name="HassTurnOff", arguments={"name": "<DEVICE_7>"}), "placeholders this request does not hold"),
    (PlannedToolCall(name="HassSetPosition", arguments={"name": "<DEVICE_1>", "position": "wide"}),
     "do not fit its schema"),
])
def test_an_unusable_plan_is_refused_and_nothing_executes(planned: PlannedToolCall, why: str, engine: Engine,
                                                          tmp_path: Path, keys_root: Path, mosquitto: BrokerProcess,
                                                          sim: SimHome) -> None:
    backend = RecordingEcho(planned)
    for _worker_ in _worker(mosquitto, keys_root, backend):
        (answer,) = _ask(engine, _settings(tmp_path, mosquitto, sim), keys_root, mosquitto,
                         ["Power off the kitchen spots."])
    assert len(backend.received) == 1
    assert any(why in n for n in answer.notices), answer.notices
    assert all(p.route != "tool" for p in answer.parts)
    time.sleep(0.3)
    assert sim.on(sim.light.command_topic) == []


def test_an_out_of_bounds_call_from_the_cloud_fails_the_task_at_once(
        engine: Engine, tmp_path: Path, keys_root: Path, mosquitto: BrokerProcess, sim: SimHome,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A compromised worker sends a result whose tool_call breaks the protocol's bounds: the device
    refuses it on arrival (no wait for the task's expiry) and nothing executes."""
    import cloud.worker as worker_module
    from protocol.messages import TaskResult

    def inflate(task: Any, result: TaskResult, response_key: bytes, *, ttl_s: float) -> bytes:
        deep: dict[str, Any] = {}
        for _ in range(20):
            deep = {"a": deep}
        raw = json.loads(result.model_dump_json())
        raw["tool_call"] = {"name": "HassTurnOff", "arguments": {"name": deep}}
        return _seal_raw(task, raw, response_key, ttl_s)

    monkeypatch.setattr(worker_module, "answer", inflate)
    backend = RecordingEcho()
    for _worker_ in _worker(mosquitto, keys_root, backend):
        (answer,) = _ask(engine, _settings(tmp_path, mosquitto, sim), keys_root, mosquitto,
                         ["Power off the kitchen spots."])
    assert len(backend.received) == 1
    assert any("not a valid TaskResult" in n and "tool_call" in n for n in answer.notices), answer.notices
    assert any("nothing of it was used" in n for n in answer.notices)  # refused on arrival, not timed out
    assert answer.tool_calls == []
    time.sleep(0.3)
    assert sim.on(sim.light.command_topic) == []


def _seal_raw(task: Any, payload: dict[str, Any], response_key: bytes, ttl_s: float) -> bytes:
    """A response-key result carrying `payload` as it is (no model check): what a hostile worker can send."""
    import base64
    import os

    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    from protocol.messages import canonical_bytes
    from protocol.response import AAD_PREFIX, result_header

    header = result_header(task, response_key, ttl_s=ttl_s)
    head = canonical_bytes(header.schema_version, header.kind, header.device_id, header.task_id, header.seq,
                           header.issued_at, header.expires_at, header.key_id, header.result_mode, header.session)
    nonce = os.urandom(12)
    sealed = nonce + ChaCha20Poly1305(response_key).encrypt(nonce, json.dumps(payload).encode(), AAD_PREFIX + head)
    env = {"schema_version": 2, "header": json.loads(head), "ciphertext": base64.b64encode(sealed).decode()}
    return json.dumps(env, separators=(",", ":")).encode()
