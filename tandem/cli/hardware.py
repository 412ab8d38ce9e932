"""`tandem hardware`: which board profile applies here, and why."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tandem.cli.config import cli_settings


@click.group()
def hardware() -> None:
    """Detect this board's hardware profile; list and show profiles."""


@hardware.command("detect")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--device-tree-model", type=click.Path(path_type=Path), default=None, hidden=True)
@click.option("--nv-tegra-release", type=click.Path(path_type=Path), default=None, hidden=True)
@click.option("--cpuinfo", type=click.Path(path_type=Path), default=None, hidden=True)
@click.option("--machine", default=None, hidden=True)
def detect_cmd(as_json: bool, device_tree_model: Path | None, nv_tegra_release: Path | None,
               cpuinfo: Path | None, machine: str | None) -> None:
    """Pick the profile from /proc/device-tree/model, /etc/nv_tegra_release and CPU flags; explain it."""
    from hardware import load_profile
    from hardware.detect import Probe, detect

    default = Probe()
    probe = Probe(device_tree_model=device_tree_model or default.device_tree_model,
                  nv_tegra_release=nv_tegra_release or default.nv_tegra_release,
                  cpuinfo=cpuinfo or default.cpuinfo, machine=machine or default.machine)
    found = detect(probe)
    profile = load_profile(found.profile)
    configured = cli_settings().hardware_profile
    if as_json:
        click.echo(json.dumps({"profile": found.profile, "reasons": list(found.reasons), "board": found.board,
                               "machine": found.machine, "dotprod": "asimddp" in found.cpu_flags,
                               "configured": configured, "settings": profile.model_dump()}))
        return
    click.echo(f"detected profile: {found.profile} ({profile.description})")
    click.echo("because:")
    click.echo(found.explain())
    click.echo(f"applies: threads={profile.threads} max_context={profile.max_context} "
               f"providers={','.join(profile.execution_providers)} model={profile.device_model} "
               f"precision={profile.precision} memory_budget_mb={profile.memory_budget_mb}")
    if configured != "auto":
        click.echo(f"note: settings name hardware_profile={configured!r}, which overrides the detection")
    else:
        click.echo("other commands use it unless threads/max_context are set (config, TANDEM_*) "
                   "or hardware_profile names another profile")


@hardware.command("list")
def list_cmd() -> None:
    """Profiles tandem ships."""
    from hardware import list_profiles, load_profile

    for name in list_profiles():
        click.echo(f"{name}: {load_profile(name).description}")


@hardware.command("show")
@click.argument("name", default="auto")
def show_cmd(name: str) -> None:
    """One profile as JSON ("auto": the one in effect here)."""
    from hardware import resolve_profile

    profile, _ = resolve_profile(name)
    click.echo(json.dumps(profile.model_dump()))
