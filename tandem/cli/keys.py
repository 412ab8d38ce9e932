"""`tandem keys`: create, list, export, enrol, pin, rotate and revoke device and pool keys.

On one host (the demo) `tandem keys init` does it all. Across hosts:

    device$ tandem keys create --device kitchen-pi
    device$ tandem keys export --device kitchen-pi > kitchen-pi.pub.json
    pool$   tandem keys create --pool && tandem keys enrol kitchen-pi kitchen-pi.pub.json
    pool$   tandem keys export --pool > pool.pub.json
    device$ tandem keys pin --device kitchen-pi pool.pub.json
    pool$   tandem keys rotate-pool --overlap 7d       (then hand out and pin the new pool.pub.json)
    pool$   tandem keys revoke kitchen-pi

Nothing here prints or logs private key material; exports hold public keys only.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tandem.cli.config import cli_settings
from tandem.cli.errors import CliError

if TYPE_CHECKING:
    from protocol.keys import PublicKeys


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """`90`, `90s`, `15m`, `12h`, `7d` -> seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if m is None:
        raise click.BadParameter(f"{text!r} is not a duration like 90s, 15m, 12h or 7d")
    return float(m.group(1)) * _UNITS[m.group(2) or "s"]


def _read_public(path: str) -> PublicKeys:
    from protocol.keys import PublicKeys

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot read {path} ({exc.strerror})") from exc
    return PublicKeys.from_json(text, source=path)


@click.group()
def keys() -> None:
    """Create, list, export, enrol, pin, rotate and revoke device and worker-pool keys."""


@keys.command("init")
@click.option("--device", "device_id", default=None, help="Device id (default: settings.device_id).")
def keys_init(device_id: str | None) -> None:
    """One host: create pool and device keys (never overwrites), enrol the device, pin the pool key."""
    from protocol.keys import init_keys

    settings = cli_settings(device_id=device_id)
    init_keys(settings.keys_dir, settings.device_id)
    click.echo(f"keys ready in {settings.keys_dir} (device {settings.device_id})")


@keys.command("create")
@click.option("--device", "device_id", default=None, help="Create this device's key pairs.")
@click.option("--pool", is_flag=True, help="Create the worker pool's key pairs.")
def keys_create(device_id: str | None, pool: bool) -> None:
    """Create key pairs (private files 0600; existing keys are kept). Prints the key id."""
    from protocol.key_lifecycle import create_device_keys, create_pool_keys

    if pool == (device_id is not None):
        raise click.UsageError("give exactly one of --device ID or --pool")
    settings = cli_settings()
    if device_id is None:
        public = create_pool_keys(settings.keys_dir)
    else:
        public = create_device_keys(settings.keys_dir, device_id)
    click.echo(f"{'pool' if pool else device_id} key_id {public.key_id}")


@keys.command("list")
def keys_list() -> None:
    """List key sets and fingerprints, one JSON object per line (never private material)."""
    from protocol.keys import list_keys

    settings = cli_settings()
    entries = list_keys(settings.keys_dir)
    for entry in entries:
        click.echo(json.dumps(entry))
    if not entries:  # said on stderr: stdout stays one JSON object per line (here: none)
        click.echo(f"no keys in {settings.keys_dir}: `tandem keys init` creates this device's keys (and, on a "
                   "single box, the local pool's)", err=True)


@keys.command("export")
@click.option("--device", "device_id", default=None, help="Export this device's public keys.")
@click.option("--pool", is_flag=True, help="Export the pool's public keys.")
def keys_export(device_id: str | None, pool: bool) -> None:
    """Print a public key document (to enrol a device, or to pin the pool on a device)."""
    from protocol.key_lifecycle import export_public

    if pool == (device_id is not None):
        raise click.UsageError("give exactly one of --device ID or --pool")
    settings = cli_settings()
    click.echo(export_public(settings.keys_dir, None if pool else device_id), nl=False)


@keys.command("enrol")
@click.argument("device_id")
@click.argument("public_file")
@click.option("--replace", is_flag=True, help="Accept new keys for an already enrolled device.")
def keys_enrol(device_id: str, public_file: str, replace: bool) -> None:
    """Pool side: accept tasks from DEVICE_ID signed with the keys in PUBLIC_FILE ('-': stdin)."""
    from protocol.key_lifecycle import enrol_device

    settings = cli_settings()
    path = enrol_device(settings.keys_dir, device_id, _read_public(public_file), replace=replace)
    click.echo(f"enrolled {device_id} ({path})")


@keys.command("pin")
@click.argument("public_file")
@click.option("--device", "device_id", default=None, help="Device id (default: settings.device_id).")
def keys_pin(public_file: str, device_id: str | None) -> None:
    """Device side: trust the pool keys in PUBLIC_FILE; the previous pin is kept for the overlap."""
    from protocol.key_lifecycle import pin_pool

    settings = cli_settings(device_id=device_id)
    pin_pool(settings.keys_dir, settings.device_id, _read_public(public_file))
    click.echo(f"pinned pool key on {settings.device_id}")


@keys.command("rotate-pool")
@click.option("--overlap", default="7d", show_default=True,
              help="How long workers still accept the old key (90s, 15m, 12h, 7d).")
@click.option("--end-overlap", is_flag=True, help="Forget the previous pool key now instead.")
def keys_rotate_pool(overlap: str, end_overlap: bool) -> None:
    """New pool key pair; the old one stays valid for --overlap. Local devices are re-pinned."""
    from protocol.key_lifecycle import end_overlap as end
    from protocol.key_lifecycle import rotate_pool

    settings = cli_settings()
    if end_overlap:
        click.echo("previous pool key removed" if end(settings.keys_dir) else "no previous pool key")
        return
    new = rotate_pool(settings.keys_dir, parse_duration(overlap))
    click.echo(f"new pool key_id {new.key_id}; export it (`tandem keys export --pool`) and pin it on "
               f"remote devices within {overlap}")


@keys.command("revoke")
@click.argument("device_id")
def keys_revoke(device_id: str) -> None:
    """Pool side: refuse DEVICE_ID from its next message on (the enrolment moves to pool/revoked/)."""
    from protocol.key_lifecycle import revoke_device

    settings = cli_settings()
    revoke_device(settings.keys_dir, device_id)
    click.echo(f"revoked {device_id}")
