"""The shipped Mosquitto configs (hardware/mosquitto/) with `tandem broker certs/users`, for real:
TLS, passwords, mutual TLS and the ACL that keeps devices apart."""

from __future__ import annotations

import asyncio
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from cloud.backends.echo import EchoBackend
from cloud.worker import Worker
from device.escalation import Escalator
from protocol import topics
from protocol.keys import DeviceKeys, init_keys
from protocol.messages import SubTask
from protocol.mqtt import BrokerConnectError, MqttAuth, connect, make_client
from tandem.broker import free_port, mosquitto_path, wait_listening
from tandem.broker.security import BrokerSecurityError, make_certs, make_users, render_acl

NOT_AUTHORIZED = 135


def _start(conf_name: str, creds: Path, tmp: Path) -> Iterator[str]:
    port = free_port()
    text = resources.files("hardware").joinpath(f"mosquitto/{conf_name}").read_text()
    text = text.replace("/etc/mosquitto/tandem", str(creds)).replace("listener 8883", f"listener {port} 127.0.0.1")
    conf = tmp / conf_name
    conf.write_text(text + "user root\n")
    log = open(tmp / f"{conf_name}.log", "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen([mosquitto_path() or "mosquitto", "-c", str(conf)], stderr=log,
                            stdout=subprocess.DEVNULL)
    log.close()
    try:
        wait_listening("127.0.0.1", port, proc, tmp)
        yield f"mqtts://localhost:{port}"
    finally:
        proc.terminate()
        proc.wait(5)


@pytest.fixture(scope="module")
def creds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("broker-creds")
    make_certs(out, clients=["dev-a", "dev-b", "w1"])
    make_users(out, devices=["dev-a", "dev-b"], workers=["w1"])
    return out


@pytest.fixture(scope="module")
def tls_url(creds: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _start("tandem-tls.conf", creds, tmp_path_factory.mktemp("tls"))


def _auth(creds: Path, user: str, *, password: bool = True, cert: bool = False) -> MqttAuth:
    return MqttAuth(ca_file=str(creds / "ca.crt"),
                    cert_file=str(creds / "clients" / f"{user}.crt") if cert else None,
                    key_file=str(creds / "clients" / f"{user}.key") if cert else None,
                    username=user if password else None,
                    password=(creds / "credentials" / f"{user}.password").read_text().strip() if password else None)


class Client:
    def __init__(self, url: str, auth: MqttAuth) -> None:
        self.got: list[tuple[str, bytes]] = []
        self.acks: dict[int, int] = {}
        self.c = make_client(f"t-{auth.username}-{time.monotonic_ns()}")
        self.c.on_message = lambda c, u, m: self.got.append((m.topic, bytes(m.payload)))
        self.c.on_publish = lambda c, u, mid, rc, p: self.acks.__setitem__(mid, rc.value)
        connect(self.c, url, auth=auth)

    def sub(self, topic: str) -> None:
        done = threading.Event()
        self.c.on_subscribe = lambda *a: done.set()
        self.c.subscribe(topic, qos=1)
        assert done.wait(5)

    def pub(self, topic: str, payload: bytes) -> int:
        mid = self.c.publish(topic, payload, qos=1).mid
        deadline = time.monotonic() + 5
        while mid not in self.acks and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.acks[mid]

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def test_generated_private_files_are_0600(creds: Path) -> None:
    for path in [creds / "ca.key", creds / "server.key", creds / "passwd", *creds.glob("clients/*.key"),
                 *creds.glob("credentials/*")]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_device_cannot_read_or_publish_as_another_device(creds: Path, tls_url: str) -> None:
    a, b, w = (Client(tls_url, _auth(creds, u)) for u in ("dev-a", "dev-b", "w1"))
    try:
        w.sub(f"$share/{topics.WORKER_SHARE_GROUP}/tandem/v1/task/+")
        a.sub("tandem/v1/result/#")  # granted, but the ACL lets only its own results through
        b.sub(topics.result_topic("dev-b"))
        assert a.pub(topics.task_topic("dev-b"), b"as b") == NOT_AUTHORIZED
        assert a.pub(topics.result_topic("dev-b"), b"fake result") == NOT_AUTHORIZED
        assert a.pub(topics.task_topic("dev-a"), b"mine") == 0
        assert w.pub(topics.result_topic("dev-b"), b"for b") == 0
        assert w.pub(topics.result_topic("dev-a"), b"for a") == 0
        time.sleep(0.3)
        assert [t for t, _ in w.got] == [topics.task_topic("dev-a")]
        assert a.got == [(topics.result_topic("dev-a"), b"for a")]
        assert b.got == [(topics.result_topic("dev-b"), b"for b")]
        assert a.pub("tandem/v1/workers/w1/status", b"online") == NOT_AUTHORIZED
    finally:
        for c in (a, b, w):
            c.close()


def test_wrong_password_and_plain_or_unverified_tls_are_refused(creds: Path, tls_url: str, tmp_path: Path) -> None:
    with pytest.raises(BrokerConnectError, match="refused"):
        Client(tls_url, MqttAuth(ca_file=str(creds / "ca.crt"), username="dev-a", password="wrong"))
    with pytest.raises(BrokerConnectError):  # TLS only: a plain client gets no CONNACK
        connect(make_client("plain"), tls_url.replace("mqtts://", "mqtt://"), timeout=2)
    other = tmp_path / "other-ca"
    make_certs(other, clients=[])
    with pytest.raises(BrokerConnectError, match="TLS handshake"):  # a broker our CA did not sign
        connect(make_client("x"), tls_url, auth=MqttAuth(ca_file=str(other / "ca.crt")), timeout=3)


def test_escalation_round_trip_through_the_secured_broker(creds: Path, tls_url: str, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    init_keys(keys, "dev-a")
    worker = Worker(broker_url=tls_url, keys_root=keys, backend=EchoBackend(), worker_id="w1",
                    auth=_auth(creds, "w1"))
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()

    async def go() -> str:
        esc = Escalator(broker_url=tls_url, keys=DeviceKeys.load(keys, "dev-a"), auth=_auth(creds, "dev-a"))
        await esc.start()
        try:
            await asyncio.sleep(0.3)
            record, fut = await esc.submit(SubTask(prompt="through TLS"))
            return (await esc.wait(record, fut, 10)).text
        finally:
            await esc.close()

    try:
        assert asyncio.run(go()) == "through TLS"
    finally:
        stop.set()
        thread.join(10)


def test_mutual_tls_takes_the_certificate_name_as_user(creds: Path, tmp_path: Path) -> None:
    for url in _start("tandem-mtls.conf", creds, tmp_path):
        a = Client(url, _auth(creds, "dev-a", password=False, cert=True))
        try:
            assert a.pub(topics.task_topic("dev-a"), b"mine") in (0, 16)  # 16: allowed, nobody listens
            assert a.pub(topics.task_topic("dev-b"), b"as b") == NOT_AUTHORIZED
        finally:
            a.close()
        with pytest.raises(BrokerConnectError):  # no client certificate: no connection
            c = make_client("nocert")
            connect(c, url, auth=MqttAuth(ca_file=str(creds / "ca.crt")), timeout=3)




def test_a_user_escalates_through_the_secured_broker_with_settings_only(creds: Path, tls_url: str,
                                                                       tmp_path: Path, monkeypatch) -> None:
    """`tandem worker` and the device's escalator configured only through TANDEM_* variables, as
    deployed: TLS with the fleet's CA, one broker account each, the ACL of the shipped config."""
    import json
    import os
    import sys

    from device.errors import EscalationError
    from tandem.assembly.runtime import make_escalator
    from tandem.settings import load_settings

    keys = tmp_path / "keys"
    init_keys(keys, "dev-a")
    ledger = tmp_path / "ledger.sqlite"
    common = {"TANDEM_BROKER_URL": tls_url, "TANDEM_BROKER_CA_FILE": str(creds / "ca.crt"),
              "TANDEM_KEYS_DIR": str(keys), "TANDEM_CONFIG": str(tmp_path / "none.toml"),
              "TANDEM_MODELS_DIR": str(tmp_path / "models")}
    secret = (creds / "credentials" / "w1.password").read_text().strip()
    log = tmp_path / "worker.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tandem.cli", "worker", "--backend", "echo", "--id", "w1", "--grace", "1"],
            env={**os.environ, **common, "TANDEM_BROKER_USERNAME": "w1", "TANDEM_BROKER_PASSWORD": secret,
                 "TANDEM_WORKER__LEDGER_PATH": str(ledger)}, stdout=subprocess.DEVNULL, stderr=err)
    try:
        for key, value in {**common, "TANDEM_DEVICE_ID": "dev-a", "TANDEM_BROKER_USERNAME": "dev-a",
                           "TANDEM_BROKER_PASSWORD": (creds / "credentials" / "dev-a.password").read_text().strip(),
                           "TANDEM_ESCALATION__SPOOL_PATH": str(tmp_path / "spool.sqlite")}.items():
            monkeypatch.setenv(key, value)
        settings = load_settings()
        assert "dev-a.password" not in repr(settings) and settings.broker_password is not None
        assert settings.broker_password.get_secret_value() not in repr(settings)

        async def ask() -> str:
            esc = make_escalator(settings)
            await esc.start()
            try:
                deadline = time.monotonic() + 30
                while True:  # the worker process may still be subscribing
                    record, fut = await esc.submit(SubTask(prompt="over TLS"))
                    try:
                        return (await esc.wait(record, fut, 3)).text
                    except EscalationError:
                        if time.monotonic() > deadline or proc.poll() is not None:
                            raise
            finally:
                await esc.close()

        assert asyncio.run(ask()) == "over TLS"
        assert ledger.exists()  # the worker's ledger lives where the settings say
    finally:
        proc.terminate()
        proc.wait(10)
    assert secret not in log.read_text()
    assert json.dumps(secret)[1:-1] not in log.read_text()


def test_callers_get_their_own_ask_topic_and_reply_prefix_per_device(tmp_path: Path) -> None:
    acl = render_acl(["w1"], devices=["kp", "gp"], callers={"alice": ["kp"], "bob": ["kp", "gp"]})
    alice = acl[acl.index("user alice"):].split("\n\n")[0].splitlines()
    assert alice == ["user alice", "topic write tandem/kp/ask/alice", "topic read tandem/kp/reply/alice/#",
                     "topic read tandem/kp/notify"]
    assert "topic read tandem/gp/ask/+" in acl and "topic write tandem/gp/ask/bob" in acl
    with pytest.raises(BrokerSecurityError, match="must ask devices listed"):
        make_users(tmp_path / "a", devices=["kp"], workers=[], callers={"alice": ["gp"]})
    with pytest.raises(BrokerSecurityError, match="must all differ"):
        make_users(tmp_path / "b", devices=["kp"], workers=[], callers={"kp": []})
