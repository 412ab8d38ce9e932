"""A board without torch gets its models as a signed bundle: `tandem model export` on the pool host,
`tandem model import` on the device, checked against the pool key the device pinned. A changed file, a
bundle of another pool, a path outside the models dir or a cut bundle installs nothing."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from protocol.key_lifecycle import create_device_keys, enrol_device, export_public, pin_pool
from protocol.keys import DeviceKeys, PoolKeys, PublicKeys, init_keys
from tandem.assembly.model_bundle import (
    DOMAIN,
    BundleError,
    device_model_dirs,
    export_bundle,
    import_bundle,
    pinned_verifier,
)
from tandem.cli import main
from tests.tandem.tiny_layout import models_dir_with_tiny


def _run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_export_on_the_pool_host_import_on_a_device(tiny_model: Path, tmp_path: Path) -> None:
    host_models = models_dir_with_tiny(tiny_model, tmp_path / "host-models")
    (host_models / "route-deferral").mkdir()
    (host_models / "route-deferral" / "model.json").write_text('{"weights": [1, 2]}')
    host_keys, board_keys = tmp_path / "host-keys", tmp_path / "board-keys"
    init_keys(host_keys, "host-dev")
    # the board's own keys, enrolled with the pool, and the pool's public key pinned (two machines)
    enrol_device(host_keys, "pi", PublicKeys.from_json(
        create_device_keys(board_keys, "pi").to_json()))
    pin_pool(board_keys, "pi", PublicKeys.from_json(export_public(host_keys)))
    host = {"TANDEM_CONFIG": str(tmp_path / "none.toml"), "TANDEM_MODELS_DIR": str(host_models),
            "TANDEM_KEYS_DIR": str(host_keys), "TANDEM_DEVICE_MODEL": "tiny", "TANDEM_DEVICE_ID": "host-dev"}
    bundle = tmp_path / "models.tar"
    code, out, err = _run(host, "model", "export", "--out", str(bundle))
    assert code == 0, err
    assert "tiny" in out and "pii-ner" in out and "route-deferral" in out and "signed by pool key" in out

    board_models = tmp_path / "board-models"
    board = {**host, "TANDEM_MODELS_DIR": str(board_models), "TANDEM_KEYS_DIR": str(board_keys),
             "TANDEM_DEVICE_ID": "pi"}
    code, out, err = _run(board, "model", "import", str(bundle))
    assert code == 0, err
    assert out.startswith("installed ")
    # the device finds every model where it looks, with the same bytes
    found = device_model_dirs(board_models, "tiny")
    assert set(found) == set(device_model_dirs(host_models, "tiny"))
    for name, paths in found.items():
        for path in paths:
            assert path.exists() and not path.is_symlink(), name
    onnx = next(p for p in found["tiny"][0].iterdir() if p.suffix == ".onnx")
    assert onnx.read_bytes() == (host_models / "tiny" / onnx.parent.parent.name / "fp32" / onnx.name).read_bytes()
    code, _, err = _run(board, "model", "import", str(bundle))  # again: the same files, nothing to replace
    assert code == 0, err


def _bundle(tmp_path: Path, pool: PoolKeys, files: dict[str, bytes]) -> Path:
    models = tmp_path / "src"
    for rel, data in files.items():
        (models / rel).parent.mkdir(parents=True, exist_ok=True)
        (models / rel).write_bytes(data)
    units = {"m": [models / "m"]}
    return export_bundle(models, units, tmp_path / "b.tar", pool.ed25519.sign, pool.key_id).path


@pytest.fixture
def keys(tmp_path: Path) -> tuple[PoolKeys, DeviceKeys]:
    init_keys(tmp_path / "keys", "dev")
    return PoolKeys.load(tmp_path / "keys"), DeviceKeys.load(tmp_path / "keys", "dev")


def _rewrite(bundle: Path, change: dict[str, bytes | None], extra: list[tarfile.TarInfo] | None = None) -> Path:
    """A copy of `bundle` with members replaced (None: dropped) and `extra` members added."""
    out = bundle.with_name("changed.tar")
    with tarfile.open(bundle) as src, tarfile.open(out, "w") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name in change:
                if change[member.name] is None:
                    continue
                data = change[member.name]  # type: ignore[assignment]
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
        for info in extra or []:
            dst.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
    return out


def test_what_is_refused_installs_nothing(tmp_path: Path, keys: tuple[PoolKeys, DeviceKeys]) -> None:
    pool, device = keys
    bundle = _bundle(tmp_path, pool, {"m/k/model.onnx": b"weights" * 100, "m/k/manifest.json": b"{}"})
    target = tmp_path / "models"
    verify = pinned_verifier(device.pool.ed25519)

    def refused(path: Path, match: str) -> None:
        with pytest.raises(BundleError, match=match):
            import_bundle(path, target, verify)
        assert not any(p.is_file() for p in target.rglob("*")) if target.exists() else True

    refused(_rewrite(bundle, {"files/m/k/model.onnx": b"WEIGHTS" * 100}), "sha256")
    with tarfile.open(bundle) as tar:
        manifest = json.loads(tar.extractfile("bundle.json").read())  # type: ignore[union-attr]
    manifest["files"][0]["sha256"] = hashlib.sha256(b"other").hexdigest()
    refused(_rewrite(bundle, {"bundle.json": json.dumps(manifest).encode()}), "signature")
    refused(_rewrite(bundle, {"files/m/k/manifest.json": None}), "missing")
    evil = tarfile.TarInfo("files/../../escape")
    evil.size = 1
    refused(_rewrite(bundle, {}, [evil]), "unsafe|not list")
    link = tarfile.TarInfo("files/m/k/link")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    refused(_rewrite(bundle, {}, [link]), "link")
    # another pool's bundle
    init_keys(tmp_path / "other", "dev")
    other = PoolKeys.load(tmp_path / "other")
    refused(_bundle(tmp_path / "o", other, {"m/k/model.onnx": b"weights"}), "signature")
    # and the genuine one installs
    done = import_bundle(bundle, target, verify)
    assert done.files == 2 and (target / "m" / "k" / "model.onnx").read_bytes() == b"weights" * 100
    # a different file already there is kept unless --replace
    (target / "m" / "k" / "manifest.json").write_bytes(b'{"local": true}')
    with pytest.raises(BundleError, match="--replace"):
        import_bundle(bundle, target, verify)
    import_bundle(bundle, target, verify, replace=True)
    assert (target / "m" / "k" / "manifest.json").read_bytes() == b"{}"
    assert not [p for p in target.iterdir() if p.name.startswith(".import-")]  # no staging left behind
    assert DOMAIN.startswith(b"tandem model bundle") and os.access(target, os.W_OK)
