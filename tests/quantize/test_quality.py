"""Quality reports on the tiny builder graph: a sound variant is accepted, a broken one refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from quantize.errors import QuantizeError, VariantRefused
from quantize.gqa import parse_variant
from quantize.quality import check_floor, evaluate_model, make_report, write_reports

PARITY = {"matched": 0, "checked": 0, "reference": "none (tiny)"}


def _scores(model_dir: Path, tmp_path: Path, name: str) -> dict:
    out = tmp_path / f"{name}.json"
    evaluate_model(str(model_dir), str(out))
    return json.loads(out.read_text())


def _wrong_tokenizer_variant(model_dir: Path, tmp_path: Path) -> Path:
    """A copy whose tokenizer lost its merges (text falls apart into single bytes)."""
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    data = json.loads((broken / "tokenizer.json").read_text())
    data["model"]["merges"] = []
    (broken / "tokenizer.json").write_text(json.dumps(data))
    return broken


def test_reference_is_accepted_and_reports_are_written(tiny_gqa_model: Path, tmp_path: Path) -> None:
    ref = _scores(tiny_gqa_model, tmp_path, "fp32")
    report = make_report("fp32", ref, None, file_mb=1.0, parity=PARITY, description="reference")
    assert report["top1_agreement"] == 1.0 and report["accepted"] and report["same_tokenization_as_fp32"]
    assert report["perplexity"] > 1.0 and report["decode_tok_s"] > 0 and report["prefill_ms"] > 0
    check_floor(report)
    write_reports(tmp_path, "tiny", {"fp32": report}, "fp32")
    assert json.loads((tmp_path / "quality.json").read_text())["chosen"] == "fp32"
    assert "| fp32 (chosen) |" in (tmp_path / "quality.md").read_text()


def test_wrong_tokenizer_variant_is_refused(tiny_gqa_model: Path, tmp_path: Path) -> None:
    ref = _scores(tiny_gqa_model, tmp_path, "fp32")
    bad = _scores(_wrong_tokenizer_variant(tiny_gqa_model, tmp_path), tmp_path, "broken")
    report = make_report("broken", bad, ref, file_mb=1.0, parity=PARITY, description="wrong tokenizer")
    assert not report["accepted"] and not report["same_tokenization_as_fp32"]
    with pytest.raises(VariantRefused, match="below the floor"):
        check_floor(report)


def test_variant_names() -> None:
    spec = parse_variant("int4-b64-sym-emb8")
    assert (spec.precision, spec.block_size, spec.symmetric, spec.emb8) == ("int4", 64, True, True)
    assert "block_size=64" in spec.extra_options() and "is_symmetric=true" in spec.extra_options()
    assert parse_variant("fp16").execution_provider == "cuda"
    assert "prune_lm_head=true" in parse_variant("int8").extra_options()
    head4 = parse_variant("int8-head4-kq")
    assert (head4.precision, head4.head4, head4.kquant) == ("int8", True, True)
    assert {"matmul_mixed_precision=last_matmul:int4", "shared_embeddings=false",
            "algo_config=k_quant"} <= set(head4.extra_options())
    assert "algo_config=k_quant" in parse_variant("int4-b128-sym-kq").extra_options()
    assert "shared_embeddings=false" in parse_variant("int4-kq").extra_options()  # the builder's 4-bit head bug
    assert "algo_config=k_quant" not in parse_variant("int4").extra_options()
    for bad in ("int3", "int8-kq", "int4-kq-sym"):
        with pytest.raises(QuantizeError, match="unknown variant"):
            parse_variant(bad)
