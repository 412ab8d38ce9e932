"""A passive MQTT client subscribed to `#`: records every payload that crosses the broker."""

from __future__ import annotations

import threading
import time

import paho.mqtt.client as mqtt

from protocol.mqtt import connect, make_client


class Observer:
    def __init__(self, broker_url: str) -> None:
        self.messages: list[tuple[str, bytes]] = []
        self._lock = threading.Lock()
        self._client = make_client(f"observer-{time.monotonic_ns()}")
        self._client.on_message = self._on_message
        self._subscribed = threading.Event()
        self._client.on_subscribe = lambda *a: self._subscribed.set()
        connect(self._client, broker_url)
        self._client.subscribe("#", qos=1)
        assert self._subscribed.wait(5), "observer could not subscribe"

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((msg.topic, bytes(msg.payload)))

    def on(self, prefix: str) -> list[bytes]:
        with self._lock:
            return [p for t, p in self.messages if t.startswith(prefix)]

    def wait_for(self, prefix: str, count: int = 1, timeout: float = 10) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.on(prefix)
            if len(got) >= count:
                return got
            time.sleep(0.02)
        raise AssertionError(f"expected {count} message(s) on {prefix}, got {len(self.on(prefix))}")

    def publish(self, topic: str, payload: bytes) -> None:
        self._client.publish(topic, payload, qos=1).wait_for_publish(5)

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
