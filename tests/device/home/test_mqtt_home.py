"""MqttHome against a real Mosquitto and simulated Zigbee2MQTT/ESPHome-style devices (tests/device/home/sim.py)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from device.errors import EntityUnavailable, HomeUnavailable, UnknownEntity
from device.home.inventory import load_inventory
from device.home.mqtt_home import MqttHome
from device.home.resolve import resolve
from harness.sim.home_devices import Blind, ClimateSensor, EspSwitch, Lock, SimHome, Speaker, Thermostat
from protocol.mqtt import connect, make_client
from tandem.broker import BrokerProcess, free_port
from tests.mqtt_observer import Observer

DATA = Path(__file__).parent / "data"


def with_home(sim: SimHome, body: Callable[[MqttHome], Awaitable[None]], **options: object) -> None:
    async def go() -> None:
        home = MqttHome(sim.broker_url, discovery_prefix=sim.prefix, **options)  # type: ignore[arg-type]
        await home.start()
        try:
            await body(home)
        finally:
            await home.close()

    asyncio.run(go())


def test_discovery_builds_the_entities_with_their_areas_and_states(sim: SimHome) -> None:
    async def body(home: MqttHome) -> None:
        await home.wait_until(lambda h: len(h.entities()) == 9 and all(e.state != "unknown" for e in h.entities()))
        by_id = {e.id: e for e in home.entities()}
        assert sorted(by_id) == sorted(eid for d in sim.devices for eid in d.entity_ids)
        areas = {a.id: a.name for a in home.areas()}
        assert areas == {"kitchen": "Kitchen", "study": "Study", "living_room": "Living Room", "nursery": "Nursery"}
        assert {e.id: e.area for e in home.entities()}["switch.kettle_relay"] == "kitchen"
        spots = by_id["light.kitchen_spots"]
        assert (spots.name, spots.state, spots.attributes["brightness"]) == ("Kitchen Spots", "on", 255)
        assert spots.attributes["linkquality"] == 138  # json_attributes_topic
        assert by_id["light.reading_lamp"].attributes["brightness"] == 102  # 40 on a 0-100 scale
        kettle = by_id["switch.kettle_relay"]
        assert (kettle.name, kettle.aliases, kettle.state) == ("Kettle Relay", ("Relay",), "off")
        heat = by_id["climate.heat_pump"]
        assert (heat.state, heat.attributes["temperature"], heat.attributes["current_temperature"]) == (
            "heat", 21.0, 20.5)
        assert (by_id["cover.study_blind"].state, by_id["cover.study_blind"].attributes["current_position"]) == (
            "open", 100)
        assert by_id["lock.patio_door"].state == "locked"
        temp = by_id["sensor.nursery_sensor_temperature"]
        assert (temp.state, temp.unit, temp.device_class, temp.area) == ("19.8", "°C", "temperature", "nursery")
        assert by_id["sensor.nursery_sensor_humidity"].state == "52"  # a second entity on the same topic
        speaker = by_id["media_player.kitchen_speaker"]
        assert (speaker.state, speaker.attributes["volume_level"]) == ("idle", 0.4)
        assert [e.id for e in resolve(home, name="kitchen lights")] == ["light.kitchen_spots"]
        assert [e.id for e in resolve(home, name="kettle")] == ["switch.kettle_relay"]

    with_home(sim, body)


def test_call_turns_the_light_off_and_returns_the_reported_state(sim: SimHome) -> None:
    async def body(home: MqttHome) -> None:
        await home.wait_until(lambda h: h.entity("light.kitchen_spots").state == "on"
                              if "light.kitchen_spots" in {e.id for e in h.entities()} else False)
        light = await home.call("light", "turn_off", "light.kitchen_spots")
        assert light.state == "off" and "assumed_state" not in light.attributes
        assert sim.light.state == "OFF"  # the device itself has changed
        assert home.entity("light.kitchen_spots").state == "off"
        again = await home.call("light", "turn_off", "light.kitchen_spots")  # idempotent: sent, not awaited
        assert again.state == "off"
        dim = await home.call("light", "turn_on", "light.kitchen_spots", {"brightness_pct": 50, "color_name": "red"})
        assert (dim.state, dim.attributes["brightness"], dim.attributes["rgb_color"]) == ("on", 128, (255, 0, 0))

    with_home(sim, body)
    assert [json.loads(p) for p in sim.on(sim.light.command_topic)] == [
        {"state": "OFF"}, {"state": "OFF"}, {"state": "ON", "brightness": 127, "color": {"x": 0.6401, "y": 0.33}}]


def test_thermostat_cover_lock_speaker_switch_dimmer(sim: SimHome) -> None:
    async def body(home: MqttHome) -> None:
        await home.wait_until(lambda h: len(h.entities()) == 9 and all(e.state != "unknown" for e in h.entities()))
        warm = await home.call("climate", "set_temperature", "climate.heat_pump", {"temperature": 22.5})
        assert (warm.state, warm.attributes["temperature"]) == ("heat", 22.5)
        off = await home.call("climate", "turn_off", "climate.heat_pump")
        assert off.state == "off"
        blind = await home.call("cover", "set_cover_position", "cover.study_blind", {"position": 30})
        assert (blind.state, blind.attributes["current_position"]) == ("open", 30)
        closed = await home.call("cover", "close_cover", "cover.study_blind")
        assert (closed.state, closed.attributes["current_position"]) == ("closed", 0)
        door = await home.call("lock", "unlock", "lock.patio_door")
        assert door.state == "unlocked"
        loud = await home.call("media_player", "volume_set", "media_player.kitchen_speaker", {"volume_level": 0.7})
        assert loud.attributes["volume_level"] == 0.7
        playing = await home.call("media_player", "play_media", "media_player.kitchen_speaker",
                                  {"media_content_id": "radio swiss jazz"})
        assert playing.state == "playing"  # what the call waits for; the title is its own message
        await home.wait_until(lambda h: h.entity("media_player.kitchen_speaker").attributes.get("media_title")
                              == "radio swiss jazz")
        muted = await home.call("media_player", "volume_mute", "media_player.kitchen_speaker", {"is_volume_muted": True})
        assert muted.attributes["is_volume_muted"] is True
        kettle = await home.call("switch", "toggle", "switch.kettle_relay")
        assert kettle.state == "on"
        lamp = await home.call("light", "turn_on", "light.reading_lamp", {"brightness_pct": 70})
        assert (lamp.state, lamp.attributes["brightness"]) == ("on", 178)

    with_home(sim, body)
    thermostat, blind, lock = sim.device(Thermostat), sim.device(Blind), sim.device(Lock)
    assert (thermostat.target, thermostat.mode, blind.position, lock.state) == (22.5, "off", 0, "UNLOCK")
    assert sim.on(lock.command_topic) == ['{"state": "UNLOCK"}']  # through the device's command template
    assert sim.on(f"{sim.base}/kettle-plug/switch/relay/command") == ["ON"]
    assert sim.device(Speaker).muted is True


def test_states_follow_what_devices_report_by_themselves(sim: SimHome) -> None:
    sensor = sim.device(ClimateSensor)

    async def body(home: MqttHome) -> None:
        await home.wait_until(lambda h: any(e.state == "19.8" for e in h.entities()))
        sensor.temperature = 21.3
        await asyncio.to_thread(sim.publish_state, sensor)
        await home.wait_until(lambda h: h.entity("sensor.nursery_sensor_temperature").state == "21.3")
        switch = sim.device(EspSwitch)
        switch.state = "ON"  # someone pressed the button on the plug
        await asyncio.to_thread(sim.publish_state, switch)
        await home.wait_until(lambda h: h.entity("switch.kettle_relay").state == "on")

    with_home(sim, body)


def test_a_removed_config_removes_the_entity(sim: SimHome) -> None:
    async def body(home: MqttHome) -> None:
        await home.wait_until(lambda h: "media_player.kitchen_speaker" in {e.id for e in h.entities()})
        await asyncio.to_thread(sim.remove, sim.device(Speaker))
        await home.wait_until(lambda h: "media_player.kitchen_speaker" not in {e.id for e in h.entities()})
        with pytest.raises(UnknownEntity):
            home.entity("media_player.kitchen_speaker")
        assert len(home.entities()) == 8

    with_home(sim, body)


def test_availability_offline_refuses_and_online_restores(sim: SimHome) -> None:
    switch = sim.device(EspSwitch)

    async def body(home: MqttHome) -> None:
        await home.wait_until(lambda h: "switch.kettle_relay" in {e.id for e in h.entities()}
                              and h.entity("switch.kettle_relay").state == "off")
        await asyncio.to_thread(sim.set_online, switch, False)
        await home.wait_until(lambda h: h.entity("switch.kettle_relay").state == "unavailable")
        with pytest.raises(EntityUnavailable, match="reports itself offline"):
            await home.call("switch", "turn_on", "switch.kettle_relay")
        await asyncio.to_thread(sim.set_online, switch, True)
        await home.wait_until(lambda h: h.entity("switch.kettle_relay").state == "off")
        assert (await home.call("switch", "turn_on", "switch.kettle_relay")).state == "on"

    with_home(sim, body)
    assert sim.on(switch.command_topic) == ["ON"]  # nothing was sent while it was offline


def test_the_inventory_names_and_places_discovered_devices(sim: SimHome) -> None:
    inventory = load_inventory(DATA / "example_inventory.yaml")

    async def body(home: MqttHome) -> None:
        await home.wait_until(lambda h: h.entity("light.kitchen_spots").state == "on")
        by_id = {e.id: e for e in home.entities()}
        # same name in the inventory: the inventory's id, name, aliases and area; the device's state
        assert by_id["switch.kettle"].aliases == ("Kettle Relay", "Relay")
        assert "switch.kettle_relay" not in by_id
        assert by_id["media_player.speaker"].attributes.get("volume_level") == 0.4
        assert [f.id for f in home.floors()] == ["ground", "upstairs"]
        assert [e.id for e in resolve(home, area="kitchen", domain="light")] == ["light.kitchen_spots",
                                                                                  "light.pendant"]
        # in the file but never announced: listed, but nothing can reach it
        assert by_id["light.pendant"].state == "off"
        with pytest.raises(EntityUnavailable, match="has not announced itself"):
            await home.call("light", "turn_on", "light.pendant")
        kettle = await home.call("switch", "turn_on", "switch.kettle")
        assert kettle.state == "on"

    with_home(sim, body, inventory=inventory)


def _announce(url: str, topic: str, config: dict[str, object]) -> Callable[[], None]:
    client = make_client(f"announcer-{uuid.uuid4().hex[:6]}", "3.1.1")
    connect(client, url)
    client.publish(topic, json.dumps(config), qos=1, retain=True).wait_for_publish(5)

    def clear() -> None:
        client.publish(topic, b"", qos=1, retain=True).wait_for_publish(5)
        client.disconnect()
        client.loop_stop()

    return clear


def test_silent_and_stateless_devices_are_assumed(mosquitto: BrokerProcess) -> None:
    uid = uuid.uuid4().hex[:8]
    prefix = f"ha-{uid}"
    silent = _announce(mosquitto.url, f"{prefix}/switch/silent/config",
                       {"name": "Silent Plug", "cmd_t": f"x-{uid}/silent/set", "stat_t": f"x-{uid}/silent"})
    blind = _announce(mosquitto.url, f"{prefix}/switch/blind/config",
                      {"name": "Stateless Plug", "cmd_t": f"x-{uid}/stateless/set"})
    observer = Observer(mosquitto.url)

    async def go() -> None:
        home = MqttHome(mosquitto.url, discovery_prefix=prefix)
        await home.start()
        try:
            await home.wait_until(lambda h: len(h.entities()) == 2)
            assumed = await home.call("switch", "turn_on", "switch.silent_plug", timeout_s=0.3)
            assert (assumed.state, assumed.attributes["assumed_state"]) == ("on", True)
            assert home.entity("switch.silent_plug").state == "unknown"  # it never said so
            optimistic = await home.call("switch", "turn_on", "switch.stateless_plug")
            assert optimistic.state == "on" and "assumed_state" not in optimistic.attributes
            assert home.entity("switch.stateless_plug").state == "on"  # optimistic, as Home Assistant
        finally:
            await home.close()

    try:
        asyncio.run(go())
        assert observer.wait_for(f"x-{uid}/silent/set") == [b"ON"]
        assert observer.wait_for(f"x-{uid}/stateless/set") == [b"ON"]
        assert observer.wait_for(f"{prefix}/status") == [b"online"]  # the birth message
    finally:
        observer.close()
        silent()
        blind()


def test_no_broker_is_home_unavailable() -> None:
    async def go() -> None:
        await MqttHome(f"mqtt://127.0.0.1:{free_port()}", connect_timeout_s=2).start()

    with pytest.raises(HomeUnavailable, match=r"\[home\] broker_url"):
        asyncio.run(go())


def test_broker_outage_refuses_calls_and_reconnecting_restores_following(own_mosquitto: BrokerProcess) -> None:
    uid = uuid.uuid4().hex[:8]
    sim = SimHome(own_mosquitto.url, prefix=f"ha-{uid}", base=f"sim-{uid}").start()
    switch = sim.device(EspSwitch)

    async def go() -> None:
        home = MqttHome(own_mosquitto.url, discovery_prefix=sim.prefix)
        await home.start()
        try:
            await home.wait_until(lambda h: "switch.kettle_relay" in {e.id for e in h.entities()}
                                  and h.entity("switch.kettle_relay").state == "off")
            await asyncio.to_thread(own_mosquitto.stop)
            await home.wait_until(lambda h: not h.connected, timeout_s=15)
            assert home.entity("switch.kettle_relay").state == "unavailable"
            with pytest.raises(HomeUnavailable, match="not connected: nothing was sent"):
                await home.call("switch", "turn_on", "switch.kettle_relay")
            await asyncio.to_thread(own_mosquitto.restart)  # no persistence: the retained configs are gone
            await home.wait_until(lambda h: h.connected, timeout_s=30)
            await asyncio.to_thread(sim.wait_connected)  # the home keeps the last state; the devices come back too
            # the devices announce themselves again (on their reconnect and on tandem's birth message)
            await home.wait_until(lambda h: h.entity("switch.kettle_relay").state == "off", timeout_s=30)
            switch.state = "ON"  # pressed by hand: the state is followed again
            await asyncio.to_thread(sim.publish_state, switch)
            await home.wait_until(lambda h: h.entity("switch.kettle_relay").state == "on")
            off = await home.call("switch", "turn_off", "switch.kettle_relay")
            assert off.state == "off"
        finally:
            await home.close()

    try:
        asyncio.run(go())
    finally:
        sim.close()
    assert sim.on(switch.command_topic) == ["OFF"]


def test_a_round_trip_stays_on_the_home_broker(sim: SimHome) -> None:
    """What one command puts on the wire: its command and the device's state, nothing else."""
    observer = Observer(sim.broker_url)

    async def body(home: MqttHome) -> None:
        await home.wait_until(lambda h: h.entity("light.kitchen_spots").state == "on"
                              if "light.kitchen_spots" in {e.id for e in h.entities()} else False)
        await asyncio.sleep(0.2)  # let the start's retained traffic pass
        mark = len(observer.messages)
        await home.call("light", "turn_off", "light.kitchen_spots")
        deadline = time.monotonic() + 5
        while len(observer.messages) < mark + 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        topics = {t for t, _ in observer.messages[mark:] if t.startswith((sim.base, sim.prefix))}
        assert topics == {sim.light.command_topic, sim.light.topic}

    try:
        with_home(sim, body)
    finally:
        observer.close()
