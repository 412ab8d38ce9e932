"""The service's MQTT face: command topic in, replies out, state and discovery, last will.

paho's network thread only hops onto the event loop (`call_soon_threadsafe`); requests are answered
there by the shared `AskService`. The client connects asynchronously and keeps retrying, so the
service starts while the broker is down and comes back after a broker restart; every (re)connect
subscribes again and re-publishes availability, discovery and state (all retained).

Callers ask on `tandem/<device>/ask/<caller>`; the last level is the caller's identity, which the
broker's ACL guarantees on a broker with accounts (`verified_callers`, see `device.service.topics`).
Replies go under `tandem/<device>/reply/<caller>`: MQTT 5 requests with a response topic get the
reply there with the same correlation data; otherwise (3.1.1, or none given) the reply goes to the
request's `reply_to`, else to the prefix itself, and carries the request's `id` for correlation. A
response topic or `reply_to` outside the caller's prefix is refused: the caller gets an error reply
on its prefix, and nothing is answered. Log lines name no topic, id or name a client chose.
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

from device.service.callers import Caller
from device.service.core import AskService
from device.service.discovery import OFFLINE, ONLINE, discovery_configs
from device.service.log_tags import tag
from device.service.messages import AskReply
from device.service.topics import Topics
from protocol.mqtt import MqttAuth, make_client, parse_url

log = logging.getLogger(__name__)


class MqttFace:
    def __init__(self, service: AskService, *, broker_url: str, device_id: str, mqtt_version: str = "5",
                 discovery_prefix: str = "homeassistant", version: str = "0", auth: MqttAuth | None = None,
                 verified_callers: bool = False) -> None:
        """`verified_callers`: the broker has accounts and the ACL of `tandem broker users`, so the
        caller level of an ask topic is the publisher's account. False (an anonymous broker): callers
        are answered, but may not name conversations."""
        self.service = service
        self.verified_callers = verified_callers
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
        log.info("mqtt face started broker=%s ask=%s verified_callers=%s", self.broker_url, self.topics.ask,
                 self.verified_callers)

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
        self._hop(self._spawn, message.topic, bytes(message.payload), response_topic, correlation)

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

    def publish_notification(self, payload: dict[str, Any]) -> None:
        """One fired reminder, alarm, timer or message on the notify topic (QoS 1, not retained)."""
        if self._client.is_connected():
            self._client.publish(self.topics.notify, json.dumps(payload, ensure_ascii=False), qos=1)

    def publish_state(self) -> None:
        if self._client.is_connected():
            self._client.publish(self.topics.state, json.dumps(self.service.snapshot()), qos=1, retain=True)

    def _spawn(self, topic: str, payload: bytes, response_topic: str | None, correlation: bytes | None) -> None:
        task = asyncio.create_task(self._answer(topic, payload, response_topic, correlation))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, topic: str, payload: bytes, response_topic: str | None,
                      correlation: bytes | None) -> None:
        name = self.topics.caller_of(topic)
        if name is None:  # nobody to answer safely: no reply at all
            log.info("refused request reason=ask topic without a valid caller level topic=%s", tag(topic))
            return
        prefix = self.topics.reply_prefix(name)
        request, refused = self.service.parse(payload)
        wanted = response_topic or (request.reply_to if request is not None else None)
        if wanted is not None and not self.topics.reply_allowed(wanted, name):
            log.info("refused request caller=%s reason=reply topic outside the caller's prefix reply_to=%s",
                     tag(name), tag(wanted))
            reply = AskReply.failure(f"replies go to {prefix} or a topic below it (no wildcards): set the "
                                     "response topic or reply_to there",
                                     request.id if request is not None else refused.id if refused else None)
            self._publish(prefix, reply, correlation)
            return
        if request is None:
            assert refused is not None
            reply = refused
        else:
            reply = await self.service.ask(request, Caller("mqtt", name, verified=self.verified_callers))
        self._publish(wanted or prefix, reply, correlation)

    def _publish(self, topic: str, reply: AskReply, correlation: bytes | None) -> None:
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
