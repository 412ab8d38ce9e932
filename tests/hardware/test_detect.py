"""Profile detection from fake /proc and /etc files, and how the profile reaches the engine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hardware import resolve_profile
from hardware.detect import Probe, detect, read_cpu_flags
from tandem.assembly.engine_options import engine_options
from tandem.settings import Settings

PI5_CPUINFO = """processor\t: 0
BogoMIPS\t: 108.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp
CPU implementer\t: 0x41
"""
PI4_CPUINFO = """processor\t: 0
Features\t: fp asimd evtstrm crc32 cpuid
CPU part\t: 0xd08
"""
X86_CPUINFO = "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr avx2 sse4_2\n"


def _probe(tmp_path: Path, *, model: str | None = None, tegra: bool = False, cpuinfo: str = "",
           machine: str = "aarch64") -> Probe:
    dt, nv, cpu = tmp_path / "model", tmp_path / "nv_tegra_release", tmp_path / "cpuinfo"
    if model is not None:
        dt.write_bytes(model.encode() + b"\x00")  # /proc/device-tree strings end with NUL
    if tegra:
        nv.write_text("# R36 (release), REVISION: 4.0, GCID: 37537400, BOARD: generic, EABI: aarch64\n")
    cpu.write_text(cpuinfo)
    return Probe(device_tree_model=dt, nv_tegra_release=nv, cpuinfo=cpu, machine=machine)


@pytest.mark.parametrize(("model", "tegra", "cpuinfo", "machine", "expected"), [
    ("Raspberry Pi 5 Model B Rev 1.0", False, PI5_CPUINFO, "aarch64", "raspberry-pi-5"),
    ("Raspberry Pi 4 Model B Rev 1.4", False, PI4_CPUINFO, "aarch64", "raspberry-pi-4"),
    ("NVIDIA Jetson Orin Nano Developer Kit", True, PI5_CPUINFO, "aarch64", "jetson-orin-nano"),
    (None, True, PI5_CPUINFO, "aarch64", "jetson-orin-nano"),
    (None, False, PI5_CPUINFO, "aarch64", "raspberry-pi-5"),  # unknown arm64 board with dotprod
    (None, False, PI4_CPUINFO, "aarch64", "raspberry-pi-4"),  # unknown arm64 board without
    ("Some Other Board", False, PI4_CPUINFO, "aarch64", "raspberry-pi-4"),
    (None, False, X86_CPUINFO, "x86_64", "x86-dev"),
])
def test_detection_picks_the_profile(tmp_path: Path, model: str | None, tegra: bool, cpuinfo: str,
                                     machine: str, expected: str) -> None:
    found = detect(_probe(tmp_path, model=model, tegra=tegra, cpuinfo=cpuinfo, machine=machine))
    assert found.profile == expected
    assert found.reasons and all(isinstance(r, str) for r in found.reasons)


def test_explanation_names_the_evidence(tmp_path: Path) -> None:
    found = detect(_probe(tmp_path, model="Raspberry Pi 5 Model B Rev 1.0", cpuinfo=PI5_CPUINFO))
    text = found.explain()
    assert "Raspberry Pi 5 Model B Rev 1.0" in text and "\x00" not in text
    assert "asimddp" in text
    (tmp_path / "bare").mkdir()
    bare = detect(_probe(tmp_path / "bare", cpuinfo=PI4_CPUINFO))
    assert "without asimddp" in bare.explain()


def test_pi5_string_without_dotprod_keeps_the_board_and_says_so(tmp_path: Path) -> None:
    found = detect(_probe(tmp_path, model="Raspberry Pi 5 Model B", cpuinfo=PI4_CPUINFO))
    assert found.profile == "raspberry-pi-5"
    assert any("lacks asimddp" in r for r in found.reasons)


def test_cpu_flags_read_arm_features_and_x86_flags(tmp_path: Path) -> None:
    (tmp_path / "a").write_text(PI5_CPUINFO)
    (tmp_path / "b").write_text(X86_CPUINFO)
    assert "asimddp" in read_cpu_flags(tmp_path / "a")
    assert "avx2" in read_cpu_flags(tmp_path / "b")
    assert read_cpu_flags(tmp_path / "missing") == frozenset()


def test_named_profile_skips_detection() -> None:
    profile, detection = resolve_profile("raspberry-pi-4")
    assert profile.name == "raspberry-pi-4" and detection is None


def test_engine_takes_the_profile_unless_settings_override(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TANDEM_THREADS", raising=False)
    monkeypatch.delenv("TANDEM_MAX_CONTEXT", raising=False)
    monkeypatch.setenv("TANDEM_CONFIG", str(tmp_path / "none.toml"))
    opts = engine_options(Settings(hardware_profile="raspberry-pi-4"))
    assert (opts.threads, opts.max_context) == (4, 1024)
    assert opts.allow_spinning is False  # the Pi profile turns onnxruntime's spin-waiting off
    assert engine_options(Settings(hardware_profile="x86-dev")).allow_spinning is True
    assert opts.sources == {"threads": "profile raspberry-pi-4", "max_context": "profile raspberry-pi-4"}
    opts = engine_options(Settings(hardware_profile="raspberry-pi-4", threads=1, max_context=512))
    assert (opts.threads, opts.max_context) == (1, 512)
    # a config file counts as explicit too
    (tmp_path / "c.toml").write_text('hardware_profile = "jetson-orin-nano"\nmax_context = 300\n')
    monkeypatch.setenv("TANDEM_CONFIG", str(tmp_path / "c.toml"))
    opts = engine_options(Settings())
    assert (opts.threads, opts.max_context, opts.profile.name) == (6, 300, "jetson-orin-nano")


def test_make_agent_applies_the_profile(tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tandem.assembly import runtime

    monkeypatch.setenv("TANDEM_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("TANDEM_MAX_CONTEXT", raising=False)
    monkeypatch.setattr(runtime, "model_dir", lambda name, settings, **kw: tiny_model)
    agent, escalator = runtime.make_agent(Settings(hardware_profile="raspberry-pi-4", keys_dir=tmp_path),
                                          with_cloud=False)
    assert escalator is None
    assert agent.engine.max_context == min(1024, agent.engine.manifest.context_length)


def test_cli_detect_explains_from_fake_files(tmp_path: Path) -> None:
    probe = _probe(tmp_path, model="Raspberry Pi 5 Model B Rev 1.0", cpuinfo=PI5_CPUINFO)
    args = ["--device-tree-model", str(probe.device_tree_model), "--nv-tegra-release", str(probe.nv_tegra_release),
            "--cpuinfo", str(probe.cpuinfo), "--machine", "aarch64"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TANDEM_CONFIG": str(tmp_path / "none.toml")}
    out = subprocess.run([sys.executable, "-m", "tandem.cli", "hardware", "detect", *args], capture_output=True,
                         text=True, timeout=60, env=env, check=False)
    assert out.returncode == 0, out.stderr
    assert "detected profile: raspberry-pi-5" in out.stdout
    assert "because:" in out.stdout and "threads=4" in out.stdout
    out = subprocess.run([sys.executable, "-m", "tandem.cli", "hardware", "detect", "--json", *args],
                         capture_output=True, text=True, timeout=60, env=env, check=False)
    data = json.loads(out.stdout)
    assert data["profile"] == "raspberry-pi-5" and data["dotprod"] is True
