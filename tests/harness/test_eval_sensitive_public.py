"""The public-text check of `tandem eval redact`'s sensitive figures: the share of GSM8K word problems flagged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.eval.sensitive import GSM8K, public_flags


def test_public_flags_count_the_questions_tagged_with_anything(tmp_path: Path) -> None:
    path = tmp_path / "test.jsonl"
    rows = [{"question": q, "answer": "1"} for q in ("Ann owes Ben $5. How much?", "Tom walks 3 miles.", "x")]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    seen: list[tuple[str, str]] = []

    def classify(redacted: str, text: str) -> tuple[str, ...]:
        seen.append((redacted, text))
        return ("finances",) if "owes" in text else ()

    out = public_flags(classify, lambda t: t.replace("Ann", "<PERSON_1>"), path, n=2)
    assert out == {"set": "gsm8k/test.jsonl", "n": 2, "flagged": 0.5}
    assert seen[0] == ("<PERSON_1> owes Ben $5. How much?", "Ann owes Ben $5. How much?")  # redacted beside as written
    assert public_flags(classify, str, tmp_path / "missing.jsonl") is None


def test_the_public_set_is_the_shared_gsm8k_file() -> None:
    assert GSM8K.parts[-4:] == ("shared", "data", "gsm8k", "test.jsonl")
    if not GSM8K.parent.parent.is_dir():
        pytest.skip("no ../shared/data beside this checkout: the public figure is left out (None)")
    assert GSM8K.is_file()
