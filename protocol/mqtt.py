"""How both ends reach the broker: one paho client factory, MQTT 3.1.1 or 5, plain or TLS.

paho runs its own network thread (`loop_start`); callers bridge its callbacks into their own
concurrency model. Connecting waits for CONNACK so a broker that is down fails here, clearly.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties

from protocol.errors import ProtocolError

__all__ = [
    "NO_MATCHING_SUBSCRIBERS",
    "BrokerConnectError",
    "MqttAuth",
    "connect",
    "make_client",
    "parse_url",
]

log = logging.getLogger(__name__)

NO_MATCHING_SUBSCRIBERS = 0x10  # MQTT 5 PUBACK reason: nobody subscribes to the topic


class BrokerConnectError(ProtocolError):
    pass


@dataclass(frozen=True)
class MqttAuth:
    """How a client proves itself to a secured broker (see hardware/mosquitto/).

    `ca_file` verifies the broker's certificate (mqtts://); `cert_file`/`key_file` present a client
    certificate (mutual TLS); `username`/`password` match the broker's password file. The password
    is kept out of repr so it never reaches a log line.
    """

    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_url(url: str) -> tuple[str, int, bool]:
    """`mqtt://host:port` or `mqtts://host:port` -> (host, port, tls)."""
    parsed = urlparse(url if "://" in url else f"mqtt://{url}")
    if parsed.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise BrokerConnectError(f"broker URL {url!r} must start with mqtt:// or mqtts://")
    tls = parsed.scheme in ("mqtts", "ssl")
    return parsed.hostname or "127.0.0.1", parsed.port or (8883 if tls else 1883), tls


def make_client(client_id: str, version: str = "5") -> mqtt.Client:
    """A paho client with callback API v2; clean sessions (an offline member holds no tasks)."""
    if version == "5":
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    else:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311, clean_session=True
        )
    client.reconnect_delay_set(min_delay=1, max_delay=10)
    client.on_socket_open = _no_delay
    return client


def _no_delay(client: mqtt.Client, userdata: object, sock: object) -> None:
    """TCP_NODELAY on every (re)connect: MQTT sends small packets back to back (a result, then a
    PUBACK), and Nagle's algorithm would hold the second until the first is acknowledged, which
    delayed acknowledgements stretch to tens of milliseconds."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # type: ignore[attr-defined]
    except (OSError, AttributeError) as exc:  # not a TCP socket (a test's socketpair): nothing to tune
        log.debug("mqtt socket keeps Nagle's algorithm (%s)", exc)


def connect(client: mqtt.Client, url: str, *, timeout: float = 10.0, ca_file: str | None = None,
            auth: MqttAuth | None = None, properties: Properties | None = None) -> None:
    """Connect and start the network thread; raise BrokerConnectError unless CONNACK succeeds.

    `properties`: MQTT 5 CONNECT properties (e.g. Receive Maximum); paho keeps them for its
    reconnects. Refused (BrokerConnectError) on an MQTT 3.1.1 client, which cannot send them."""
    host, port, tls = parse_url(url)
    auth = auth or MqttAuth(ca_file=ca_file)
    if tls:
        try:
            client.tls_set(ca_certs=auth.ca_file or ca_file, certfile=auth.cert_file, keyfile=auth.key_file,
                           cert_reqs=ssl.CERT_REQUIRED)
        except (OSError, ssl.SSLError) as exc:
            raise BrokerConnectError(f"cannot load the TLS files for {host}:{port} ({exc}): check the CA, "
                                     "certificate and key paths (`tandem broker certs` makes them)") from exc
    if auth.username is not None:
        client.username_pw_set(auth.username, auth.password)
    done = threading.Event()
    outcome: dict[str, object] = {}
    previous: Any = client.on_connect  # paho's callback type changes with the API version

    def on_connect(c: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        outcome.setdefault("reason", reason)
        done.set()
        if previous is not None:
            previous(c, userdata, flags, reason, props)

    if properties is not None and client.protocol != mqtt.MQTTv5:
        raise BrokerConnectError("CONNECT properties need an MQTT 5 client (make_client(..., version='5'))")
    client.on_connect = on_connect
    try:
        if client.protocol == mqtt.MQTTv5:
            client.connect(host, port, keepalive=30, clean_start=True, properties=properties)
        else:
            client.connect(host, port, keepalive=30)
    except ssl.SSLError as exc:
        client.on_connect = previous
        _abandon(client)
        _close_leaked_tls_socket(exc)
        raise BrokerConnectError(
            f"TLS handshake with the MQTT broker at {host}:{port} failed ({exc.reason}): check that the "
            "CA file signed the broker's certificate and that the host name matches it"
        ) from exc
    except OSError as exc:
        client.on_connect = previous
        raise BrokerConnectError(
            f"cannot reach the MQTT broker at {host}:{port} ({exc.strerror or exc}): start one "
            "(`mosquitto -p PORT`, or `tandem demo` starts its own) or set TANDEM_BROKER_URL"
        ) from exc
    client.loop_start()
    if not done.wait(timeout):
        _abandon(client)
        client.on_connect = previous
        raise BrokerConnectError(f"the broker at {host}:{port} did not answer CONNECT within {timeout:.0f} s")
    # keep a chained handler so reconnects still reach the caller's callback
    reason = outcome["reason"]
    if getattr(reason, "is_failure", False):
        _abandon(client)
        raise BrokerConnectError(f"the broker at {host}:{port} refused the connection: {reason}")
    log.info("mqtt connected host=%s port=%d tls=%s", host, port, tls)


def _abandon(client: mqtt.Client) -> None:
    """Stop a client whose connection failed, and close its socket (no reconnect, no leak)."""
    client.loop_stop()
    sock = client.socket()
    if sock is not None:
        sock.close()


def _close_leaked_tls_socket(exc: BaseException) -> None:
    """paho 2.2's `_ssl_wrap_socket` drops its socket when the handshake fails; close it here."""
    tb = exc.__traceback__
    while tb is not None:
        sock = tb.tb_frame.f_locals.get("ssl_sock")
        if isinstance(sock, ssl.SSLSocket):
            sock.close()
        tb = tb.tb_next
