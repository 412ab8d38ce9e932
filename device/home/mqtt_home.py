"""The live home: Home Assistant's MQTT discovery on the home's own broker, states followed, commands sent.

`MqttHome` subscribes to `<prefix>/+/+/config` and `<prefix>/+/+/+/config` (Home Assistant's
discovery; `device.home.discovery` reads the configs) and to every state and availability topic the
configs name, so anything that speaks the convention (Zigbee2MQTT, ESPHome, Tasmota, Home
Assistant's own MQTT statestream) is known and followed without Home Assistant. A config that is
emptied removes its entity. After connecting it publishes Home Assistant's birth message
(`<prefix>/status` = "online", not retained, no will) so devices announce themselves again, as
they do for Home Assistant after a restart.

An entity takes its name, aliases and area from the inventory when the inventory lists it (same id,
or the same name), else its area from the device's `suggested_area` (matched to an inventory area
by id or name, else a new area of that name). Entities only in the inventory are listed with the
file's state; calling them raises EntityUnavailable (nothing announced how to reach them).

`call` checks the service (`device.home.services`), builds the messages (`device.home.platforms`),
publishes them and waits until the device reports a state that meets the service ("off" on the
light's state topic; "opening" acknowledges `open_cover`), then returns the entity as reported.
Parts a device does not report are assumed, as Home Assistant does in optimistic mode; a device
that reports nothing within `timeout_s` gets the assumed state with `assumed_state: True`. A state
that already meets the service is still sent (the device may have drifted) and not awaited, so a
retried call is cheap and idempotent.

Concurrency: paho's network thread only hops onto the event loop (`call_soon_threadsafe`); all
state lives on the loop, as in `device.escalation`; call every method from the loop's thread. While the broker is away, discovered entities
read "unavailable" and `call` raises HomeUnavailable at once; paho reconnects by itself and every
subscription is renewed, so states are followed again without a restart.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt

from device.errors import EntityUnavailable, HomeError, HomeUnavailable
from device.home.discovery import EntityConfig, discovery_filters, parse_discovery
from device.home.inventory import Inventory, slugify
from device.home.inventory_home import unknown_entity
from device.home.model import UNAVAILABLE, UNKNOWN, Area, Entity, Floor
from device.home.platforms import PLATFORMS, Handler, Publish
from device.home.services import Expectation, check_call, concrete_service, expect
from protocol.mqtt import BrokerConnectError, MqttAuth, connect, make_client

__all__ = ["MqttHome"]

log = logging.getLogger(__name__)


@dataclass
class _Waiter:
    expectation: Expectation
    parts: frozenset[str]
    fut: asyncio.Future[Entity]


@dataclass
class _Known:
    """One discovered entity's wiring."""

    cfg: EntityConfig
    entity_id: str
    handlers: list[tuple[str, Handler]] = field(default_factory=list)
    availability: dict[str, bool | None] = field(default_factory=dict)
    """Availability topic -> last word (None: nothing heard yet)."""
    latest: bool | None = None
    """The last availability word on any of its topics."""


class MqttHome:
    def __init__(self, broker_url: str, *, inventory: Inventory | None = None, discovery_prefix: str = "homeassistant",
                 mqtt_version: str = "3.1.1", auth: MqttAuth | None = None, client_id: str | None = None,
                 birth: bool = True, settle_s: float = 0.25, settle_max_s: float = 3.0,
                 connect_timeout_s: float = 5.0) -> None:
        """`settle_s`: `start` returns once no discovery or state message arrived for this long (the
        retained configs and states are in), at most `settle_max_s` after connecting."""
        self.broker_url = broker_url
        self.inventory = inventory or Inventory()
        self.prefix = discovery_prefix.rstrip("/")
        self.birth = birth
        self.settle_s = settle_s
        self.settle_max_s = settle_max_s
        self.connect_timeout_s = connect_timeout_s
        self.auth = auth
        self._client = make_client(client_id or f"tandem-home-{uuid.uuid4().hex[:10]}", mqtt_version)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connected = False
        self._closing = False
        self._last_activity = 0.0
        self._known: dict[str, _Known] = {}  # discovery key -> wiring
        self._by_entity: dict[str, str] = {}  # entity id -> discovery key
        self._entities: dict[str, Entity] = {e.id: e for e in self.inventory.entities}
        self._areas: dict[str, Area] = {a.id: a for a in self.inventory.areas}
        self._topics: dict[str, list[tuple[str, Handler]]] = {}  # state topic -> (entity id, handler)
        self._avail_topics: dict[str, list[str]] = {}  # availability topic -> entity ids
        self._waiters: dict[str, list[_Waiter]] = {}

    # -- the Home interface -------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connected

    def floors(self) -> tuple[Floor, ...]:
        return self.inventory.floors

    def areas(self) -> tuple[Area, ...]:
        return tuple(self._areas.values())

    def entities(self) -> tuple[Entity, ...]:
        return tuple(self._shown(e) for e in self._entities.values())

    def entity(self, entity_id: str) -> Entity:
        entity = self._entities.get(entity_id)
        if entity is None:
            raise unknown_entity(entity_id, self._entities)
        return self._shown(entity)

    def _shown(self, entity: Entity) -> Entity:
        if entity.id in self._by_entity and not (self._connected and self._available(entity.id)):
            return entity.with_state(UNAVAILABLE)
        return entity

    def _available(self, entity_id: str) -> bool:
        known = self._known[self._by_entity[entity_id]]
        if not known.availability:
            return True
        seen = known.availability.values()
        if known.cfg.availability_mode == "all":
            return all(v is True for v in seen)
        if known.cfg.availability_mode == "any":
            return any(v is True for v in seen)
        return known.latest is True

    async def call(self, domain: str, service: str, entity_id: str, data: Mapping[str, Any] | None = None,
                   *, timeout_s: float = 2.0) -> Entity:
        entity = self.entity(entity_id)
        checked = check_call(entity, domain, service, data)
        key = self._by_entity.get(entity_id)
        if key is None:
            raise EntityUnavailable(
                f"{entity.name} ({entity_id}) is in the inventory but has not announced itself on the home broker "
                f"(no discovery config under {self.prefix}/): is it powered and connected to {self.broker_url}?")
        known = self._known[key]
        platform = PLATFORMS[known.cfg.component]
        current = self._entities[entity_id]
        concrete = concrete_service(current, service)
        messages = platform.commands(known.cfg, concrete, checked, current)
        if not self._connected or self._loop is None:
            raise HomeUnavailable(f"the home broker {self.broker_url} is not connected: nothing was sent to "
                                  f"{entity.name}; it reconnects by itself, try again shortly")
        if not self._available(entity_id):
            raise EntityUnavailable(f"{entity.name} ({entity_id}) reports itself offline: nothing was sent; check "
                                    "its power and its link to the broker")
        expectation = expect(current, concrete, checked)
        log.info("home call %s.%s entity=%s data_keys=%s messages=%d", domain, concrete, entity_id, sorted(checked),
                 len(messages))
        reported = platform.reported(known.cfg)
        if expectation is None:
            self._send(messages)
            return self.entity(entity_id)
        parts = expectation.parts & reported
        if not parts or expectation.met_by(current, only=parts):
            self._send(messages)
            return self._assume(entity_id, expectation, reported)
        waiter = _Waiter(expectation, parts, self._loop.create_future())
        self._waiters.setdefault(entity_id, []).append(waiter)
        try:
            self._send(messages)
            await asyncio.wait_for(waiter.fut, timeout_s)
        except asyncio.TimeoutError:
            log.warning("home call %s.%s entity=%s: no state report within %.1f s; the state is assumed", domain,
                        concrete, entity_id, timeout_s)
            return expectation.entity.with_state(None, assumed_state=True)
        finally:
            waiting = self._waiters.get(entity_id, [])
            if waiter in waiting:
                waiting.remove(waiter)
        return self._assume(entity_id, expectation, reported)

    def _assume(self, entity_id: str, expectation: Expectation, reported: frozenset[str]) -> Entity:
        """Store what the device does not report (optimistic), keep what it reported; the entity now."""
        entity = self._entities[entity_id]
        assumed = {k: v for k, v in expectation.attributes.items() if k not in reported}
        state = None if "state" in reported else expectation.entity.state
        if assumed or state is not None:
            entity = entity.with_state(state, assumed)
            self._entities[entity_id] = entity
        return self._shown(entity)

    def _send(self, messages: list[Publish]) -> None:
        for message in messages:
            info = self._client.publish(message.topic, message.payload, qos=message.qos, retain=message.retain)
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                raise HomeUnavailable(f"the home broker {self.broker_url} refused or lost the command to "
                                      f"{message.topic} ({mqtt.error_string(info.rc)}): try again shortly")
            log.debug("home publish topic=%s", message.topic)

    async def start(self) -> None:
        """Connect, subscribe, announce the birth message, and return once the retained configs and
        states have arrived. HomeUnavailable when the broker cannot be reached."""
        self._loop = asyncio.get_running_loop()
        self._closing = False
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._last_activity = self._loop.time()
        try:
            await asyncio.to_thread(connect, self._client, self.broker_url, timeout=self.connect_timeout_s,
                                    auth=self.auth)
        except BrokerConnectError as exc:
            self._loop = None
            raise HomeUnavailable(f"the home broker ([home] broker_url, TANDEM_HOME__BROKER_URL) cannot be used: "
                                  f"{exc}") from exc
        deadline = self._loop.time() + self.settle_max_s
        while self._loop.time() < deadline:
            await asyncio.sleep(min(0.05, self.settle_s))
            if self._connected and self._loop.time() - self._last_activity >= self.settle_s:
                break
        log.info("home started broker=%s entities=%d discovered=%d", self.broker_url, len(self._entities),
                 len(self._by_entity))

    async def close(self) -> None:
        if self._loop is None:
            return
        self._closing = True
        await asyncio.to_thread(self._disconnect)
        self._fail_waiters(None, HomeUnavailable("the home was closed while waiting for a device's report"))
        self._loop = None
        self._connected = False

    def _disconnect(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    async def wait_until(self, predicate: Callable[[MqttHome], bool], timeout_s: float = 5.0) -> None:
        """Return once `predicate(self)` holds (checked after each message); TimeoutError after `timeout_s`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not predicate(self):
            if loop.time() >= deadline:
                raise TimeoutError(f"the home did not reach the awaited state within {timeout_s:.1f} s")
            await asyncio.sleep(0.01)

    # -- paho's thread: hop onto the loop ---------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: object, flags: object, reason: Any, props: object) -> None:
        if getattr(reason, "is_failure", False):
            return
        self._hop(self._connected_now, True)

    def _on_disconnect(self, client: mqtt.Client, userdata: object, flags: object, reason: object,
                       props: object) -> None:
        self._hop(self._connected_now, False)

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        self._hop(self._message, message.topic, bytes(message.payload))

    def _hop(self, callback: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the loop closed without close(): nothing left to tell
            log.debug("home: event loop closed; a late MQTT event is dropped")

    # -- the event loop ---------------------------------------------------------------------------------

    def _connected_now(self, up: bool) -> None:
        was, self._connected = self._connected, up
        if up and not was:
            topics = [*discovery_filters(self.prefix), *self._topics, *self._avail_topics]
            self._client.subscribe([(t, 0) for t in dict.fromkeys(topics)])
            if self.birth:
                self._client.publish(f"{self.prefix}/status", "online", qos=0, retain=False)
            log.info("home broker connected url=%s topics=%d", self.broker_url, len(topics))
        elif was and not up and not self._closing:
            log.warning("home broker lost url=%s: entities read unavailable until it is back", self.broker_url)
            self._fail_waiters(None, HomeUnavailable(
                f"the home broker {self.broker_url} went away while waiting for a device's report: the command may "
                "or may not have arrived; check the state, then try again"))

    def _message(self, topic: str, payload: bytes) -> None:
        if self._loop is not None:
            self._last_activity = self._loop.time()
        discovery = parse_discovery(self.prefix, topic, payload)
        if discovery is not None:
            for key in discovery.removed:
                self._forget(key)
            if discovery.removed_prefix is not None:
                for key in [k for k in self._known if k == discovery.removed_prefix
                            or k.startswith(discovery.removed_prefix + "/")]:
                    self._forget(key)
            for cfg in discovery.entities:
                self._learn(cfg)
            return
        text = payload.decode("utf-8", errors="replace")
        for entity_id in self._avail_topics.get(topic, ()):
            self._availability(entity_id, topic, text)
        for entity_id, handler in list(self._topics.get(topic, ())):
            try:
                change = handler(text)
            except (ValueError, TypeError, KeyError) as exc:  # a device sending junk must not stop the others
                log.warning("home state message on %s for %s not understood (%s)", topic, entity_id, exc)
                continue
            if change is not None and entity_id in self._entities:
                updated = self._entities[entity_id].with_state(change.state, change.attributes)
                self._entities[entity_id] = updated
                self._check_waiters(entity_id, updated)

    def _check_waiters(self, entity_id: str, entity: Entity) -> None:
        for waiter in self._waiters.get(entity_id, ()):
            if not waiter.fut.done() and waiter.expectation.met_by(entity, only=waiter.parts):
                waiter.fut.set_result(entity)

    def _fail_waiters(self, entity_id: str | None, error: HomeError) -> None:
        for eid, waiters in self._waiters.items():
            if entity_id is None or eid == entity_id:
                for waiter in waiters:
                    if not waiter.fut.done():
                        waiter.fut.set_exception(error)

    def _availability(self, entity_id: str, topic: str, text: str) -> None:
        key = self._by_entity.get(entity_id)
        if key is None:
            return
        known = self._known[key]
        for item in known.cfg.availability:
            if item.topic != topic:
                continue
            value = item.template.render(text) if item.template is not None else text.strip()
            if value == item.payload_available:
                known.availability[topic] = known.latest = True
            elif value == item.payload_not_available:
                known.availability[topic] = known.latest = False
                self._fail_waiters(entity_id, EntityUnavailable(
                    f"{known.cfg.name} went offline while the command was on its way: check it, then try again"))

    def _learn(self, cfg: EntityConfig) -> None:
        platform = PLATFORMS.get(cfg.component)
        if platform is None:
            return
        old = self._known.get(cfg.key)
        if old is not None and old.cfg.config == cfg.config:
            return  # the same config again (a re-announcement)
        entity_id = old.entity_id if old is not None else self._entity_id_for(cfg)
        if old is not None:
            self._unwire(old)
        base = self._entities.get(entity_id)
        listed = next((e for e in self.inventory.entities if e.id == entity_id), None)
        name, aliases, area = cfg.name, cfg.aliases, self._area_for(cfg)
        if listed is not None:  # the inventory names it and places it
            name = listed.name
            aliases = tuple(dict.fromkeys(a for a in (*listed.aliases, cfg.name, *cfg.aliases) if a != listed.name))
            area = listed.area
        attributes = {**platform.initial(cfg),
                      **{k: cfg.get(k) for k in ("device_class", "unit_of_measurement") if cfg.get(k)}}
        keep = {k: v for k, v in base.attributes.items() if k not in attributes} if base is not None and old else {}
        state = base.state if base is not None and old is not None else UNKNOWN
        self._entities[entity_id] = Entity(entity_id, name, aliases, area, state, {**keep, **attributes})
        known = _Known(cfg, entity_id, platform.handlers(cfg), {a.topic: None for a in cfg.availability})
        self._known[cfg.key] = known
        self._by_entity[entity_id] = cfg.key
        new_topics = []
        for topic, handler in known.handlers:
            if topic not in self._topics and topic not in self._avail_topics:
                new_topics.append(topic)
            self._topics.setdefault(topic, []).append((entity_id, handler))
        for item in cfg.availability:
            if item.topic not in self._topics and item.topic not in self._avail_topics:
                new_topics.append(item.topic)
            self._avail_topics.setdefault(item.topic, []).append(entity_id)
        if new_topics and self._connected:
            self._client.subscribe([(t, 0) for t in dict.fromkeys(new_topics)])
        log.info("home entity %s %s (%s)", "updated" if old else "discovered", entity_id, cfg.key)

    def _entity_id_for(self, cfg: EntityConfig) -> str:
        """The inventory's id for the same device (id, or its name, alias or device name), else the
        config's, made unique."""
        names = {n.casefold() for n in (cfg.name, cfg.device_name) if n}
        for listed in self.inventory.entities:
            if listed.domain == cfg.component and listed.id not in self._by_entity and (
                    listed.id == cfg.entity_id or listed.name.casefold() in names
                    or any(a.casefold() in names for a in listed.aliases)):
                return listed.id
        entity_id, n = cfg.entity_id, 2
        while entity_id in self._by_entity or (entity_id in self._entities and not any(
                e.id == entity_id for e in self.inventory.entities)):
            entity_id, n = f"{cfg.entity_id}_{n}", n + 1
        return entity_id

    def _area_for(self, cfg: EntityConfig) -> str | None:
        if not cfg.suggested_area:
            return None
        found = self.inventory.find_area(cfg.suggested_area) or next(
            (a for a in self._areas.values() if a.name.casefold() == cfg.suggested_area.casefold()), None)
        if found is not None:
            return found.id
        area = Area(slugify(cfg.suggested_area), cfg.suggested_area)
        self._areas.setdefault(area.id, area)
        return area.id

    def _unwire(self, known: _Known) -> None:
        gone = []
        for topic, handler in known.handlers:
            listeners = self._topics.get(topic, [])
            if (known.entity_id, handler) in listeners:
                listeners.remove((known.entity_id, handler))
            if not listeners:
                self._topics.pop(topic, None)
                gone.append(topic)
        for item in known.cfg.availability:
            ids = self._avail_topics.get(item.topic, [])
            if known.entity_id in ids:
                ids.remove(known.entity_id)
            if not ids:
                self._avail_topics.pop(item.topic, None)
                gone.append(item.topic)
        gone = [t for t in gone if t not in self._topics and t not in self._avail_topics]
        if gone and self._connected:
            self._client.unsubscribe(list(dict.fromkeys(gone)))

    def _forget(self, key: str) -> None:
        known = self._known.pop(key, None)
        if known is None:
            return
        self._unwire(known)
        self._by_entity.pop(known.entity_id, None)
        listed = next((e for e in self.inventory.entities if e.id == known.entity_id), None)
        if listed is not None:
            self._entities[known.entity_id] = listed  # back to what the file says
        else:
            self._entities.pop(known.entity_id, None)
        self._fail_waiters(known.entity_id, EntityUnavailable(
            f"{known.cfg.name} withdrew its discovery config while a command was on its way"))
        log.info("home entity removed %s (%s)", known.entity_id, key)
