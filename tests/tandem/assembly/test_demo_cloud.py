"""`tandem demo` picks the 1.5B llama.cpp cloud model when installed, the ONNX 0.5B otherwise."""

from __future__ import annotations

import pytest

from tandem.assembly import demo_cloud
from tandem.settings import Settings


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("TANDEM_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("TANDEM_WORKER_BACKEND", raising=False)


def test_installed_1_5b_runs_on_llamacpp(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_cloud, "llamacpp_model_installed", lambda name=demo_cloud.DEMO_GGUF: True)
    s = demo_cloud.demo_settings(Settings())
    assert s.worker_backend == "llamacpp" and s.worker.llamacpp.model == "qwen2.5-coder-1.5b-instruct"


def test_without_it_the_onnx_0_5b(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_cloud, "llamacpp_model_installed", lambda name=demo_cloud.DEMO_GGUF: False)
    s = demo_cloud.demo_settings(Settings())
    assert s.worker_backend == "onnx" and s.cloud_model == "qwen2.5-coder-0.5b-instruct"


def test_an_explicit_backend_is_kept(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_cloud, "llamacpp_model_installed", lambda name=demo_cloud.DEMO_GGUF: True)
    monkeypatch.setenv("TANDEM_WORKER_BACKEND", "onnx")
    assert demo_cloud.demo_settings(Settings()).worker_backend == "onnx"


def test_no_llama_cpp_binding_means_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "xllamacpp" else real(name, *a))
    assert not demo_cloud.llamacpp_model_installed()
