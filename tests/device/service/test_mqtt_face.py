"""The service's MQTT face against real Mosquitto: MQTT 5 request/response, the 3.1.1 JSON fallback,
Home Assistant discovery, availability with a last will, broker restarts and a late broker."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from device.service.mqtt_face import MqttFace
from tandem.broker import BrokerProcess, free_port, start_broker
from tests.device.service.support import Client, tiny_service


def test_mqtt5_reply_goes_to_the_response_topic_with_the_correlation_data(
        tiny_model: Path, mosquitto: BrokerProcess) -> None:
    service = tiny_service(tiny_model)
    face = MqttFace(service, broker_url=mosquitto.url, device_id="svc-5")
    client = Client(mosquitto.url, ["tandem/svc-5/reply/app/#"])

    async def body() -> None:
        await face.start()
        await asyncio.wait_for(face.connected.wait(), 10)
        client.ask("tandem/svc-5/ask/app", {"text": "hello there, how are you"},
                   response_topic="tandem/svc-5/reply/app/1", correlation=b"\x00corr-1")
        client.ask("tandem/svc-5/ask/app", b"{broken", response_topic="tandem/svc-5/reply/app/2",
                   correlation=b"corr-2")
        got = await asyncio.to_thread(client.wait, "tandem/svc-5/reply/app/1")
        bad = await asyncio.to_thread(client.wait, "tandem/svc-5/reply/app/2")
        await face.stop()
        _topic, payload, corr, _ = got[0]
        reply = json.loads(payload)
        assert corr == b"\x00corr-1" and reply["ok"] and reply["route"] == "local"
        assert bad[0][2] == b"corr-2" and json.loads(bad[0][1])["ok"] is False

    async def go() -> None:
        try:
            await body()
        finally:
            await face.stop()  # idempotent: paho's thread must not outlive the loop

    try:
        asyncio.run(go())
    finally:
        client.close()


def test_mqtt311_json_fallback_replies_with_the_request_id(tiny_model: Path, mosquitto: BrokerProcess) -> None:
    service = tiny_service(tiny_model)
    face = MqttFace(service, broker_url=mosquitto.url, device_id="svc-3", mqtt_version="3.1.1")
    client = Client(mosquitto.url, ["tandem/svc-3/reply/app/#"], version="3.1.1")

    async def body() -> None:
        await face.start()
        await asyncio.wait_for(face.connected.wait(), 10)
        client.ask("tandem/svc-3/ask/app", {"text": "hello there, how are you", "id": "q-1"})
        client.ask("tandem/svc-3/ask/app", {"text": "what is two and two", "id": "q-2",
                                            "reply_to": "tandem/svc-3/reply/app/mine", "force": "local"})
        default = await asyncio.to_thread(client.wait, "tandem/svc-3/reply/app")
        mine = await asyncio.to_thread(client.wait, "tandem/svc-3/reply/app/mine")
        await face.stop()
        assert json.loads(default[0][1])["id"] == "q-1"
        assert json.loads(mine[0][1])["id"] == "q-2" and json.loads(mine[0][1])["ok"]

    async def go() -> None:
        try:
            await body()
        finally:
            await face.stop()  # idempotent: paho's thread must not outlive the loop

    try:
        asyncio.run(go())
    finally:
        client.close()


def test_discovery_state_and_availability_are_retained_and_stop_says_offline(
        tiny_model: Path, mosquitto: BrokerProcess) -> None:
    service = tiny_service(tiny_model)
    service.set_state("idle")
    face = MqttFace(service, broker_url=mosquitto.url, device_id="svc-ha", version="9.9")

    async def body() -> None:
        await face.start()
        await asyncio.wait_for(face.connected.wait(), 10)
        await asyncio.sleep(0.3)
        # a hub that connects later gets everything from the retained messages
        late = Client(mosquitto.url, ["homeassistant/#", "tandem/svc-ha/#"])
        try:
            avail = await asyncio.to_thread(late.wait, "tandem/svc-ha/availability")
            assert avail[0][1] == b"online" and avail[0][3]
            state = json.loads((await asyncio.to_thread(late.wait, "tandem/svc-ha/state"))[0][1])
            assert state == {"state": "idle", "last_route": "none", "spooled": 0, "cloud_resent": 0, "cloud_calls_today": 0,
                             "broker": "off", "profile": "x86-dev", "waiting": 0, "refused_busy": 0,
                             "refused_rate_limited": 0}
            configs = {}
            for key in ("state", "last_route", "spooled", "cloud_calls_today"):
                topic = f"homeassistant/sensor/tandem_svc-ha/{key}/config"
                msg = (await asyncio.to_thread(late.wait, topic))[0]
                assert msg[3], "discovery must be retained"
                configs[key] = json.loads(msg[1])
            for key, config in configs.items():
                assert config["state_topic"] == "tandem/svc-ha/state"
                assert config["availability_topic"] == "tandem/svc-ha/availability"
                assert config["value_template"] == f"{{{{ value_json.{key} }}}}"
                assert config["unique_id"] == f"tandem_svc-ha_{key}"
                assert config["device"]["identifiers"] == ["tandem_svc-ha"]
                assert config["device"]["sw_version"] == "9.9"
                # Home Assistant's current schema: the entity id to give (object_id was dropped in 2026.4)
                # and who announced it
                assert config["default_entity_id"] == f"sensor.tandem_svc_ha_{key}" and "object_id" not in config
                assert config["origin"] == {"name": "tandem", "sw_version": "9.9"}
            await face.stop()
            offline = await asyncio.to_thread(late.wait, "tandem/svc-ha/availability", 2)
            assert offline[1][1] == b"offline"
        finally:
            late.close()

    async def go() -> None:
        try:
            await body()
        finally:
            await face.stop()

    asyncio.run(go())


def test_survives_a_broker_restart_and_a_broker_that_comes_late(tiny_model: Path, tmp_path: Path) -> None:
    port = free_port()
    url = f"mqtt://127.0.0.1:{port}"
    service = tiny_service(tiny_model)
    face = MqttFace(service, broker_url=url, device_id="svc-r")
    brokers: list[BrokerProcess] = []

    async def ask_once(tag: str) -> dict[str, object]:
        reply = f"tandem/svc-r/reply/app/{tag}"
        client = Client(url, [reply])
        try:
            client.ask("tandem/svc-r/ask/app", {"text": "hello there, how are you"}, response_topic=reply,
                       correlation=tag.encode())
            return json.loads((await asyncio.to_thread(client.wait, reply))[0][1])
        finally:
            client.close()

    async def body() -> None:
        await face.start()  # nothing listens yet: it must not fail
        await asyncio.sleep(0.5)
        assert not face.connected.is_set()
        brokers.append(await asyncio.to_thread(start_broker, port, workdir=tmp_path / "b"))
        await asyncio.wait_for(face.connected.wait(), 20)
        assert (await ask_once("first"))["ok"]
        await asyncio.to_thread(brokers[0].restart)  # retained state is gone with persistence off
        for _ in range(400):  # paho reconnects by itself (1-10 s back-off)
            if face.connects == 2 and face.connected.is_set():
                break
            await asyncio.sleep(0.05)
        assert face.connects == 2
        assert (await ask_once("second"))["ok"]
        late = Client(url, ["tandem/svc-r/availability"])
        try:  # re-announced after the restart
            assert (await asyncio.to_thread(late.wait, "tandem/svc-r/availability"))[0][1] == b"online"
        finally:
            late.close()
        await face.stop()

    async def go() -> None:
        try:
            await body()
        finally:
            await face.stop()  # idempotent: paho's thread must not outlive the loop

    try:
        asyncio.run(go())
    finally:
        for b in brokers:
            b.stop()
