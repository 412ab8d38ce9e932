"""A requester for the service's MQTT face (MQTT 5 with response topic, or 3.1.1), a tiny agent, an
echoing agent with a vault store, and a Mosquitto with accounts and the ACL of `tandem broker users`."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from device.agent import Agent, AgentConfig
from device.redaction import RuleRedactor
from device.redaction.vault_store import VaultStore
from device.service import AskService, Backend
from inference.engine import Engine, Generation, TokenEvent
from protocol.mqtt import MqttAuth, connect, make_client
from tandem.broker import BrokerProcess, free_port, mosquitto_path, wait_listening
from tandem.broker.security import make_users


def tiny_service(tiny_model: Path) -> AskService:
    config = AgentConfig(threshold=1.8, probe_tokens=4, local_max_tokens=8, cloud_max_tokens=16, timeout_s=10)
    agent = Agent(Engine(tiny_model, threads=1), RuleRedactor(), config, None)
    return AskService(Backend(agent, profile="x86-dev"))


class EchoEngine:
    """Answers with the prompt it was given, so a reply shows what the device model saw."""

    def chat(self, messages: Any, params: Any, on_token: Callable[[TokenEvent], None] | None = None,
             cancel: threading.Event | None = None) -> Generation:
        text = self.said(messages)
        if on_token is not None:
            on_token(TokenEvent(0, text, -0.1, 0.1))
        return Generation(text, (0,), (-0.1,), (0.1,), 3, "stop", 1.0, 1.0)

    def said(self, messages: Any) -> str:
        return str(messages[-1].content)


class ConversationEchoEngine(EchoEngine):
    """Answers with every message it read, " | "-joined: a reply shows the conversation the model saw."""

    def said(self, messages: Any) -> str:
        return " | ".join(m.content for m in messages)


def echo_service(vault_dir: Path, memory: Any = None, engine: Any = None) -> AskService:
    """A service whose agent echoes (values restored or not are visible) and keeps named conversations
    (their turns too, given a `memory`)."""
    store = VaultStore(vault_dir, vault_dir.parent / "vault.key")
    agent = Agent(engine or EchoEngine(), RuleRedactor(ner=None), AgentConfig(threshold=1.8, probe_tokens=2),
                  None, vaults=store, memory=memory)
    return AskService(Backend(agent, profile="x86-dev"))


def make_accounts(out: Path, device: str, callers: list[str]) -> Path:
    """`tandem broker users OUT --device DEVICE --caller NAME...`: password file, ACL, passwords."""
    make_users(out, devices=[device], workers=[], callers={name: [] for name in callers})
    return out


def account(creds: Path, user: str) -> MqttAuth:
    return MqttAuth(username=user, password=(creds / "credentials" / f"{user}.password").read_text().strip())


def start_secured_broker(creds: Path, workdir: Path, *, bind: str = "127.0.0.1") -> BrokerProcess:
    """Mosquitto with the shipped hardware/mosquitto/tandem-local.conf (accounts + ACL) on a free port."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    text = resources.files("hardware").joinpath("mosquitto/tandem-local.conf").read_text()
    text = text.replace("/etc/mosquitto/tandem", str(creds)).replace("listener 1883 127.0.0.1",
                                                                       f"listener {port} {bind}")
    config = workdir / "mosquitto.conf"
    config.write_text(text + "user root\n")
    with open(workdir / "broker.log", "ab") as log:
        proc = subprocess.Popen([mosquitto_path() or "mosquitto", "-c", str(config)], stderr=log,
                                stdout=subprocess.DEVNULL)
    wait_listening("127.0.0.1", port, proc, workdir)
    return BrokerProcess("mosquitto", "127.0.0.1", port, proc, workdir, config)


class Client:
    """Subscribes to `filters`, records (topic, payload, correlation data, retain) and PUBACK reasons."""

    def __init__(self, url: str, filters: list[str], version: str = "5", auth: MqttAuth | None = None) -> None:
        self.version = version
        self.messages: list[tuple[str, bytes, bytes | None, bool]] = []
        self.acks: dict[int, int] = {}
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self._client = make_client(f"test-{time.monotonic_ns()}", version)
        self._client.on_message = self._on_message
        self._client.on_subscribe = lambda *a: self._subscribed.set()
        self._client.on_publish = self._on_publish
        connect(self._client, url, auth=auth)
        self._client.subscribe([(f, 1) for f in filters])
        assert self._subscribed.wait(5)

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        corr = getattr(msg.properties, "CorrelationData", None) if self.version == "5" else None
        with self._lock:
            self.messages.append((msg.topic, bytes(msg.payload), corr, bool(msg.retain)))

    def _on_publish(self, client: mqtt.Client, userdata: object, mid: int, reason: Any, props: object) -> None:
        with self._lock:
            self.acks[mid] = int(getattr(reason, "value", 0))

    def on(self, topic: str) -> list[tuple[str, bytes, bytes | None, bool]]:
        with self._lock:
            return [m for m in self.messages if m[0] == topic]

    def wait(self, topic: str, count: int = 1, timeout: float = 20) -> list[tuple[str, bytes, bytes | None, bool]]:
        deadline = time.monotonic() + timeout
        while len(self.on(topic)) < count:
            assert time.monotonic() < deadline, f"nothing on {topic}; got {[m[0] for m in self.messages]}"
            time.sleep(0.02)
        return self.on(topic)

    def ask(self, topic: str, body: dict[str, Any] | bytes, *, response_topic: str | None = None,
            correlation: bytes | None = None) -> int:
        """Publish (QoS 1); returns the PUBACK reason code (MQTT 5: 135 = not authorized)."""
        props = None
        if response_topic is not None:
            props = Properties(PacketTypes.PUBLISH)
            props.ResponseTopic = response_topic
            if correlation is not None:
                props.CorrelationData = correlation
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        info = self._client.publish(topic, payload, qos=1, properties=props)
        info.wait_for_publish(5)
        deadline = time.monotonic() + 5
        while True:
            with self._lock:
                if info.mid in self.acks or self.version != "5":
                    return self.acks.get(info.mid, 0)
            assert time.monotonic() < deadline, "no PUBACK"
            time.sleep(0.01)

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
