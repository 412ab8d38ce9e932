"""`build_intent` around its training child: the manifest, the log, the lock file, and a second call finds it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from device.tools.parsers.learned import MODEL_NAME, find_intent_model
from quantize.build_lock import lock_path
from quantize.build_log import build_log_path


def test_an_intent_build_writes_its_manifest_and_log_and_is_found_next_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    from quantize.intent import build

    def trained(module: str, args: list[str], **kw: object) -> dict[str, object]:
        # what the training child leaves behind, without its minutes
        work = Path(args[1])
        (work / "model.onnx").write_bytes(b"an int8 graph")
        (work / "manifest.json").write_text("{}")  # its provisional manifest, replaced by the real one
        return {"train_s": 1.0, "classes": ["none", "HassTurnOn"], "tags": ["O", "B-name", "I-name"],
                "here_classes": [], "intent_slots": {"HassClimateSetTemperature": ["temperature_unit"]},
                "heldout": {"all": {"n": 10, "intent": 0.9, "exact": 0.8}}}

    monkeypatch.setattr(build, "run_child", trained)
    models = tmp_path / "models"
    out = build.build_intent(models, progress=True)

    manifest = json.loads((out / "manifest.json").read_text())
    assert out.parent == models / MODEL_NAME and manifest["key"] == out.name
    assert manifest["classes"] == ["none", "HassTurnOn"] and manifest["tags"] == ["O", "B-name", "I-name"]
    assert set(manifest["files"]) == {"model.onnx", "tokenizer.json"} and manifest["training"] == {"train_s": 1.0}
    assert manifest["heldout"]["all"]["exact"] == 0.8
    assert manifest["value_maps"]["device_class"]["blinds"] == "blind"
    assert manifest["name_domains"]["HassLightSet"] == ["light"]  # what each intent may name, for the device
    # the slots each intent takes: Home Assistant's catalogue, and what its templates fill that it misses
    assert {"area", "name", "temperature", "temperature_unit"} <= set(manifest["intent_slots"]["HassClimateSetTemperature"])
    assert "item" not in manifest["intent_slots"]["HassVacuumStart"]
    log = build_log_path(models, MODEL_NAME)
    assert capfd.readouterr().err == f"[tandem.quantize] building {MODEL_NAME} ({out.name}); its log: {log}\n"
    assert lock_path(out).is_file() and not out.with_name(out.name + ".work").exists()
    assert find_intent_model(models) == out

    monkeypatch.setattr(build, "run_child", lambda *a, **k: pytest.fail("built again although it was built"))
    assert build.build_intent(models, progress=True) == out
    assert capfd.readouterr().err == ""


def test_the_key_changes_with_the_recipe() -> None:
    from dataclasses import replace

    from quantize.intent.build import recipe_key
    from quantize.intent.train import Recipe

    assert recipe_key(Recipe(), "w") == recipe_key(Recipe(), "w")
    assert recipe_key(Recipe(), "w") != recipe_key(replace(Recipe(), seed=7), "w")
    assert recipe_key(Recipe(), "w") != recipe_key(Recipe(), "other weights")
