"""Put the suite's tiny model where `find_built` looks, so CLI tests can name it like a real model.

Every face redacts with the PII name/address model, tags sensitive context with its classifier and
parses commands with the learned parser, so the layout links the real ones too (from the model cache the suite shares; built there once, under the
build lock, if missing)."""

from __future__ import annotations

from pathlib import Path

from quantize.build_layout import DEFAULT_FILE, PIPELINE_VERSION


def models_dir_with_tiny(tiny_model: Path, root: Path, name: str = "tiny") -> Path:
    build = root / name / f"000000000000-p{PIPELINE_VERSION}"
    build.mkdir(parents=True)
    (build / "fp32").symlink_to(tiny_model, target_is_directory=True)
    (build / DEFAULT_FILE).write_text("fp32\n")
    for model in (real_ner_dir(), real_sensitive_dir(), real_intent_dir()):
        (root / model.parent.name).mkdir(exist_ok=True)
        (root / model.parent.name / model.name).symlink_to(model, target_is_directory=True)
    return root


def real_sensitive_dir() -> Path:
    from device.redaction.sensitive import find_built
    from quantize.sensitive.build import build_sensitive
    from tests.conftest import real_models_dir

    return find_built(real_models_dir()) or build_sensitive(real_models_dir(), progress=False)


def real_ner_dir() -> Path:
    from device.redaction.ner import find_ner_model
    from quantize.ner.build import build_ner
    from tests.conftest import real_models_dir

    return find_ner_model(real_models_dir()) or build_ner(real_models_dir(), progress=False)


def real_intent_dir() -> Path:
    from device.tools.parsers.learned import find_intent_model
    from quantize.intent.build import build_intent
    from tests.conftest import real_models_dir

    return find_intent_model(real_models_dir()) or build_intent(real_models_dir(), progress=False)
