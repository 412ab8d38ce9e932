"""`quantize.locate`: what counts as built (a default that points at a dir with a manifest)."""

from __future__ import annotations

from pathlib import Path

from quantize.build_layout import DEFAULT_FILE, MANIFEST_FILE, PIPELINE_VERSION
from quantize.locate import built_names, find_built


def _build(models: Path, name: str, digest: str, precision: str, *, manifest: bool = True) -> Path:
    root = models / name / f"{digest}-p{PIPELINE_VERSION}"
    (root / precision).mkdir(parents=True)
    (root / DEFAULT_FILE).write_text(precision + "\n")
    if manifest:
        (root / precision / MANIFEST_FILE).write_text("{}")
    return root / precision


def test_built_names_lists_only_finished_builds(tmp_path: Path) -> None:
    done = _build(tmp_path, "my-model", "a" * 12, "int8")
    _build(tmp_path, "half-built", "b" * 12, "int8", manifest=False)
    (tmp_path / "_gguf").mkdir()  # the GGUF cache is no model
    (tmp_path / "pii-ner").mkdir()  # another pipeline's output, no default
    old = tmp_path / "stale" / f"{'c' * 12}-p{PIPELINE_VERSION - 1}" / "int8"
    old.mkdir(parents=True)
    (old / MANIFEST_FILE).write_text("{}")
    (old.parent / DEFAULT_FILE).write_text("int8\n")  # an older pipeline version is not loadable
    assert built_names(tmp_path) == ["my-model"]
    assert find_built("my-model", tmp_path) == done
    assert built_names(tmp_path / "missing") == []
