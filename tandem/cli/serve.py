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
@click.option("--http", "http", default=None, metavar="HOST:PORT",
              help="Also serve the OpenAI-compatible API (/v1/chat/completions, /v1/models) and Ollama's "
                   "(/api/chat, /api/tags) on HOST:PORT, e.g. 127.0.0.1:11434.")
@click.option("--http-token", envvar="TANDEM_HTTP_TOKEN", default=None, metavar="TOKEN",
              help="The bearer token HTTP clients must send (env TANDEM_HTTP_TOKEN); required off loopback.")
@click.option("--allow-anonymous-broker", is_flag=True,
              help="Start even if the command broker takes anonymous clients beyond loopback (anyone who "
                   "reaches it reads every request and reply); default: refuse ([serve] allow_anonymous_broker).")
def serve(socket_path: Path | None, command_broker: str | None, no_mqtt: bool, no_cloud: bool,
          discovery_prefix: str, http: str | None, http_token: str | None, allow_anonymous_broker: bool) -> None:
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
        http=_host_port(http) if http else None, http_token=http_token or None,
    )
    # reloads read the config again with load_settings: a broken file raises, and the service keeps going
    asyncio.run(run_service(load_settings, options, on_ready=lambda line: click.echo(line, err=True)))


def _host_port(value: str) -> tuple[str, int]:
    """"127.0.0.1:8080", "[::1]:8080" or ":8080" (loopback) -> (host, port)."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise click.BadParameter(f"{value!r} is not HOST:PORT (e.g. 127.0.0.1:11434)", param_hint="--http")
    return host.strip("[]") or "127.0.0.1", int(port)
