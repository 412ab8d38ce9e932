"""The file format of the shipped glossaries (``data/gloss_<lang>.tsv``, ``data/jargon.tsv``):
`source<TAB>target` lines; blank lines, `#` comments and lines without a tab are skipped."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources


def read_data(name: str) -> str:
    """The text of ``device/redaction/data/<name>``."""
    return resources.files("device.redaction").joinpath("data", name).read_text(encoding="utf-8")


def pairs(text: str) -> Iterator[tuple[str, str]]:
    """Each entry line's (source with its runs of whitespace made one space, target stripped), in order;
    either may be empty."""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        source, target = line.split("\t", 1)
        yield " ".join(source.split()), target.strip()
