"""The public-figures scorer counts a leak and a kept placeholder as wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.eval.public_figures import score


def test_scorer_counts_leaks_and_kept_placeholders(tmp_path: Path) -> None:
    data = {"contacts": ["Anna Keller"], "items": [
        {"text": "When was Marie Curie born?", "public": True, "split": "t"},
        {"text": "Remind Anna Keller about Friday.", "public": False, "split": "t"}]}
    path = tmp_path / "set.json"
    path.write_text(json.dumps(data))

    def redact_nothing(text: str, vault: Any) -> str:
        return text

    def redact_all(text: str, vault: Any) -> str:
        for name in ("Marie Curie", "Anna Keller"):
            if name in text:
                text = text.replace(name, vault.placeholder_for("PERSON", name))
        return text

    leaky = score(redact_nothing, "t", path).as_dict()
    assert leaky["public_right"] == 1.0 and leaky["personal_right"] == 0.0  # Anna Keller left unredacted
    right = score(redact_all, "t", path).as_dict()
    assert right["public_right"] == 1.0 and right["personal_right"] == 1.0
