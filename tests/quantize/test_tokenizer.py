"""Tokenizer repair and parity: real GGUFs (marked real_model; seconds each) and the tiny tokenizer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from quantize.errors import TokenizerParityError
from quantize.parity import PARITY_STRINGS, ParityResult, enforce, measure_parity


class _FromTokenizer:
    """A reference that tokenizes with a given ``tokenizers.Tokenizer``."""

    def __init__(self, tok: object) -> None:
        self.name = "test reference"
        self._tok = tok

    def tokenize(self, text: str) -> list[int]:
        return list(self._tok.encode(text).ids)  # type: ignore[attr-defined]


def _broken(tok: object) -> object:
    """The classic conversion bug: a BOS glued to every encode."""
    from tokenizers import Tokenizer

    from quantize.tokenizer_fix import set_bos_processing

    copy = Tokenizer.from_str(tok.to_str())  # type: ignore[attr-defined]
    set_bos_processing(copy, ("<|im_start|>", copy.token_to_id("<|im_start|>")))
    return copy


def test_broken_tokenizer_lowers_parity(tiny_model: Path) -> None:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tiny_model / "tokenizer.json"))
    reference = _FromTokenizer(tok)
    good = measure_parity(tok, reference, list(PARITY_STRINGS))
    bad = measure_parity(_broken(tok), reference, list(PARITY_STRINGS))
    assert good.matched == good.checked == len(PARITY_STRINGS)
    assert bad.matched < good.matched and len(bad.mismatches) == bad.checked - bad.matched
    with pytest.raises(TokenizerParityError):
        enforce(bad)


def test_one_odd_string_only_warns(caplog: pytest.LogCaptureFixture) -> None:
    result = ParityResult(reference="r", checked=13, matched=12, mismatches=["'🙂': ours=[1] reference=[2]"])
    enforce(result)  # no exception below 100 % but above the failure threshold
    assert "12/13" in caplog.text


def _gguf(name: str, tmp_path: Path) -> Path:
    from quantize.errors import SourceNotInstalled
    from quantize.sources import locate_gguf

    try:
        return locate_gguf(name, tmp_path)[0]
    except SourceNotInstalled as exc:
        pytest.fail(str(exc))


def _fixed(name: str, tmp_path: Path) -> tuple[object, object, Path]:
    """Tokenizer converted by transformers from the real GGUF, then fixed; (tokenizer, info, gguf)."""
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer
    from transformers.utils import logging as hf_logging

    from quantize.gguf_meta import read_gguf_meta
    from quantize.tokenizer_fix import fix_tokenizer

    hf_logging.set_verbosity_error()
    gguf = _gguf(name, tmp_path)
    hf_dir = tmp_path / "hf"
    AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name).save_pretrained(str(hf_dir))
    info = fix_tokenizer(hf_dir, read_gguf_meta(gguf))
    return Tokenizer.from_file(str(hf_dir / "tokenizer.json")), info, gguf


@pytest.mark.real_model
def test_smollm2_tokenizer_fix(tmp_path: Path) -> None:
    tok, info, _ = _fixed("smollm2-135m-instruct", tmp_path)
    assert tok.encode("Hello").ids == [19556]  # type: ignore[attr-defined]  # no BOS
    assert info.eos_token_ids[0] == 2 and tok.id_to_token(2) == "<|im_end|>"  # type: ignore[attr-defined]
    assert info.bos_token_id is None
    assert info.default_system == "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


@pytest.mark.real_model
def test_qwen_tokenizer_fix(tmp_path: Path) -> None:
    tok, info, _ = _fixed("qwen2.5-coder-0.5b-instruct", tmp_path)
    for special in ("<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<tool_call>", "<|file_sep|>"):
        assert len(tok.encode(special).ids) == 1, special  # type: ignore[attr-defined]
    assert info.eos_token_ids[0] == 151645 and 151643 in info.eos_token_ids
    assert info.default_system is not None and info.default_system.startswith("You are Qwen")


@pytest.mark.real_model
def test_parity_against_llama_cpp_and_broken_tokenizer(tmp_path: Path) -> None:
    from quantize.gguf_meta import read_gguf_meta
    from quantize.parity import llama_cpp_reference, parity_strings

    tok, _, gguf = _fixed("smollm2-135m-instruct", tmp_path)
    strings = parity_strings(read_gguf_meta(gguf))
    with llama_cpp_reference(gguf) as ref:
        assert ref.name.startswith("llama.cpp")
        good = measure_parity(tok, ref, strings)
        bad = measure_parity(_broken(tok), ref, strings)
    assert good.matched == good.checked == len(strings)
    assert bad.matched == 0  # a BOS on every string: nothing matches
    shutil.rmtree(tmp_path / "hf")
