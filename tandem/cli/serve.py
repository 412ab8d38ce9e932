"""`tandem serve`: the headless service (systemd unit in hardware/systemd/)."""

from __future__ import annotations

from pathlib import Path

import click

from tandem.cli.config import cli_settings


@click.command()
@click.option("--socket", "socket_path", type=click.Path(path_type=Path), default=None,
              help="Unix socket for local programs (default: $RUNTIME_DIRECTORY/tandem.sock, set by systemd).")
@click.option("--command-broker", default=None,
              help="MQTT broker of the command topic tandem/<device>/ask (default: settings.broker_url).")
@click.option("--no-mqtt", is_flag=True, help="Serve the Unix socket only.")
@click.option("--no-cloud", is_flag=True, help="Never escalate: answer every request on the device.")
@click.option("--discovery-prefix", default="homeassistant", show_default=True,
              help="Home Assistant MQTT discovery prefix.")
@click.option("--allow-anonymous-broker", is_flag=True,
              help="Start even if the command broker takes anonymous clients beyond loopback (anyone who "
                   "reaches it reads every request and reply); default: refuse ([serve] allow_anonymous_broker).")
def serve(socket_path: Path | None, command_broker: str | None, no_mqtt: bool, no_cloud: bool,
          discovery_prefix: str, allow_anonymous_broker: bool) -> None:
    """Answer requests from a local MQTT command topic and a Unix socket, unattended.

    Callers ask on tandem/<device>/ask/<caller> and are answered under tandem/<device>/reply/<caller>;
    on a broker with accounts (`tandem broker users --caller NAME`) its ACL makes <caller> the caller's
    account. SIGHUP reloads the config; SIGTERM stops (availability goes offline first).
    """
    import asyncio

    from tandem.assembly.serve_runtime import ServeOptions, default_socket_path, run_service
    from tandem.settings import load_settings

    settings = cli_settings()  # fail early and clearly on a broken config
    options = ServeOptions(
        socket_path=socket_path or default_socket_path(),
        command_broker=None if no_mqtt else (command_broker or settings.broker_url),
        discovery_prefix=discovery_prefix, cloud=not no_cloud, allow_anonymous_broker=allow_anonymous_broker,
    )
    # reloads read the config again with load_settings: a broken file raises, and the service keeps going
    asyncio.run(run_service(load_settings, options, on_ready=lambda line: click.echo(line, err=True)))
