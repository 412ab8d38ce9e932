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
    from quantize.sensitive.train import Recipe

    thresholds = dict.fromkeys(CATEGORIES, 0.45)

    def trained(base: Path, work: Path, recipe: Recipe, progress: bool, build_log: Path) -> dict[str, object]:
        # what the training child leaves behind, without its three minutes
        (work / "model.onnx").write_bytes(b"an int8 graph")
        for i in range(2, recipe.members + 1):
            (work / f"model-{i}.onnx").write_bytes(b"another member's graph")
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
    members = ["model.onnx"] + [f"model-{i}.onnx" for i in range(2, Recipe().members + 1)]
    assert Recipe().members == 3 and set(manifest["files"]) == {*members, "tokenizer.json"}
    assert manifest["training"] == {"train_s": 1.0}
    assert manifest["onnx_file"] == "model.onnx" and manifest["onnx_files"] == members
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


def test_training_runs_in_bf16_only_where_the_cpu_has_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from quantize.sensitive import train
    from quantize.sensitive.build import recipe_key

    cpuinfo = tmp_path / "cpuinfo"
    monkeypatch.setattr(train, "CPUINFO", cpuinfo)
    monkeypatch.setattr(train.platform, "machine", lambda: "x86_64")
    cpuinfo.write_text("flags\t\t: fpu sse2 avx2 avx512f avx512bw\n")  # no native bf16: emulated is slower
    assert train.train_dtype(train.Recipe()) == "fp32"
    fp32_key = recipe_key(train.Recipe(), "w")
    cpuinfo.write_text("flags\t\t: fpu sse2 avx2 avx512f avx512_bf16\n")
    assert train.train_dtype(train.Recipe()) == "bf16"
    assert train.train_dtype(replace(train.Recipe(), mixed_precision="fp32")) == "fp32"
    assert recipe_key(train.Recipe(), "w") != fp32_key  # a bf16 build is another model than an fp32 one
    monkeypatch.setattr(train.platform, "machine", lambda: "aarch64")
    assert train.train_dtype(train.Recipe()) == "fp32"
    cpuinfo.unlink()
    monkeypatch.setattr(train.platform, "machine", lambda: "x86_64")
    assert train.train_dtype(train.Recipe()) == "fp32"  # no /proc/cpuinfo to read: the safe path
    with pytest.raises(ValueError, match="mixed_precision"):
        train.train_dtype(replace(train.Recipe(), mixed_precision="fp16"))
