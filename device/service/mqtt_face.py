"""The service's MQTT face: command topic in, replies out, state and discovery, last will.

paho's network thread only hops onto the event loop (`call_soon_threadsafe`); requests are answered
there by the shared `AskService`. The client connects asynchronously and keeps retrying, so the
service starts while the broker is down and comes back after a broker restart; every (re)connect
subscribes again and re-publishes availability, discovery and state (all retained).

Replies: MQTT 5 requests with a response topic get the reply there with the same correlation data;
otherwise (3.1.1, or none given) the reply goes to the request's `reply_to`, else to
`tandem/<device>/reply`, and carries the request's `id` for correlation.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from device.service.core import AskService
from device.service.discovery import OFFLINE, ONLINE, Topics, discovery_configs
from protocol.mqtt import MqttAuth, make_client, parse_url

log = logging.getLogger(__name__)


class MqttFace:
    def __init__(self, service: AskService, *, broker_url: str, device_id: str, mqtt_version: str = "5",
                 discovery_prefix: str = "homeassistant", version: str = "0", auth: MqttAuth | None = None) -> None:
        self.service = service
        self.broker_url = broker_url
        self.topics = Topics(device_id, discovery_prefix)
        self.version = version
        self.auth = auth
        self.connects = 0  # how many times a CONNACK came (reconnects included)
        self._v5 = mqtt_version == "5"
        self._client = make_client(f"tandem-serve-{device_id}", mqtt_version)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.connected = asyncio.Event()
        self._stopping = False

    # -- lifecycle ----------------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        host, port, tls = parse_url(self.broker_url)
        client = self._client
        client.will_set(self.topics.availability, OFFLINE, qos=1, retain=True)
        if tls:
            auth = self.auth or MqttAuth()
            client.tls_set(ca_certs=auth.ca_file, certfile=auth.cert_file, keyfile=auth.key_file,
                           cert_reqs=ssl.CERT_REQUIRED)
        if self.auth is not None and self.auth.username is not None:
            client.username_pw_set(self.auth.username, self.auth.password)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        if self._v5:
            client.connect_async(host, port, keepalive=30, clean_start=True)
        else:
            client.connect_async(host, port, keepalive=30)
        client.loop_start()  # retries the first connection too, until the broker answers
        self.service.listeners.append(self.publish_state)
        log.info("mqtt face started broker=%s ask=%s", self.broker_url, self.topics.ask)

    async def stop(self) -> None:
        """Say offline (retained) before leaving: a clean stop does not fire the last will."""
        self._stopping = True
        if self.publish_state in self.service.listeners:
            self.service.listeners.remove(self.publish_state)
        for task in list(self._tasks):
            task.cancel()
        if self._client.is_connected():
            info = self._client.publish(self.topics.availability, OFFLINE, qos=1, retain=True)
            await asyncio.to_thread(_wait_published, info)
        await asyncio.to_thread(self._disconnect)

    def _disconnect(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    # -- paho thread: hop to the loop -----------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: object, flags: object, reason: Any, props: object) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("broker refused the service reason=%s", reason)
            return
        client.subscribe(self.topics.ask, qos=1)  # announced once the SUBACK is back (on_subscribe)

    def _on_subscribe(self, client: mqtt.Client, userdata: object, mid: int, reasons: object,
                      props: object) -> None:
        self._hop(self._announce)

    def _on_disconnect(self, client: mqtt.Client, userdata: object, flags: object, reason: Any,
                       props: object) -> None:
        self._hop(self.connected.clear)
        if not self._stopping:
            log.info("mqtt face disconnected reason=%s; paho reconnects", reason)

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        props = message.properties if self._v5 else None
        response_topic = getattr(props, "ResponseTopic", None)
        correlation = getattr(props, "CorrelationData", None)
        self._hop(self._spawn, bytes(message.payload), response_topic, correlation)

    def _hop(self, fn: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():  # after stop() the loop may be gone
            return
        try:
            loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # closed between the check and the call
            log.debug("mqtt callback after the event loop closed: dropped")

    # -- event loop -----------------------------------------------------------------------------------

    def _announce(self) -> None:
        self.connects += 1
        client = self._client
        client.publish(self.topics.availability, ONLINE, qos=1, retain=True)
        configs = discovery_configs(self.topics, profile=self.service.backend.profile, version=self.version)
        for topic, config in configs.items():
            client.publish(topic, json.dumps(config), qos=1, retain=True)
        self.publish_state()
        self.connected.set()
        log.info("mqtt face online connects=%d", self.connects)

    def publish_state(self) -> None:
        if self._client.is_connected():
            self._client.publish(self.topics.state, json.dumps(self.service.snapshot()), qos=1, retain=True)

    def _spawn(self, payload: bytes, response_topic: str | None, correlation: bytes | None) -> None:
        task = asyncio.create_task(self._answer(payload, response_topic, correlation))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, payload: bytes, response_topic: str | None, correlation: bytes | None) -> None:
        request, reply = await self.service.handle_raw(payload)
        topic = response_topic or (request.reply_to if request and request.reply_to else None) or self.topics.reply
        properties = None
        if self._v5 and correlation is not None:
            properties = Properties(PacketTypes.PUBLISH)
            properties.CorrelationData = correlation
        self._client.publish(topic, reply.model_dump_json(), qos=1, properties=properties)


def _wait_published(info: mqtt.MQTTMessageInfo, timeout_s: float = 2.0) -> None:
    try:
        info.wait_for_publish(timeout_s)
    except (RuntimeError, ValueError) as exc:  # paho raises these when the link dropped meanwhile
        log.info("offline notice not confirmed: %s", exc)
