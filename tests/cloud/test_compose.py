"""The worker pool's compose file, rendered as `docker compose config` would with the documented exports:
the keys come from the absolute dir `tandem keys init` wrote (not a path relative to cloud/), the workers
run as the owner of those 0600 files, and their ledger lives in a mounted state dir. A missing export
stops compose with a message that says what to set. Where a `docker compose` exists it renders it too."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from protocol.keys import init_keys

COMPOSE = Path(__file__).resolve().parents[2] / "cloud" / "compose.yaml"
_VAR = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")


class Unset(ValueError):
    pass


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?message}` over every string of `value`."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.groups()
        if env.get(name):
            return env[name]
        if op == "?":
            raise Unset(f"{name}: {arg}")
        return arg if op == "-" else ""

    assert "$(" not in value, "compose has no command substitution: $( would be an interpolation error"
    return _VAR.sub(one, value)


def _render(env: dict[str, str]) -> dict[str, Any]:
    return interpolate(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")), env)


def _workers(doc: dict[str, Any]) -> dict[str, Any]:
    return {name: svc for name, svc in doc["services"].items() if name.startswith("worker")}


def test_documented_exports_give_readable_keys_and_a_writable_ledger(tmp_path: Path) -> None:
    keys, state = tmp_path / "keys", tmp_path / "worker-state"
    init_keys(keys, "dev-1")  # what the header's first step writes
    env = {"TANDEM_KEYS": str(keys), "TANDEM_STATE": str(state), "TANDEM_UID": str(os.getuid()),
           "TANDEM_GID": str(os.getgid())}
    workers = _workers(_render(env))
    assert len(workers) >= 2
    for name, svc in workers.items():
        uid, gid = svc["user"].split(":")
        mounts = {v.split(":")[1]: v for v in svc["volumes"]}
        assert mounts["/keys"] == f"{keys}:/keys:ro", name
        assert mounts["/state"] == f"{state}:/state", name
        assert svc["environment"]["XDG_STATE_HOME"] == "/state"  # the ledger: /state/tandem/worker/ledger-<id>.sqlite
        for source in (v.split(":")[0] for v in svc["volumes"]):
            assert source.startswith("/") or re.fullmatch(r"[\w-]+", source), f"{name}: relative mount {source}"
        # every private key file is 0600 and owned by the uid the workers run as
        for key_file in keys.rglob("*.key"):
            info = key_file.stat()
            assert stat.S_IMODE(info.st_mode) == 0o600 and info.st_uid == int(uid) and info.st_gid == int(gid)


@pytest.mark.parametrize("missing", ["TANDEM_KEYS", "TANDEM_STATE", "TANDEM_UID", "TANDEM_GID"])
def test_a_missing_export_stops_compose_with_what_to_set(missing: str) -> None:
    env = {"TANDEM_KEYS": "/k", "TANDEM_STATE": "/s", "TANDEM_UID": "1000", "TANDEM_GID": "1000"}
    del env[missing]
    with pytest.raises(Unset, match=missing):
        _render(env)


def test_the_image_user_alone_could_not_read_the_keys(tmp_path: Path) -> None:
    """Why the compose file sets `user`: the Dockerfile's user is uid 10001, and key files are 0600."""
    dockerfile = (COMPOSE.parent / "Dockerfile").read_text(encoding="utf-8")
    assert "--uid 10001" in dockerfile
    init_keys(tmp_path / "keys", "dev-1")
    assert all(stat.S_IMODE(p.stat().st_mode) & 0o077 == 0 for p in (tmp_path / "keys").rglob("*.key"))


@pytest.mark.skipif(shutil.which("docker") is None or subprocess.run(
    ["docker", "compose", "version"], capture_output=True, check=False).returncode != 0,
    reason="no docker compose on this machine")
def test_docker_compose_renders_it(tmp_path: Path) -> None:
    env = {**os.environ, "TANDEM_KEYS": str(tmp_path), "TANDEM_STATE": str(tmp_path), "TANDEM_UID": "1000",
           "TANDEM_GID": "1000"}
    out = subprocess.run(["docker", "compose", "-f", str(COMPOSE), "config"], env=env, capture_output=True,
                         text=True, check=False, timeout=60)
    assert out.returncode == 0, out.stderr
    assert f"source: {tmp_path}" in out.stdout and 'user: "1000:1000"' in out.stdout.replace("'", '"')
