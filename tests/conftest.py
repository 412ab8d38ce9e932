"""Shared fixtures: a real Mosquitto broker, key sets, the tiny model, the real default models."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tandem.broker import BrokerProcess, mosquitto_path, start_broker
from tandem.settings import Settings


@pytest.fixture(autouse=True)
def _state_dir_under_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """State (the device's escalation spool) goes under the test's temp dir, never the home dir."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture(scope="session")
def mosquitto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    """One Mosquitto for the session, on a free loopback port."""
    if mosquitto_path() is None:
        pytest.fail("mosquitto is not installed: run scripts/setup (apt-get install mosquitto)")
    broker = start_broker(workdir=tmp_path_factory.mktemp("mosquitto"))
    yield broker
    broker.stop()


@pytest.fixture
def own_mosquitto(tmp_path: Path) -> Iterator[BrokerProcess]:
    """A broker this test may stop and restart."""
    broker = start_broker(workdir=tmp_path / "broker")
    yield broker
    broker.stop()


@pytest.fixture
def keys_root(tmp_path: Path) -> Path:
    from protocol.keys import init_keys

    root = tmp_path / "keys"
    init_keys(root, "dev-a")
    return root


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seconds-to-build random Llama with a ChatML tokenizer, through the real export path."""
    from quantize.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


def real_models_dir() -> Path:
    """The model cache `real_model` tests build into and read from (`TANDEM_MODELS_DIR`, else the
    settings' default): shared with tests/device/conftest.py, hence public."""
    return Path(os.environ.get("TANDEM_MODELS_DIR") or Settings().models_dir)


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing at the real model cache (scripts/test builds the models first)."""
    return Settings(models_dir=real_models_dir(), keys_dir=tmp_path_factory.mktemp("keys"), device_id="dev-real")


@pytest.fixture(scope="session")
def device_model_dir(real_settings: Settings) -> Path:
    from tandem.assembly.runtime import model_dir

    return model_dir(real_settings.device_model, real_settings, progress=False)


@pytest.fixture(scope="session")
def cloud_model_dir(real_settings: Settings) -> Path:
    from tandem.assembly.runtime import model_dir

    return model_dir(real_settings.cloud_model, real_settings, progress=False)


@pytest.fixture(scope="session")
def tiny_gqa_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same tiny Llama as an onnxruntime-genai builder graph (GroupQueryAttention, shared KV), fp32."""
    from quantize.tiny import build_tiny_gqa_model

    return build_tiny_gqa_model(tmp_path_factory.mktemp("tiny-gqa"))


@pytest.fixture
def echo_pool(mosquitto: BrokerProcess, keys_root: Path) -> Iterator[object]:
    """A real worker with the echo backend on the session broker: it returns what it was sent.
    Yielded once it has announced itself online (it subscribes before it announces)."""
    import threading
    import time

    from cloud.backends.echo import EchoBackend
    from cloud.worker import Worker
    from tandem.assembly.runtime import workers_online

    worker = Worker(broker_url=mosquitto.url, keys_root=keys_root, backend=EchoBackend())
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while worker.worker_id not in workers_online(mosquitto.url, 0.2):
        if time.monotonic() > deadline:
            raise AssertionError("the echo worker did not come online")
    yield worker
    stop.set()
    thread.join(10)


@pytest.fixture(scope="session")
def postgres() -> Iterator[object]:
    """A real PostgreSQL server for the session (`tests.postgres_server`); skipped where none is installed."""
    from tests import postgres_server

    why = postgres_server.available()
    if why is not None:
        pytest.skip(why)
    server = postgres_server.start()
    yield server
    server.stop()
