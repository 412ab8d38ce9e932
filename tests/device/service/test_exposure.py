"""`tandem serve`'s check of its command broker: anonymous or not, loopback-only or not (issue 16)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from ipaddress import ip_address
from pathlib import Path

import pytest

from device.errors import OpenBrokerError
from device.service.exposure import assess, check, host_is_loopback, listening_addresses
from protocol.mqtt import MqttAuth
from tandem.broker import BrokerProcess, free_port, mosquitto_path, wait_listening
from tests.device.service.support import account, make_accounts, start_secured_broker


@pytest.fixture
def open_broker(tmp_path: Path) -> Iterator[BrokerProcess]:
    """An anonymous Mosquitto listening on every interface, reached through 127.0.0.1."""
    port = free_port()
    config = tmp_path / "open.conf"
    config.write_text(f"listener {port} 0.0.0.0\nallow_anonymous true\npersistence false\nuser root\n")
    with open(tmp_path / "broker.log", "ab") as log:
        proc = subprocess.Popen([mosquitto_path() or "mosquitto", "-c", str(config)], stderr=log,
                                stdout=subprocess.DEVNULL)
    wait_listening("127.0.0.1", port, proc, tmp_path)
    broker = BrokerProcess("mosquitto", "127.0.0.1", port, proc, tmp_path, config)
    yield broker
    broker.stop()


def test_an_anonymous_broker_on_every_interface_is_refused_unless_allowed(open_broker: BrokerProcess) -> None:
    with pytest.raises(OpenBrokerError, match="tandem broker users") as refused:
        check(open_broker.url, None, allow_anonymous=False)
    assert "--allow-anonymous-broker" in str(refused.value)
    with pytest.raises(OpenBrokerError):  # an account of its own does not close the broker to others
        check(open_broker.url, MqttAuth(username="svc", password="x"), allow_anonymous=False)
    allowed = check(open_broker.url, None, allow_anonymous=True)
    assert allowed.anonymous and not allowed.loopback_only


def test_a_non_loopback_host_without_an_account_is_refused_without_connecting() -> None:
    with pytest.raises(OpenBrokerError):
        check("mqtt://192.0.2.1:1883", None, allow_anonymous=False)  # TEST-NET: nothing answers there


def test_the_loopback_test_broker_is_anonymous_but_loopback_only(mosquitto: BrokerProcess) -> None:
    from_config = check(mosquitto.url, None, allow_anonymous=False)  # starts, with a warning
    assert from_config.anonymous and from_config.loopback_only and not from_config.probed
    probed = assess(mosquitto.url, MqttAuth(username="svc", password="x"))
    assert probed.anonymous and probed.probed  # it took a client without an account


def test_a_broker_with_accounts_is_not_anonymous(tmp_path: Path) -> None:
    creds = make_accounts(tmp_path / "creds", "svc", ["alice"])
    broker = start_secured_broker(creds, tmp_path / "broker")
    try:
        exposure = check(broker.url, account(creds, "svc"), allow_anonymous=False)
        assert not exposure.anonymous and exposure.probed and exposure.loopback_only
    finally:
        broker.stop()


def test_listening_addresses_read_from_proc(tmp_path: Path) -> None:
    head = "  sl  local_address rem_address   st tx_queue ...\n"
    (tmp_path / "tcp").write_text(head
                                  + "   0: 0100007F:075B 00000000:0000 0A 00000000:00000000 00:00000000 0 0\n"
                                  + "   1: 00000000:075C 00000000:0000 0A 00000000:00000000 00:00000000 0 0\n"
                                  + "   2: 0100007F:075B 0100007F:9999 01 00000000:00000000 00:00000000 0 0\n")
    (tmp_path / "tcp6").write_text(head
                                   + "   0: 00000000000000000000000001000000:075B 00000000000000000000000000000000:0000 0A x\n"
                                   + "   1: 0000000000000000FFFF00000100007F:075B 00000000000000000000000000000000:0000 0A x\n"
                                   + "   2: 00000000000000000000000000000000:075C 00000000000000000000000000000000:0000 0A x\n")
    assert listening_addresses(0x075B, tmp_path) == [ip_address("127.0.0.1"), ip_address("::1"),
                                                      ip_address("127.0.0.1")]
    assert listening_addresses(0x075C, tmp_path) == [ip_address("0.0.0.0"), ip_address("::")]
    assert listening_addresses(1, tmp_path / "missing") == []
    assert host_is_loopback("localhost") and host_is_loopback("::1") and not host_is_loopback("192.0.2.1")
