"""Key custody: a device holds the pool's private keys only when it also runs the pool. `ensure_keys`
(every face's first step) creates the device's own pairs and nothing of the pool's; the local pool that
`demo`, `chat --autostart` and `ask` start (`ensure_infra`) creates the pool's keys, enrols the device and
pins the pool, and says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from protocol.errors import KeyStoreError
from protocol.keys import DeviceKeys, pool_dir
from tandem.assembly.runtime import ensure_infra, ensure_keys, workers_online
from tandem.broker import BrokerProcess
from tandem.settings import Settings


def _settings(tmp_path: Path, broker_url: str = "mqtt://127.0.0.1:1") -> Settings:
    return Settings(keys_dir=tmp_path / "keys", device_id="custody-dev", broker_url=broker_url,
                    worker_backend="echo", models_dir=tmp_path / "models")


def test_a_device_creates_its_own_keys_and_never_the_pool_s(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ensure_keys(settings)
    device = settings.keys_dir / "device" / "custody-dev"
    assert (device / "ed25519.key").exists() and (device / "x25519.key").exists()
    assert not (pool_dir(settings.keys_dir) / "ed25519.key").exists()
    assert not (pool_dir(settings.keys_dir) / "x25519.key").exists()
    with pytest.raises(KeyStoreError, match="not enrolled with a worker pool.*tandem keys pin"):
        DeviceKeys.load(settings.keys_dir, "custody-dev")
    ensure_keys(settings)  # again: the same keys, still no pool
    assert not pool_dir(settings.keys_dir).joinpath("ed25519.key").exists()


def test_the_local_pool_started_here_brings_its_keys_and_says_so(tmp_path: Path, mosquitto: BrokerProcess) -> None:
    settings = _settings(tmp_path, mosquitto.url)
    ensure_keys(settings)
    infra = ensure_infra(settings)
    try:
        assert infra.worker is not None and workers_online(mosquitto.url)
        assert any("created the local worker pool's keys" in note for note in infra.notes)
        keys = DeviceKeys.load(settings.keys_dir, "custody-dev")  # enrolled and pinned
        assert keys.pool.key_id
    finally:
        infra.stop()
    again = ensure_infra(settings)  # the keys exist now: nothing to announce
    try:
        assert not any("created the local worker pool's keys" in note for note in again.notes)
    finally:
        again.stop()
