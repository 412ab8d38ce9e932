"""The broker launcher `tandem demo` relies on: Mosquitto first, the embedded broker as fallback."""

from __future__ import annotations

from pathlib import Path

import pytest

from protocol.mqtt import BrokerConnectError, connect, make_client
from tandem.broker import is_listening, start_broker


def _connects(url: str, version: str) -> bool:
    client = make_client("probe", version)
    try:
        connect(client, url, timeout=5)
    except BrokerConnectError:
        return False
    client.disconnect()
    client.loop_stop()
    return True


def test_mosquitto_restarts_on_the_same_port(tmp_path: Path) -> None:
    broker = start_broker(workdir=tmp_path)
    try:
        assert broker.kind == "mosquitto" and broker.supports_shared_subscriptions
        assert _connects(broker.url, "5")
        broker.stop()
        assert not is_listening(broker.host, broker.port)
        broker.restart()
        assert _connects(broker.url, "3.1.1")
    finally:
        broker.stop()


def test_embedded_fallback_speaks_mqtt_311_only(tmp_path: Path) -> None:
    pytest.importorskip("amqtt")
    broker = start_broker(prefer="amqtt", workdir=tmp_path)
    try:
        assert broker.kind == "amqtt" and not broker.supports_shared_subscriptions
        assert _connects(broker.url, "3.1.1")
        assert not _connects(broker.url, "5")  # why ensure_infra drops to 3.1.1 with it
    finally:
        broker.stop()
