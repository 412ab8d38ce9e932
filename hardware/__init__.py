"""Hardware profiles: threads, execution providers, model variant and memory per board.

Profiles are TOML files in `hardware/profiles/`, loaded by name or picked by `hardware.detect`
from /proc/device-tree, /etc/nv_tegra_release and CPU features (`resolve_profile("auto")`).
`hardware/systemd/` holds the unit that runs `tandem serve` on a board.
"""

from __future__ import annotations

import sys
from importlib import resources
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from protocol.errors import TandemError

if sys.version_info >= (3, 11):
    import tomllib
else:  # Jetson's JetPack 6 ships Python 3.10
    import tomli as tomllib

if TYPE_CHECKING:
    from hardware.detect import Detection, Probe


class ProfileError(TandemError):
    pass


class HardwareProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = 1
    name: str
    description: str
    threads: int
    allow_spinning: bool
    execution_providers: list[str]
    device_model: str
    precision: str
    max_context: int
    memory_budget_mb: int


def list_profiles() -> list[str]:
    return sorted(p.name.removesuffix(".toml") for p in resources.files("hardware").joinpath("profiles").iterdir()
                  if p.name.endswith(".toml"))


def load_profile(name: str) -> HardwareProfile:
    path = resources.files("hardware").joinpath("profiles", f"{name}.toml")
    if not path.is_file():
        raise ProfileError(f"unknown hardware profile {name!r}; known: {', '.join(list_profiles())}")
    return HardwareProfile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))


def resolve_profile(name: str = "auto", probe: Probe | None = None) -> tuple[HardwareProfile, Detection | None]:
    """The profile called `name`, or for "auto" the detected one together with its evidence."""
    if name != "auto":
        return load_profile(name), None
    from hardware.detect import detect

    found = detect(probe)
    return load_profile(found.profile), found
