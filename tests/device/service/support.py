"""A requester for the service's MQTT face (MQTT 5 with response topic, or 3.1.1) and a tiny agent."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from device.agent import Agent, AgentConfig
from device.redaction import RuleRedactor
from device.service import AskService, Backend
from inference.engine import Engine
from protocol.mqtt import connect, make_client


def tiny_service(tiny_model: Path) -> AskService:
    config = AgentConfig(threshold=1.8, probe_tokens=4, local_max_tokens=8, cloud_max_tokens=16, timeout_s=10)
    agent = Agent(Engine(tiny_model, threads=1), RuleRedactor(), config, None)
    return AskService(Backend(agent, profile="x86-dev"))


class Client:
    """Subscribes to `filters`, records (topic, payload, correlation data, retain)."""

    def __init__(self, url: str, filters: list[str], version: str = "5") -> None:
        self.version = version
        self.messages: list[tuple[str, bytes, bytes | None, bool]] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self._client = make_client(f"test-{time.monotonic_ns()}", version)
        self._client.on_message = self._on_message
        self._client.on_subscribe = lambda *a: self._subscribed.set()
        connect(self._client, url)
        self._client.subscribe([(f, 1) for f in filters])
        assert self._subscribed.wait(5)

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        corr = getattr(msg.properties, "CorrelationData", None) if self.version == "5" else None
        with self._lock:
            self.messages.append((msg.topic, bytes(msg.payload), corr, bool(msg.retain)))

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
            correlation: bytes | None = None) -> None:
        props = None
        if response_topic is not None:
            props = Properties(PacketTypes.PUBLISH)
            props.ResponseTopic = response_topic
            if correlation is not None:
                props.CorrelationData = correlation
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        self._client.publish(topic, payload, qos=1, properties=props).wait_for_publish(5)

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
