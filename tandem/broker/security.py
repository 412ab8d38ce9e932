"""Credentials for a secured Mosquitto (configs in hardware/mosquitto/): a CA, certificates, users.

`make_certs` writes, with `cryptography` (ECDSA P-256, SHA-256):

    ca.crt / ca.key                    the fleet's CA (keep ca.key offline after issuing)
    server.crt / server.key            the broker; SANs: the given host names and IPs
    clients/<name>.crt / <name>.key    one per device and worker; CN = name, which Mosquitto
                                       takes as the user name with `use_identity_as_username`

`make_users` writes a Mosquitto password file (through `mosquitto_passwd`, which hashes), one
random password per account in `credentials/<name>.password`, and the ACL rendered for these
accounts (`render_acl`). Every private file is 0600, and nothing here logs a secret.

Topic rights (see `protocol.topics` and `device.service.topics`): a device (user name = device id)
may publish only its own task topic and read only its own result topic; a worker may read the task
topics (through the pool's shared subscription) and publish results and its status. For
`tandem serve`, a device may read its ask topics `tandem/<id>/ask/+` and publish its replies, state,
availability and Home Assistant discovery; a caller (a program that asks a device) may publish only
to `tandem/<device>/ask/<caller>` and read only `tandem/<device>/reply/<caller>/#`, so the service
knows who asks from the topic and nobody reads another caller's replies. Device ids, worker names
and caller names must all differ.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import os
import secrets
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from protocol.errors import TandemError
from protocol.keyfiles import check_device_id

log = logging.getLogger(__name__)


def _acl_template() -> str:
    """hardware/mosquitto/tandem.acl, shipped as package data of `hardware`."""
    from importlib import resources

    return resources.files("hardware").joinpath("mosquitto/tandem.acl").read_text(encoding="utf-8")


class BrokerSecurityError(TandemError):
    pass


@dataclass(frozen=True)
class IssuedCerts:
    ca: Path
    server_cert: Path
    server_key: Path
    clients: dict[str, tuple[Path, Path]]


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
    finally:
        os.close(fd)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "tandem"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _issue(subject: str, key: ec.EllipticCurvePrivateKey, ca_key: ec.EllipticCurvePrivateKey,
           ca_name: x509.Name, days: int, *, server_names: list[str] | None = None) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(ca_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True))
    if server_names is not None:
        alt: list[x509.GeneralName] = []
        for n in server_names:
            try:
                alt.append(x509.IPAddress(ipaddress.ip_address(n)))
            except ValueError:
                alt.append(x509.DNSName(n))
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    else:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return builder.sign(ca_key, hashes.SHA256())


def make_certs(out: Path, *, clients: list[str], hosts: list[str] | None = None, days: int = 825) -> IssuedCerts:
    """A CA, a server certificate for `hosts` and one client certificate per name in `clients`.

    An existing CA under `out` is reused, so certificates can be added to a fleet later.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in clients:
        check_device_id(name)
    hosts = hosts or ["localhost", "127.0.0.1"]
    ca_key_path, ca_path = out / "ca.key", out / "ca.crt"
    if ca_key_path.exists() and ca_path.exists():
        loaded = serialization.load_pem_private_key(ca_key_path.read_bytes(), None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise BrokerSecurityError(f"{ca_key_path} is not an EC key made by `tandem broker certs`")
        ca_key = loaded
        ca_name = x509.load_pem_x509_certificate(ca_path.read_bytes()).subject
    else:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name("tandem fleet CA")
        now = dt.datetime.now(dt.timezone.utc)
        ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
              .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
              .not_valid_after(now + dt.timedelta(days=days * 2))
              .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
              .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                           content_commitment=False, key_encipherment=False,
                                           data_encipherment=False, key_agreement=False, encipher_only=False,
                                           decipher_only=False), critical=True)
              .sign(ca_key, hashes.SHA256()))
        _write_private(ca_key_path, _key_pem(ca_key))
        ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _issue(hosts[0], server_key, ca_key, ca_name, days, server_names=hosts)
    _write_private(out / "server.key", _key_pem(server_key))
    (out / "server.crt").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    issued: dict[str, tuple[Path, Path]] = {}
    for name in clients:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _issue(name, key, ca_key, ca_name, days)
        crt_path, key_path = out / "clients" / f"{name}.crt", out / "clients" / f"{name}.key"
        _write_private(key_path, _key_pem(key))
        crt_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        issued[name] = (crt_path, key_path)
    log.info("issued broker certificates dir=%s clients=%d", out, len(issued))
    return IssuedCerts(ca_path, out / "server.crt", out / "server.key", issued)


def render_acl(workers: list[str], *, devices: Sequence[str] = (),
               callers: Mapping[str, Sequence[str]] | None = None) -> str:
    """The ACL template with one block per worker, per device (its `tandem serve` topics) and per
    caller (`callers`: name -> the devices it may ask)."""
    template = _acl_template()
    blocks = []
    for w in workers:
        check_device_id(w)
        blocks.append(f"user {w}\ntopic read tandem/v1/task/+\ntopic write tandem/v1/result/+\n"
                      f"topic readwrite tandem/v1/workers/{w}/status\ntopic read tandem/v1/workers/+/status\n"
                      "topic read $SYS/broker/publish/messages/dropped\n")
    for d in devices:
        check_device_id(d)
        blocks.append(f"user {d}\ntopic read tandem/{d}/ask/+\ntopic write tandem/{d}/reply/#\n"
                      f"topic write tandem/{d}/availability\ntopic write tandem/{d}/state\n"
                      f"topic write tandem/{d}/notify\n"
                      f"topic write homeassistant/sensor/tandem_{d}/+/config\n")
    for name, asks in (callers or {}).items():
        check_device_id(name)
        lines = [f"user {name}"]
        for d in asks:
            check_device_id(d)
            lines += [f"topic write tandem/{d}/ask/{name}", f"topic read tandem/{d}/reply/{name}/#",
                      f"topic read tandem/{d}/notify"]
        blocks.append("\n".join(lines) + "\n")
    return template.replace("# @ACCOUNTS@\n", "\n".join(blocks))


def make_users(out: Path, *, devices: list[str], workers: list[str],
               callers: Mapping[str, Sequence[str]] | None = None) -> dict[str, Path]:
    """Password file (`out/passwd`), ACL (`out/acl`) and `out/credentials/<name>.password` (0600).

    `callers`: caller name -> the devices (of `devices`) it may ask through `tandem serve`; an empty
    list means all of `devices`."""
    tool = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"
    if not Path(tool).exists():
        raise BrokerSecurityError("mosquitto_passwd is not installed: `apt-get install mosquitto`")
    asks = {name: list(targets) or list(devices) for name, targets in (callers or {}).items()}
    for name, targets in asks.items():
        unknown = sorted(set(targets) - set(devices))
        if not targets or unknown:
            raise BrokerSecurityError(f"caller {name} must ask devices listed with --device "
                                      f"({'none listed' if not targets else 'not listed: ' + ', '.join(unknown)})")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    passwd = out / "passwd"
    names = [*devices, *workers, *asks]
    if len(set(names)) != len(names):
        raise BrokerSecurityError("device ids, worker names and caller names must all differ (the ACL keys on "
                                  "user names)")
    created: dict[str, Path] = {}
    for name in names:
        check_device_id(name)
        password = secrets.token_urlsafe(24)
        args = [tool, "-b", str(passwd), name, password]
        if not passwd.exists():
            _write_private(passwd, b"")
        try:
            subprocess.run(args, check=True, capture_output=True, timeout=30)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            raise BrokerSecurityError(f"mosquitto_passwd failed for user {name}: check that {passwd} is "
                                      "writable") from exc
        created[name] = out / "credentials" / f"{name}.password"
        _write_private(created[name], password.encode("ascii") + b"\n")
    passwd.chmod(0o600)
    (out / "acl").write_text(render_acl(workers, devices=devices, callers=asks), encoding="utf-8")
    log.info("wrote broker users dir=%s devices=%d workers=%d callers=%d", out, len(devices), len(workers),
             len(asks))
    return created
