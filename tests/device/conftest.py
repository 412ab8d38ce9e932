"""The real PII NER model and sensitive-context classifier for `real_model` tests: found in the model
cache, or built there once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import real_models_dir


@pytest.fixture(scope="session")
def ner_model_dir() -> Path:
    from quantize.ner.build import build_ner

    return build_ner(real_models_dir(), progress=False)


@pytest.fixture(scope="session")
def sensitive_model_dir() -> Path:
    """The real sensitive-context classifier: found in the model cache, or built there once (~3 min)."""
    from quantize.sensitive.build import build_sensitive

    return build_sensitive(real_models_dir(), progress=False)


@pytest.fixture(scope="session")
def intent_model_dir() -> Path:
    """The real learned command parser: found in the model cache, or built there once (~3 min)."""
    from quantize.intent.build import build_intent

    return build_intent(real_models_dir(), progress=False)
