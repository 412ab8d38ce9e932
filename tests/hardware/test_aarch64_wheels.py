"""The device extra installs on a 64-bit Arm board (Raspberry Pi OS Bookworm: Python 3.11, glibc 2.36).

Resolves the device's dependencies from PyPI for manylinux aarch64 / cp311 with binary wheels only:
if any of them would need a compiler on the Pi, this fails. Needs the network to PyPI (CI has it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
# pip does not widen an explicit --platform to older manylinux tags: name the ones a Pi accepts
PLATFORMS = ["manylinux_2_28_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64"]


def _requirements() -> tuple[list[str], list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    base = [r for r in project["dependencies"] if "python_version < '3.11'" not in r]
    return project["optional-dependencies"]["device"], base


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    platform_args = [a for p in PLATFORMS for a in ("--platform", p)]
    cmd = [sys.executable, "-m", "pip", *args[:1], *platform_args, "--python-version", "3.11",
           "--implementation", "cp", "--only-binary=:all:", *args[1:]]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.network
def test_device_extra_has_aarch64_cp311_wheels(tmp_path: Path) -> None:
    device, _ = _requirements()
    assert any(r.startswith("onnxruntime") for r in device)
    out = _pip("download", "--no-deps", "-d", str(tmp_path / "wheels"), *device)
    assert out.returncode == 0, out.stderr[-3000:]
    wheels = sorted(p.name for p in (tmp_path / "wheels").iterdir())
    assert len(wheels) == len(device), wheels
    for wheel in wheels:
        assert wheel.endswith("-none-any.whl") or "aarch64" in wheel, wheel
    assert any(w.startswith("onnxruntime-") and "cp311" in w for w in wheels), wheels


@pytest.mark.network
def test_device_install_resolves_with_all_dependencies_on_aarch64(tmp_path: Path) -> None:
    device, base = _requirements()
    report = tmp_path / "report.json"
    out = _pip("install", "--dry-run", "--ignore-installed", "--target", str(tmp_path / "target"),
               "--report", str(report), *device, *base)
    assert out.returncode == 0, out.stderr[-3000:]
    names = {item["metadata"]["name"].lower().replace("_", "-") for item in json.loads(report.read_text())["install"]}
    assert {"onnxruntime", "tokenizers", "numpy", "cryptography", "pydantic-core"} <= names
