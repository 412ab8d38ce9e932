"""Is the service's command broker open to strangers? Checked once, before the MQTT face starts.

Replies on the command face carry answers with the values restored, so who can connect to that
broker matters. Two facts decide it:

- `anonymous`: the broker takes clients without an account. Known without a connection when the
  service itself has no account there (it then connects anonymously, so anyone can); otherwise a
  connection without credentials is tried once (`probed`). A broker that does not answer at start
  is taken at its configuration's word (an account is set), and the log says so.
- `loopback_only`: the URL's host is a loopback address, and every socket listening on that port
  on this machine (`/proc/net/tcp`, `/proc/net/tcp6`) is bound to a loopback address: a Mosquitto
  listening on 0.0.0.0 and reached through 127.0.0.1 is not loopback-only.

`check` refuses an anonymous broker that is not loopback-only unless the operator allowed it
(`tandem serve --allow-anonymous-broker`). An anonymous loopback broker is accepted with a warning:
every local user can read its requests and replies, but the service's callers are then unverified
and may not name conversations (`device.service.callers`), so no stored value is reachable there.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
import socket
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from device.errors import OpenBrokerError
from protocol.mqtt import MqttAuth, make_client, parse_url

log = logging.getLogger(__name__)

_LISTEN = "0A"  # TCP state LISTEN in /proc/net/tcp


@dataclass(frozen=True)
class BrokerExposure:
    anonymous: bool
    loopback_only: bool
    probed: bool  # anonymity was tried with a connection (False: from the config alone)


def assess(url: str, auth: MqttAuth | None, *, timeout_s: float = 3.0) -> BrokerExposure:
    """How open the broker at `url` is, for a service that logs in with `auth`."""
    host, port, tls = parse_url(url)
    loopback = host_is_loopback(host) and all(a.is_loopback for a in listening_addresses(port))
    if auth is None or (auth.username is None and auth.cert_file is None):
        return BrokerExposure(anonymous=True, loopback_only=loopback, probed=False)
    accepted = accepts_anonymous(host, port, tls, auth.ca_file, timeout_s)
    if accepted is None:
        log.warning("could not check whether the command broker takes anonymous clients (it did not answer); "
                    "trusting the configured account")
    return BrokerExposure(anonymous=bool(accepted), loopback_only=loopback, probed=accepted is not None)


def check(url: str, auth: MqttAuth | None, *, allow_anonymous: bool, timeout_s: float = 3.0) -> BrokerExposure:
    """`assess`, then refuse (OpenBrokerError) an anonymous broker beyond loopback unless allowed."""
    exposure = assess(url, auth, timeout_s=timeout_s)
    if not exposure.anonymous:
        return exposure
    if not exposure.loopback_only and not allow_anonymous:
        raise OpenBrokerError(
            f"the command broker {url} takes anonymous clients and is reachable beyond this machine's loopback: "
            "anyone who reaches it could read every request and reply. Give the broker accounts "
            "(`tandem broker users DIR --device <id> --caller <name>`, then hardware/mosquitto/tandem-local.conf "
            "or tandem-tls.conf) and set broker_username/broker_password, or serve the socket only (--no-mqtt), "
            "or accept the exposure with --allow-anonymous-broker ([serve] allow_anonymous_broker = true)")
    where = "on loopback" if exposure.loopback_only else "beyond loopback (allowed by allow_anonymous_broker)"
    log.warning("the command broker takes anonymous clients %s: every local user can read requests and "
                "replies there, and callers cannot name conversations; give it accounts (`tandem broker users "
                "... --caller NAME`) or use the Unix socket for private requests", where)
    return exposure


def host_is_loopback(host: str) -> bool:
    """True when every address `host` resolves to is a loopback address (unresolvable: False)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    return bool(infos) and all(_is_loopback(str(info[4][0])) for info in infos)


def _is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def listening_addresses(port: int, proc: Path = Path("/proc/net")) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Local addresses of TCP sockets listening on `port` here (Linux); empty when none or unknown."""
    found: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for name in ("tcp", "tcp6"):
        try:
            lines = (proc / name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 4 or fields[3] != _LISTEN:
                continue
            address, _, hex_port = fields[1].partition(":")
            if int(hex_port, 16) != port:
                continue
            raw = bytes.fromhex(address)
            # the kernel prints each 32-bit word in host (little-endian) order
            words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            ip = ipaddress.ip_address(words)
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
            found.append(ip)
    return found


def accepts_anonymous(host: str, port: int, tls: bool, ca_file: str | None, timeout_s: float) -> bool | None:
    """Connect once without an account or client certificate: True if accepted, False if refused,
    None when the broker does not answer."""
    client = make_client(f"tandem-probe-{secrets.token_hex(4)}")
    done = threading.Event()
    outcome: list[bool] = []

    def on_connect(c: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        outcome.append(not getattr(reason, "is_failure", False))
        done.set()

    client.on_connect = on_connect
    client.reconnect_delay_set(min_delay=60, max_delay=60)  # one try only
    try:
        if tls:
            client.tls_set(ca_certs=ca_file, cert_reqs=ssl.CERT_REQUIRED)
        client.connect(host, port, keepalive=10)
    except ssl.SSLError:
        return False  # the broker wants more than an anonymous client has (a client certificate)
    except OSError:
        return None
    client.loop_start()
    try:
        if not done.wait(timeout_s):
            return None
        return outcome[0]
    finally:
        client.disconnect()
        client.loop_stop()
        sock = client.socket()
        if sock is not None:
            sock.close()
