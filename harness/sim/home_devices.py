"""Simulated smart-home devices on a real broker, announcing themselves as Zigbee2MQTT and ESPHome do
(used by the tests and by `tandem bench tools`).

`SimHome(broker_url, prefix=..., base=...)` connects one MQTT client for all its devices, publishes
each device's Home Assistant discovery config (retained; several in the short-key form), its
availability and its state (retained), and then behaves like the device: a command on its command
topic is recorded in `commands` and answered with the new state on its state topic. On Home
Assistant's birth message (`<prefix>/status` = "online") and on every reconnect it announces
itself again, as the real bridges do. Tests (and the tools' tests) use it to see exactly what a
command put on the wire and that the state followed.

    sim = SimHome(mosquitto.url, prefix=f"ha-{uuid}", base=f"sim-{uuid}").start()
    ...  # MqttHome(mosquitto.url, discovery_prefix=sim.prefix)
    sim.wait_command(sim.light.command_topic)   # -> ["{\"state\": \"OFF\"}"]
    sim.close()

Devices, with the entity ids an MqttHome gives them:

    light.kitchen_spots        Zigbee2MQTT JSON light (brightness 0-254, xy color), area Kitchen
    light.reading_lamp         default-schema dimmer with a `~` base topic, brightness 0-100, area Study
    switch.kettle_relay        ESPHome switch "Kettle Relay" (alias "Relay"), availability topic, area Kitchen
    climate.heat_pump          thermostat: modes, target and current temperature, area Living Room
    cover.study_blind          Zigbee2MQTT blind with position and a JSON position template, area Study
    lock.patio_door            Zigbee2MQTT lock (LOCK/UNLOCK, command template), area Living Room
    sensor.nursery_sensor_temperature / _humidity   one JSON state topic, value templates, area Nursery
    media_player.kitchen_speaker   the mqtt_media_player convention, area Kitchen
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from typing import Any

import paho.mqtt.client as mqtt

from protocol.mqtt import connect, make_client


class SimDevice:
    """One device: its discovery configs, the topics it listens on, its state messages."""

    entity_ids: tuple[str, ...] = ()

    def __init__(self, prefix: str, base: str) -> None:
        self.prefix, self.base = prefix, base
        self.online = True

    def configs(self) -> dict[str, dict[str, Any]]:
        raise NotImplementedError

    def command_topics(self) -> list[str]:
        return []

    def on_command(self, topic: str, payload: str) -> None:
        """Change the state as the real device would (the new state is published by the sim)."""

    def state_messages(self) -> list[tuple[str, str]]:
        return []

    def availability_messages(self) -> list[tuple[str, str]]:
        return []


class JsonLight(SimDevice):
    """Zigbee2MQTT's Hue-style bulb: JSON schema, brightness 0-254, xy color."""

    entity_ids = ("light.kitchen_spots",)

    def __init__(self, prefix: str, base: str) -> None:
        super().__init__(prefix, base)
        self.state, self.brightness, self.xy = "ON", 254, (0.3227, 0.329)
        self.topic = f"{base}/kitchen_spots"
        self.command_topic = f"{self.topic}/set"
        self.bridge = f"{base}/bridge/state"

    def configs(self) -> dict[str, dict[str, Any]]:
        return {f"{self.prefix}/light/0x0017880104e45517/light/config": {
            "name": None, "uniq_id": "0x0017880104e45517_light_zigbee2mqtt", "schema": "json",
            "cmd_t": self.command_topic, "stat_t": self.topic, "brightness": True, "brightness_scale": 254,
            "supported_color_modes": ["xy", "color_temp"], "json_attr_t": self.topic,
            "avty": [{"t": self.bridge, "val_tpl": "{{ value_json.state }}"}],
            "dev": {"ids": ["zigbee2mqtt_0x0017880104e45517"], "name": "Kitchen Spots", "sa": "Kitchen",
                    "mf": "Signify Netherlands B.V.", "mdl": "Hue White and Color Ambiance GU10"},
            "o": {"name": "Zigbee2MQTT", "sw": "2.0.0"}}}

    def command_topics(self) -> list[str]:
        return [self.command_topic]

    def on_command(self, topic: str, payload: str) -> None:
        body = json.loads(payload)
        self.state = body.get("state", self.state)
        if "brightness" in body:
            self.brightness = int(body["brightness"])
        if isinstance(body.get("color"), dict) and "x" in body["color"]:
            self.xy = (body["color"]["x"], body["color"]["y"])

    def state_messages(self) -> list[tuple[str, str]]:
        return [(self.topic, json.dumps({"state": self.state, "brightness": self.brightness, "color_mode": "xy",
                                         "color": {"x": self.xy[0], "y": self.xy[1]}, "linkquality": 138}))]

    def availability_messages(self) -> list[tuple[str, str]]:
        return [(self.bridge, json.dumps({"state": "online" if self.online else "offline"}))]


class Dimmer(SimDevice):
    """A default-schema dimmer (Tasmota-like) with a `~` base topic and brightness 0-100."""

    entity_ids = ("light.reading_lamp",)

    def __init__(self, prefix: str, base: str) -> None:
        super().__init__(prefix, base)
        self.state, self.level = "OFF", 40
        self.root = f"{base}/reading_lamp"
        self.command_topic = f"{self.root}/set"

    def configs(self) -> dict[str, dict[str, Any]]:
        return {f"{self.prefix}/light/reading_lamp/config": {
            "~": self.root, "name": "Lamp", "uniq_id": "reading_lamp_1", "cmd_t": "~/set", "stat_t": "~/state",
            "bri_cmd_t": "~/brightness/set", "bri_stat_t": "~/brightness", "bri_scl": 100,
            "dev": {"ids": "reading-lamp", "name": "Reading", "sa": "Study"}}}

    def command_topics(self) -> list[str]:
        return [self.command_topic, f"{self.root}/brightness/set"]

    def on_command(self, topic: str, payload: str) -> None:
        if topic.endswith("/brightness/set"):
            self.level = int(payload)
            self.state = "ON" if self.level else "OFF"
        else:
            self.state = payload

    def state_messages(self) -> list[tuple[str, str]]:
        return [(f"{self.root}/state", self.state), (f"{self.root}/brightness", str(self.level))]


class EspSwitch(SimDevice):
    """ESPHome's relay: plain ON/OFF topics, a named entity on a named device, an availability topic."""

    entity_ids = ("switch.kettle_relay",)

    def __init__(self, prefix: str, base: str) -> None:
        super().__init__(prefix, base)
        self.state = "OFF"
        self.node = f"{base}/kettle-plug"
        self.command_topic = f"{self.node}/switch/relay/command"

    def configs(self) -> dict[str, dict[str, Any]]:
        return {f"{self.prefix}/switch/kettle-plug/relay/config": {
            "name": "Relay", "uniq_id": "kettleplug_switch_relay", "stat_t": f"{self.node}/switch/relay/state",
            "cmd_t": self.command_topic, "avty_t": f"{self.node}/status",
            "dev": {"ids": "a4cf12b3c4d5", "name": "Kettle", "sa": "Kitchen", "sw": "2024.12.0 (ESPHome)"}}}

    def command_topics(self) -> list[str]:
        return [self.command_topic]

    def on_command(self, topic: str, payload: str) -> None:
        self.state = payload

    def state_messages(self) -> list[tuple[str, str]]:
        return [(f"{self.node}/switch/relay/state", self.state)]

    def availability_messages(self) -> list[tuple[str, str]]:
        return [(f"{self.node}/status", "online" if self.online else "offline")]


class Thermostat(SimDevice):
    entity_ids = ("climate.heat_pump",)

    def __init__(self, prefix: str, base: str) -> None:
        super().__init__(prefix, base)
        self.mode, self.target, self.current = "heat", 21.0, 20.5
        self.root = f"{base}/heat_pump"

    def configs(self) -> dict[str, dict[str, Any]]:
        r = self.root
        return {f"{self.prefix}/climate/heat_pump/config": {
            "name": None, "uniq_id": "heat_pump_1", "mode_cmd_t": f"{r}/mode/set", "mode_stat_t": f"{r}/mode",
            "temp_cmd_t": f"{r}/target/set", "temp_stat_t": f"{r}/target", "curr_temp_t": f"{r}/current",
            "modes": ["off", "heat", "cool", "auto"], "min_temp": 7, "max_temp": 30, "temp_unit": "C",
            "dev": {"ids": "heat-pump", "name": "Heat Pump", "sa": "Living Room"}}}

    def command_topics(self) -> list[str]:
        return [f"{self.root}/mode/set", f"{self.root}/target/set"]

    def on_command(self, topic: str, payload: str) -> None:
        if topic.endswith("/mode/set"):
            self.mode = payload
        else:
            self.target = float(payload)

    def state_messages(self) -> list[tuple[str, str]]:
        r = self.root
        return [(f"{r}/mode", self.mode), (f"{r}/target", f"{self.target:g}"), (f"{r}/current", f"{self.current:g}")]


class Blind(SimDevice):
    """Zigbee2MQTT's blind: one JSON state topic with state and position, a JSON position template."""

    entity_ids = ("cover.study_blind",)

    def __init__(self, prefix: str, base: str) -> None:
        super().__init__(prefix, base)
        self.position = 100
        self.topic = f"{base}/study_blind"
        self.command_topic = f"{self.topic}/set"

    def configs(self) -> dict[str, dict[str, Any]]:
        return {f"{self.prefix}/cover/0x00124b0022d2c3a1/cover/config": {
            "name": None, "uniq_id": "0x00124b0022d2c3a1_cover_zigbee2mqtt", "dev_cla": "blind",
            "cmd_t": self.command_topic, "stat_t": self.topic, "val_tpl": "{{ value_json.state }}",
            "state_open": "OPEN", "state_closed": "CLOSE", "state_stopped": "STOP",
            "pos_t": self.topic, "pos_tpl": "{{ value_json.position }}", "set_pos_t": self.command_topic,
            "set_pos_tpl": '{ "position": {{ position }} }',
            "dev": {"ids": ["zigbee2mqtt_0x00124b0022d2c3a1"], "name": "Study Blind", "sa": "Study"}}}

    def command_topics(self) -> list[str]:
        return [self.command_topic]

    def on_command(self, topic: str, payload: str) -> None:
        if payload.lstrip().startswith("{"):
            self.position = int(json.loads(payload)["position"])
        elif payload == "OPEN":
            self.position = 100
        elif payload == "CLOSE":
            self.position = 0

    def state_messages(self) -> list[tuple[str, str]]:
        return [(self.topic, json.dumps({"state": "OPEN" if self.position > 0 else "CLOSE",
                                         "position": self.position}))]


class Lock(SimDevice):
    """Zigbee2MQTT's door lock: {"state": "LOCK"} both ways, through a command template."""

    entity_ids = ("lock.patio_door",)

    def __init__(self, prefix: str, base: str) -> None:
        super().__init__(prefix, base)
        self.state = "LOCK"
        self.topic = f"{base}/patio_door"
        self.command_topic = f"{self.topic}/set"

    def configs(self) -> dict[str, dict[str, Any]]:
        return {f"{self.prefix}/lock/0x000d6f0011e22c4b/lock/config": {
            "name": None, "uniq_id": "0x000d6f0011e22c4b_lock_zigbee2mqtt", "cmd_t": self.command_topic,
            "cmd_tpl": '{"state": "{{ value }}"}', "stat_t": self.topic, "val_tpl": "{{ value_json.state }}",
            "pl_lock": "LOCK", "pl_unlk": "UNLOCK", "stat_locked": "LOCK", "stat_unlocked": "UNLOCK",
            "dev": {"ids": ["zigbee2mqtt_0x000d6f0011e22c4b"], "name": "Patio Door", "sa": "Living Room"}}}

    def command_topics(self) -> list[str]:
        return [self.command_topic]

    def on_command(self, topic: str, payload: str) -> None:
        self.state = json.loads(payload)["state"]

    def state_messages(self) -> list[tuple[str, str]]:
        return [(self.topic, json.dumps({"state": self.state, "battery": 91}))]


class ClimateSensor(SimDevice):
    """Zigbee2MQTT's temperature/humidity sensor: two entities on one JSON state topic."""

    entity_ids = ("sensor.nursery_sensor_temperature", "sensor.nursery_sensor_humidity")

    def __init__(self, prefix: str, base: str) -> None:
        super().__init__(prefix, base)
        self.temperature, self.humidity = 19.8, 52
        self.topic = f"{base}/nursery_sensor"

    def configs(self) -> dict[str, dict[str, Any]]:
        dev = {"ids": ["zigbee2mqtt_0x00158d00045b2740"], "name": "Nursery Sensor", "sa": "Nursery"}
        return {
            f"{self.prefix}/sensor/0x00158d00045b2740/temperature/config": {
                "name": "Temperature", "uniq_id": "0x00158d00045b2740_temperature", "stat_t": self.topic,
                "val_tpl": "{{ value_json.temperature }}", "dev_cla": "temperature", "unit_of_meas": "°C",
                "stat_cla": "measurement", "dev": dev},
            f"{self.prefix}/sensor/0x00158d00045b2740/humidity/config": {
                "name": "Humidity", "uniq_id": "0x00158d00045b2740_humidity", "stat_t": self.topic,
                "val_tpl": "{{ value_json['humidity'] }}", "dev_cla": "humidity", "unit_of_meas": "%", "dev": dev}}

    def state_messages(self) -> list[tuple[str, str]]:
        return [(self.topic, json.dumps({"temperature": self.temperature, "humidity": self.humidity,
                                         "battery": 100}))]


class Speaker(SimDevice):
    """A media player in the mqtt_media_player convention (plus tandem's mute topics)."""

    entity_ids = ("media_player.kitchen_speaker",)

    def __init__(self, prefix: str, base: str) -> None:
        super().__init__(prefix, base)
        self.state, self.volume, self.muted, self.title = "idle", 0.4, False, ""
        self.root = f"{base}/speaker"

    def configs(self) -> dict[str, dict[str, Any]]:
        r = self.root
        return {f"{self.prefix}/media_player/kitchen_speaker/config": {
            "name": "Kitchen Speaker", "uniq_id": "kitchen_speaker_1",
            "availability": {"topic": f"{r}/available", "payload_available": "ON", "payload_not_available": "OFF"},
            "state_state_topic": f"{r}/state", "state_volume_topic": f"{r}/volume", "state_title_topic": f"{r}/title",
            "state_mute_topic": f"{r}/muted", "command_volume_topic": f"{r}/set_volume",
            "command_play_topic": f"{r}/play", "command_play_payload": "play", "command_pause_topic": f"{r}/pause",
            "command_pause_payload": "pause", "command_next_topic": f"{r}/next", "command_next_payload": "next",
            "command_previous_topic": f"{r}/previous", "command_playmedia_topic": f"{r}/playmedia",
            "command_mute_topic": f"{r}/mute", "device": {"identifiers": "speaker-1", "name": "Kitchen Speaker",
                                                          "suggested_area": "Kitchen"}}}

    def command_topics(self) -> list[str]:
        r = self.root
        return [f"{r}/set_volume", f"{r}/play", f"{r}/pause", f"{r}/next", f"{r}/previous", f"{r}/playmedia",
                f"{r}/mute"]

    def on_command(self, topic: str, payload: str) -> None:
        verb = topic.rsplit("/", 1)[1]
        if verb == "set_volume":
            self.volume = float(payload)
        elif verb == "play":
            self.state = "playing"
        elif verb == "pause":
            self.state = "paused"
        elif verb == "playmedia":
            self.state, self.title = "playing", json.loads(payload)["media_id"]
        elif verb == "mute":
            self.muted = payload == "true"

    def state_messages(self) -> list[tuple[str, str]]:
        r = self.root
        return [(f"{r}/state", self.state), (f"{r}/volume", f"{self.volume:g}"), (f"{r}/title", self.title),
                (f"{r}/muted", "true" if self.muted else "false")]

    def availability_messages(self) -> list[tuple[str, str]]:
        return [(f"{self.root}/available", "ON" if self.online else "OFF")]


class SimHome:
    def __init__(self, broker_url: str, *, prefix: str = "homeassistant", base: str = "sim",
                 devices: Iterable[type[SimDevice]] | None = None, version: str = "3.1.1") -> None:
        self.broker_url, self.prefix, self.base = broker_url, prefix, base
        kinds = list(devices) if devices is not None else [JsonLight, Dimmer, EspSwitch, Thermostat, Blind, Lock,
                                                             ClimateSensor, Speaker]
        self.devices: list[SimDevice] = [kind(prefix, base) for kind in kinds]
        self.commands: list[tuple[str, str]] = []
        """Every command a device received, in order: (topic, payload)."""
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self._client = make_client(f"sim-{base}-{time.monotonic_ns()}", version)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = lambda *a: self._connected.clear()
        self._client.on_message = self._on_message

    def device(self, kind: type[SimDevice]) -> Any:
        return next(d for d in self.devices if isinstance(d, kind))

    @property
    def light(self) -> JsonLight:
        return self.device(JsonLight)

    def start(self) -> SimHome:
        connect(self._client, self.broker_url)
        assert self._connected.wait(10), "the simulated devices could not connect"
        return self

    def _on_connect(self, client: mqtt.Client, userdata: object, flags: object, reason: Any, props: object) -> None:
        topics = [f"{self.prefix}/status", *(t for d in self.devices for t in d.command_topics())]
        client.subscribe([(t, 0) for t in topics])
        for device in self.devices:
            self._announce(device)
        self._connected.set()

    def _announce(self, device: SimDevice) -> None:
        for topic, config in device.configs().items():
            self._client.publish(topic, json.dumps(config), qos=1, retain=True)
        for topic, payload in [*device.availability_messages(), *device.state_messages()]:
            self._client.publish(topic, payload, qos=1, retain=True)

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        payload = message.payload.decode()
        if message.topic == f"{self.prefix}/status":
            if payload == "online":  # Home Assistant (or tandem) came up: announce again
                for device in self.devices:
                    self._announce(device)
            return
        with self._lock:
            self.commands.append((message.topic, payload))
        for device in self.devices:
            if message.topic in device.command_topics():
                device.on_command(message.topic, payload)
                for topic, state in device.state_messages():
                    client.publish(topic, state, qos=0, retain=True)

    # -- what tests do to the devices ---------------------------------------------------------------

    def on(self, topic: str) -> list[str]:
        with self._lock:
            return [p for t, p in self.commands if t == topic]

    def wait_command(self, topic: str, count: int = 1, timeout: float = 10) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(self.on(topic)) < count:
            assert time.monotonic() < deadline, f"no command on {topic}; got {self.commands}"
            time.sleep(0.01)
        return self.on(topic)

    def wait_connected(self, timeout: float = 30) -> None:
        """Block until the devices are on the broker (after a broker restart paho reconnects with a
        back-off, possibly later than tandem's own client)."""
        deadline = time.monotonic() + timeout
        while not (self._connected.is_set() and self._client.is_connected()):
            assert time.monotonic() < deadline, f"the simulated devices did not reconnect within {timeout} s"
            time.sleep(0.02)

    def _send_retained(self, messages: Iterable[tuple[str, str | bytes]]) -> None:
        self.wait_connected()
        for topic, payload in messages:
            self._client.publish(topic, payload, qos=1, retain=True).wait_for_publish(5)

    def publish_state(self, device: SimDevice) -> None:
        """The device changed by itself (a wall switch, a new reading): it reports the new state."""
        self._send_retained(device.state_messages())

    def set_online(self, device: SimDevice, online: bool) -> None:
        device.online = online
        self._send_retained(device.availability_messages())

    def remove(self, device: SimDevice) -> None:
        """The device is deleted from its bridge: an empty retained config withdraws it."""
        self._send_retained((topic, b"") for topic in device.configs())

    def close(self) -> None:
        """Clear what the devices left retained on the broker, and disconnect."""
        if self._connected.is_set():
            sent = [self._client.publish(topic, b"", qos=1, retain=True) for device in self.devices
                    for topic in [*device.configs(), *(t for t, _ in device.state_messages()),
                                  *(t for t, _ in device.availability_messages())]]
            for info in sent:
                info.wait_for_publish(5)
        self._client.disconnect()
        self._client.loop_stop()
