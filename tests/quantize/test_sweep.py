"""`tandem model sweep`: more variants scored against fp32 without changing what a model ships."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quantize import sweep
from quantize.quality import agreement_floor
from quantize.tiny import make_tiny_hf


def test_sweep_scores_each_variant_lists_skips_and_reruns_from_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "tiny-sweep"
    make_tiny_hf(src)
    cache = tmp_path / "models"
    monkeypatch.setattr(sweep, "cuda_available", lambda: False)

    out = sweep.sweep_variants(str(src), cache, ("int8", "int4-b64-sym", "fp16"), progress=False)

    report = json.loads((out / "quality.json").read_text())
    variants = report["variants"]
    assert report["chosen"] is None and list(variants) == ["fp32", "int8", "int4-b64-sym", "fp16"]
    assert variants["fp16"]["skipped"] and "CUDA" in variants["fp16"]["reason"]
    for v in ("int8", "int4-b64-sym"):
        r = variants[v]
        assert 0.0 <= r["top1_agreement"] <= 1.0 and r["file_mb"] > 0
        assert r["accepted"] == (r["top1_agreement"] >= agreement_floor())
    assert variants["fp32"]["top1_agreement"] == 1.0
    assert "block 64 symmetric" in variants["int4-b64-sym"]["description"]
    assert "| fp16 | not measured: fp16 graphs target the CUDA" in (out / "quality.md").read_text()
    root = out.parent
    assert not (root / "default").exists()  # a sweep ships nothing
    assert not any((root / v).exists() for v in ("fp32", "int8", "int4-b64-sym"))  # scores kept, dirs not

    # a re-run builds nothing again: every score is on disk (sizes too, although the dirs are gone)
    monkeypatch.setattr(sweep, "make_gqa_dir", lambda *a, **k: pytest.fail("rebuilt a scored variant"))
    again = json.loads((sweep.sweep_variants(str(src), cache, ("int8", "int4-b64-sym", "fp16"), progress=False)
                        / "quality.json").read_text())["variants"]
    assert again["int8"]["file_mb"] == variants["int8"]["file_mb"]
    assert again["int4-b64-sym"]["top1_agreement"] == variants["int4-b64-sym"]["top1_agreement"]
