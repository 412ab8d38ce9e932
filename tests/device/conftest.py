"""The real PII NER model for `real_model` tests: found in the model cache, or built there once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import real_models_dir


@pytest.fixture(scope="session")
def ner_model_dir() -> Path:
    from quantize.ner.build import build_ner

    return build_ner(real_models_dir(), progress=False)
