"""`build_sensitive` around its training child: the manifest, the log, the lock file, and a second call finds it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from device.redaction.sensitive import CATEGORIES, MODEL_NAME, find_built
from quantize.build_lock import lock_path
from quantize.build_log import build_log_path


def test_a_sensitive_build_writes_its_manifest_and_log_and_is_found_next_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    from quantize.sensitive import build

    thresholds = dict.fromkeys(CATEGORIES, 0.45)

    def trained(base: Path, work: Path, recipe: object, progress: bool, build_log: Path) -> dict[str, object]:
        # what the training child leaves behind, without its three minutes
        (work / "model.onnx").write_bytes(b"an int8 graph")
        (work / "model-2.onnx").write_bytes(b"the second member's graph")
        (work / "trained-1").mkdir()  # the second member's torch weights, which the build removes
        (work / "model-fp32-1.onnx").write_bytes(b"an fp32 graph, removed too")
        (work / "manifest.json").write_text("{}")  # its provisional manifest, replaced by the real one
        return {"train_s": 1.0, "thresholds": thresholds, "calibration": {"recall": 0.97, "false_flags": 0.01}}

    monkeypatch.setattr(build, "_run_child", trained)
    models = tmp_path / "models"
    out = build.build_sensitive(models, progress=True)

    manifest = json.loads((out / "manifest.json").read_text())
    assert out.parent == models / MODEL_NAME and manifest["key"] == out.name
    assert manifest["categories"] == list(CATEGORIES) and manifest["thresholds"] == thresholds
    assert set(manifest["files"]) == {"model.onnx", "model-2.onnx", "tokenizer.json"}
    assert manifest["training"] == {"train_s": 1.0}
    assert manifest["onnx_file"] == "model.onnx" and manifest["onnx_files"] == ["model.onnx", "model-2.onnx"]
    assert manifest["calibration"]["recall"] == 0.97
    log = build_log_path(models, MODEL_NAME)
    assert capfd.readouterr().err == f"[tandem.quantize] building {MODEL_NAME} ({out.name}); its log: {log}\n"
    assert log.read_text().startswith(f"== build of {MODEL_NAME} ({out.name}) into {out} ")
    assert lock_path(out).is_file() and not out.with_name(out.name + ".work").exists()
    assert find_built(models) == out

    monkeypatch.setattr(build, "_run_child", lambda *a: pytest.fail("built again although it was built"))
    assert build.build_sensitive(models, progress=True) == out
    assert capfd.readouterr().err == ""


def test_the_key_changes_with_the_recipe() -> None:
    from dataclasses import replace

    from quantize.sensitive.build import recipe_key
    from quantize.sensitive.train import Recipe

    assert recipe_key(Recipe(), "w") == recipe_key(Recipe(), "w")
    assert recipe_key(Recipe(), "w") != recipe_key(replace(Recipe(), seed=7), "w")
    assert recipe_key(Recipe(), "w") != recipe_key(Recipe(), "other weights")
