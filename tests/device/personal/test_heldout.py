"""Requests the rules were not written against (data/heldout_when.tsv, written by hand after
when.py was done, English and German): due times and lengths found inside whole sentences.

Scored once before any change: 43 of 44 (the miss: German "Viertelstunde", now a unit). Keep
adding lines here as new phrasings turn up, and report a first score before fixing them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from device.personal.when import find_duration, find_when
from tests.device.personal.conftest import ZURICH

NOW = datetime(2025, 6, 11, 14, 20, tzinfo=ZURICH)
DATA = Path(__file__).parent / "data" / "heldout_when.tsv"


def _cases() -> list[tuple[str, str, str]]:
    rows = [line.split("\t") for line in DATA.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert all(len(r) == 3 for r in rows), "each line: kind<TAB>text<TAB>expected"
    return [(r[0], r[1], r[2]) for r in rows]


@pytest.mark.parametrize(("kind", "text", "expected"), _cases())
def test_heldout(kind: str, text: str, expected: str) -> None:
    if kind == "find_when":
        found = find_when(text, NOW)
        got = "none" if found is None else found.due.isoformat()
    else:
        assert kind == "find_duration"
        match = find_duration(text)
        got = "none" if match is None else str(match.seconds)
    assert got == expected
