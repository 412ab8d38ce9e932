"""`tandem broker`: certificates and accounts for a secured Mosquitto (hardware/mosquitto/)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def broker() -> None:
    """Make certificates, accounts and the ACL for a TLS Mosquitto (configs in hardware/mosquitto/)."""


@broker.command("certs")
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--client", "clients", multiple=True, help="A device id or worker name (repeat).")
@click.option("--host", "hosts", multiple=True, help="Broker host name or IP for the server certificate "
              "(repeat; default localhost and 127.0.0.1).")
@click.option("--days", default=825, show_default=True, help="Validity of the issued certificates.")
def broker_certs(out: str, clients: tuple[str, ...], hosts: tuple[str, ...], days: int) -> None:
    """A fleet CA (reused if OUT has one), a server certificate and client certificates in OUT."""
    from tandem.broker.security import make_certs

    issued = make_certs(Path(out), clients=list(clients), hosts=list(hosts) or None, days=days)
    click.echo(f"CA {issued.ca}\nserver {issued.server_cert}")
    for name, (crt, _key) in issued.clients.items():
        click.echo(f"client {name} {crt}")


@broker.command("users")
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--device", "devices", multiple=True, help="A device id (its broker user name; repeat).")
@click.option("--worker", "workers", multiple=True, help="A worker account name (repeat).")
@click.option("--caller", "callers", multiple=True, metavar="NAME[:DEVICE]",
              help="A program that asks `tandem serve`: publishes to tandem/<device>/ask/NAME, reads "
                   "tandem/<device>/reply/NAME/#. NAME alone may ask every --device; NAME:DEVICE only that "
                   "one (repeat).")
def broker_users(out: str, devices: tuple[str, ...], workers: tuple[str, ...], callers: tuple[str, ...]) -> None:
    """Password file (via mosquitto_passwd), per-account passwords (0600) and the ACL in OUT."""
    from tandem.broker.security import make_users

    asks: dict[str, list[str]] = {}
    for spec in callers:
        name, _, device = spec.partition(":")
        asks.setdefault(name, [])
        if device:
            asks[name].append(device)
    created = make_users(Path(out), devices=list(devices), workers=list(workers), callers=asks)
    for name, path in created.items():
        click.echo(f"{name} password in {path}")
