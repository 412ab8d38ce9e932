"""The `llamacpp` backend: SmolLM2's GGUF run in-process, streamed chunk by chunk."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloud.backends import make_backend
from cloud.config import LlamaCppOptions
from cloud.errors import BackendConfigError
from protocol.messages import SubTask
from tests.cloud.conftest import smollm2_gguf


def test_streams_from_a_gguf_in_process() -> None:
    backend = make_backend("llamacpp", gguf=smollm2_gguf(), options=LlamaCppOptions(n_ctx=512, threads=2),
                           model_name="smollm2-135m-instruct")
    chunks = list(backend.generate(SubTask(prompt="Say hello.", max_tokens=3)))
    assert len(chunks) >= 2 and "".join(chunks).strip()
    assert backend.last_tokens == 3
    assert backend.model == "smollm2-135m-instruct"


def test_a_missing_gguf_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(BackendConfigError, match="does not exist"):
        make_backend("llamacpp", gguf=tmp_path / "nope.gguf")
