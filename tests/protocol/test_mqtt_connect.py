"""protocol.mqtt.connect with MQTT 5 CONNECT properties, against a real Mosquitto."""

from __future__ import annotations

import threading
import time

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from protocol.mqtt import BrokerConnectError, connect, make_client
from tandem.broker import BrokerProcess


def test_receive_maximum_reaches_the_broker(mosquitto: BrokerProcess) -> None:
    props = Properties(PacketTypes.CONNECT)
    props.ReceiveMaximum = 2
    got: list[int] = []
    lock = threading.Lock()
    client = make_client("rm-receiver")
    client.manual_ack_set(True)  # nothing acknowledged: the broker may have 2 in flight, no more

    def on_message(c: object, u: object, msg: object) -> None:
        with lock:
            got.append(1)

    client.on_message = on_message
    subscribed = threading.Event()
    client.on_subscribe = lambda *a: subscribed.set()
    connect(client, mosquitto.url, properties=props)
    sender = make_client("rm-sender")
    connect(sender, mosquitto.url)
    try:
        client.subscribe("rm/test", qos=1)
        assert subscribed.wait(5)
        for i in range(6):
            sender.publish("rm/test", str(i).encode(), qos=1)
        time.sleep(1.0)
        with lock:
            assert len(got) == 2  # without the property the broker would send all 6
    finally:
        for c in (client, sender):
            c.disconnect()
            c.loop_stop()


def test_properties_need_mqtt_5(mosquitto: BrokerProcess) -> None:
    client = make_client("rm-311", "3.1.1")
    with pytest.raises(BrokerConnectError, match="MQTT 5"):
        connect(client, mosquitto.url, properties=Properties(PacketTypes.CONNECT))
