"""`build_ner` around its training child: the manifest, the log, the lock file, and a second call finds it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quantize.build_lock import lock_path
from quantize.build_log import build_log_path


def test_a_ner_build_writes_its_manifest_and_log_and_is_found_next_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    from quantize.ner import build

    def trained(base: Path, work: Path, recipe: object, progress: bool, build_log: Path) -> dict[str, float]:
        # what the training child leaves behind, without its 90 s
        (work / "model.onnx").write_bytes(b"an int8 graph")
        return {"train_s": 1.0}

    monkeypatch.setattr(build, "_run_child", trained)
    models = tmp_path / "models"
    out = build.build_ner(models, progress=True)

    manifest = json.loads((out / "manifest.json").read_text())
    assert out.parent == models / "pii-ner" and manifest["key"] == out.name
    assert set(manifest["files"]) == {"model.onnx", "tokenizer.json"} and manifest["training"] == {"train_s": 1.0}
    log = build_log_path(models, "pii-ner")
    assert capfd.readouterr().err == f"[tandem.quantize] building pii-ner ({out.name}); its log: {log}\n"
    assert log.read_text().startswith(f"== build of pii-ner ({out.name}) into {out} ")
    assert lock_path(out).is_file() and not out.with_name(out.name + ".work").exists()

    monkeypatch.setattr(build, "_run_child", lambda *a: pytest.fail("built again although it was built"))
    assert build.build_ner(models, progress=True) == out
    assert capfd.readouterr().err == ""
