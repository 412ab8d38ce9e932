"""A Hugging Face checkpoint dir builds end to end: genai builder graph, quality report, loadable by name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from quantize import build
from quantize.hf_tokenizer import hf_tokenizer_info, leading_special
from quantize.local_sources import dir_sha256
from quantize.manifest import read_manifest
from quantize.tiny import make_tiny_hf
from quantize.tokenizer_fix import CHATML_END, CHATML_START

QWEN_LIKE_TEMPLATE = (
    "{%- if messages[0].role != 'system' %}<|im_start|>system\nYou are a tiny helper.<|im_end|>\n{%- endif %}"
    "{%- for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{%- endfor %}"
)


@pytest.fixture(scope="module")
def tiny_hf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The suite's seeded tiny Llama saved as a plain transformers checkpoint (no GGUF anywhere)."""
    hf_dir = tmp_path_factory.mktemp("src") / "Tiny Chat-Model"
    make_tiny_hf(hf_dir)
    return hf_dir


def test_tokenizer_facts_come_from_the_checkpoint(tiny_hf: Path, tmp_path: Path) -> None:
    info = hf_tokenizer_info(str(tiny_hf))
    vocab = json.loads((tiny_hf / "tokenizer.json").read_text())["added_tokens"]
    ids = {t["content"]: t["id"] for t in vocab}
    assert info["chat_format"] == "chatml" and info["bos_token_id"] is None
    assert info["eos_token_ids"] == [ids[CHATML_END], ids["<|endoftext|>"]]
    assert info["context_length"] == 256 and info["default_system"] is None and info["fixes"] == []

    other = tmp_path / "other"
    shutil.copytree(tiny_hf, other)
    config = json.loads((other / "tokenizer_config.json").read_text())
    (other / "tokenizer_config.json").write_text(json.dumps({**config, "chat_template": QWEN_LIKE_TEMPLATE}))
    (other / "generation_config.json").write_text(json.dumps({"eos_token_id": [ids[CHATML_START], 7]}))
    before = dir_sha256(other, False)
    info = hf_tokenizer_info(str(other))
    assert info["default_system"] == "You are a tiny helper."
    assert info["eos_token_ids"] == [ids[CHATML_END], ids[CHATML_START], 7, ids["<|endoftext|>"]]
    assert dir_sha256(other, False) == before  # reading the facts writes nothing into the user's dir


def test_leading_special_is_the_post_processors_bos(tiny_hf: Path) -> None:
    from tokenizers import Tokenizer

    from quantize.tokenizer_fix import set_bos_processing

    tok = Tokenizer.from_file(str(tiny_hf / "tokenizer.json"))
    assert leading_special(tok) is None
    set_bos_processing(tok, (CHATML_START, tok.token_to_id(CHATML_START)))
    assert leading_special(tok) == tok.token_to_id(CHATML_START)


def test_checkpoint_dir_builds_loads_and_is_found_by_name(
    tiny_hf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inference.engine import Engine, SamplingParams
    from tandem.assembly.runtime import model_dir
    from tandem.settings import Settings

    # "auto" over fp32 alone: one builder run instead of three; still writes `default`, as a user build does
    monkeypatch.setattr(build, "AUTO_CANDIDATES", ())
    before = dir_sha256(tiny_hf, False)
    cache = tmp_path / "models"
    out = build.build_model(str(tiny_hf), cache, progress=False)

    assert out == build.build_root("tiny-chat-model", cache, before) / "fp32"
    manifest = read_manifest(out)  # every file hash verifies
    assert manifest["name"] == "tiny-chat-model" and manifest["kv_cache"] == "shared"
    assert manifest["source"]["content_sha256"] == before and manifest["source"]["gguf_sha256"] is None
    assert manifest["source"]["path"] == str(tiny_hf)
    assert manifest["chat_format"] == "chatml" and manifest["context_length"] == 256
    parity = manifest["tokenizer_parity"]
    assert parity["skipped"] is True and "no GGUF" in parity["reason"] and parity["matched"] is None
    quality = json.loads((out / "quality.json").read_text())["variants"]["fp32"]
    assert quality["tokenizer_parity"]["skipped"] is True and quality["accepted"]
    assert "| skipped (no GGUF) |" in (out / "quality.md").read_text()
    assert (out / "tokenizer.json").read_bytes() == (tiny_hf / "tokenizer.json").read_bytes()
    assert dir_sha256(tiny_hf, False) == before  # the user's checkpoint is read, never changed or deleted

    settings = Settings(models_dir=cache, device_model="tiny-chat-model", keys_dir=tmp_path / "keys")
    assert model_dir(settings.device_model, settings, build=False) == out
    engine = Engine(out, threads=1)
    result = engine.generate(engine.encode("Hello, world!"), SamplingParams(max_new_tokens=5, stop_token_ids=()))
    engine_eos = set(manifest["eos_token_ids"])
    assert 1 <= len(result.token_ids) <= 5 and (len(result.token_ids) == 5 or result.token_ids[-1] in engine_eos)

    assert build.build_model(str(tiny_hf), cache, progress=False) == out  # built: found, not rebuilt
