"""Every face redacts with the name model; a device that cannot have it holds every step."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.assembly.redaction_setup import NO_NER_HOLD, device_policy, device_redactor, ner_model_dir
from tandem.settings import RedactionSettings, Settings
from tests.tandem.tiny_layout import real_ner_dir


def test_the_built_model_is_found_and_loaded(tmp_path: Path) -> None:
    models = tmp_path / "models"
    ner = real_ner_dir()
    (models / ner.parent.name).mkdir(parents=True)
    (models / ner.parent.name / ner.name).symlink_to(ner, target_is_directory=True)
    settings = Settings(models_dir=models)
    found = ner_model_dir(settings)
    assert found is not None and found.name == ner.name
    redactor = device_redactor(settings, found)
    assert redactor.redact("Please write to Ingrid Svensson about the meeting.").text == (
        "Please write to <PERSON_1> about the meeting.")
    assert device_policy(settings, has_ner=True).check("Explain tides.").escalate


def test_ner_off_means_rules_only_and_a_policy_that_holds_everything(tmp_path: Path) -> None:
    settings = Settings(models_dir=tmp_path / "models", redaction=RedactionSettings(ner="off"))
    assert ner_model_dir(settings) is None
    assert device_redactor(settings, None).ner is None
    verdict = device_policy(settings, has_ner=False).check("Explain tides.")
    assert not verdict.escalate and verdict.reason == NO_NER_HOLD and "tandem model train-ner" in NO_NER_HOLD


def test_auto_without_build_tools_holds_instead_of_failing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_quantize(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("quantize.ner"):
            raise ImportError(name="torch")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_quantize)
    assert ner_model_dir(Settings(models_dir=tmp_path / "empty")) is None
    from tandem.assembly.runtime import SetupError

    with pytest.raises(SetupError, match="build tools are missing"):
        ner_model_dir(Settings(models_dir=tmp_path / "empty", redaction=RedactionSettings(ner="build")))
