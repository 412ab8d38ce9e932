"""Pick the hardware profile for this board, and say why.

Evidence, strongest first:

1. `/etc/nv_tegra_release` exists (JetPack writes it) or the device-tree model names a Jetson:
   `jetson-orin-nano`.
2. `/proc/device-tree/model` names a Raspberry Pi 5 or 4: that profile.
3. No board name: the CPU decides. aarch64 with `asimddp` (dotprod) in /proc/cpuinfo gets
   `raspberry-pi-5` (4-bit MatMulNBits kernels apply), aarch64 without it `raspberry-pi-4`, anything
   else `x86-dev`.

A board name that disagrees with the CPU flags (a Pi 5 model string without dotprod) keeps the
board's profile and says so in the explanation. Every path is a parameter, so tests point detection
at fake files under a temporary directory.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from pathlib import Path

DEVICE_TREE_MODEL = Path("/proc/device-tree/model")
NV_TEGRA_RELEASE = Path("/etc/nv_tegra_release")
CPUINFO = Path("/proc/cpuinfo")


@dataclass(frozen=True)
class Probe:
    """Where detection looks; tests replace these with files under tmp_path."""

    device_tree_model: Path = DEVICE_TREE_MODEL
    nv_tegra_release: Path = NV_TEGRA_RELEASE
    cpuinfo: Path = CPUINFO
    machine: str = field(default_factory=platform.machine)


@dataclass(frozen=True)
class Detection:
    profile: str
    reasons: tuple[str, ...]  # human-readable evidence, in the order it was weighed
    board: str | None  # the device-tree model string, if any
    machine: str
    cpu_flags: frozenset[str]

    def explain(self) -> str:
        return "\n".join(f"- {r}" for r in self.reasons)


def read_board(path: Path) -> str | None:
    """The device-tree model string (NUL-terminated in /proc), or None where there is none."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    text = raw.replace(b"\x00", b"").decode("utf-8", errors="replace").strip()
    return text or None


def read_cpu_flags(path: Path) -> frozenset[str]:
    """CPU feature flags: `Features` lines on Arm, `flags` lines on x86 (first CPU is enough)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in ("features", "flags"):
            return frozenset(value.split())
    return frozenset()


def detect(probe: Probe | None = None) -> Detection:
    probe = probe or Probe()
    board = read_board(probe.device_tree_model)
    flags = read_cpu_flags(probe.cpuinfo)
    machine = probe.machine.lower()
    arm = machine in ("aarch64", "arm64") or any(f in flags for f in ("asimd", "neon"))
    dotprod = "asimddp" in flags
    reasons: list[str] = []

    def done(profile: str) -> Detection:
        return Detection(profile, tuple(reasons), board, probe.machine, flags)

    if probe.nv_tegra_release.exists():
        reasons.append(f"{probe.nv_tegra_release} exists: an NVIDIA Jetson running JetPack")
        if board:
            reasons.append(f"device-tree model: {board!r}")
        return done("jetson-orin-nano")
    if board:
        reasons.append(f"device-tree model ({probe.device_tree_model}): {board!r}")
        lowered = board.lower()
        if "jetson" in lowered or "nvidia" in lowered:
            reasons.append("names an NVIDIA Jetson (no nv_tegra_release: JetPack may be missing)")
            return done("jetson-orin-nano")
        if "raspberry pi 5" in lowered:
            reasons.append("names a Raspberry Pi 5 (Cortex-A76)")
            if not dotprod:
                reasons.append("but /proc/cpuinfo lacks asimddp (dotprod): kept the board's profile")
            else:
                reasons.append("asimddp (dotprod) present: 4-bit MatMulNBits kernels apply")
            return done("raspberry-pi-5")
        if "raspberry pi 4" in lowered:
            reasons.append("names a Raspberry Pi 4 (Cortex-A72, no dotprod)")
            return done("raspberry-pi-4")
        reasons.append("not a board tandem has a profile for: deciding from the CPU")
    else:
        reasons.append(f"no device-tree model at {probe.device_tree_model}: deciding from the CPU")
    if arm:
        if dotprod:
            reasons.append(f"{probe.machine} with asimddp (dotprod) in {probe.cpuinfo}: closest is raspberry-pi-5")
            return done("raspberry-pi-5")
        reasons.append(f"{probe.machine} without asimddp (dotprod) in {probe.cpuinfo}: closest is raspberry-pi-4")
        return done("raspberry-pi-4")
    reasons.append(f"CPU architecture {probe.machine or 'unknown'}: generic x86 development box")
    return done("x86-dev")
