"""The "baby" model: a random tiny Llama with a ChatML BPE tokenizer, built in seconds on a CPU.

It goes through the same export, variant and manifest code as the real models, so device and cloud
tests can run a real onnxruntime graph with KV cache without the 100 MB+ downloads or minutes of
export. Its output is gibberish by design; it is seeded, so the same tokens come out every run.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from quantize.manifest import TOKENIZER_FILE
from quantize.steps import StepRunner
from quantize.tokenizer_fix import CHATML_END, CHATML_START, TokenizerInfo, set_bos_processing

SEED = 1234
SPECIAL_TOKENS = ("<|endoftext|>", CHATML_START, CHATML_END)
_TEXT = """\
The quick brown fox jumps over the lazy dog. Tandem answers small questions on the device and asks
the cloud for help with the hard ones. What is the capital of France? Paris is the capital of France.
def add(a, b):
    return a + b
Numbers: 0 1 2 3 4 5 6 7 8 9 10 42 100 2024. Hello, world! How are you today? I am fine, thank you.
A small language model runs on a Raspberry Pi; a larger one runs in the cloud behind an encrypted queue.
"""


def _train_tokenizer(vocab_size: int) -> object:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    lines = _TEXT.splitlines()
    tok.train_from_iterator([f"{CHATML_START}user\n{line}{CHATML_END}\n" for line in lines] + lines, trainer)
    set_bos_processing(tok, None)
    return tok


def make_tiny_hf(hf_dir: Path, vocab_size: int = 384) -> TokenizerInfo:
    """Save a seeded random tiny Llama and its tokenizer to ``hf_dir``."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    hf_dir.mkdir(parents=True, exist_ok=True)
    tok = _train_tokenizer(vocab_size)
    vocab = tok.get_vocab(with_added_tokens=True)  # type: ignore[attr-defined]
    eos, pad = vocab[CHATML_END], vocab["<|endoftext|>"]
    hf_tok = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token=CHATML_END,
        pad_token="<|endoftext|>",
        clean_up_tokenization_spaces=False,
    )
    hf_tok.save_pretrained(str(hf_dir))
    torch.manual_seed(SEED)
    config = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=eos,
        pad_token_id=pad,
    )
    LlamaForCausalLM(config).eval().save_pretrained(str(hf_dir))
    info = TokenizerInfo(
        chat_format="chatml",
        default_system=None,
        bos_token_id=None,
        eos_token_ids=[eos, pad],
        pad_token_id=pad,
        context_length=256,
        fixes=[],
    )
    info.save(hf_dir)
    return info


def _provenance() -> tuple[dict[str, Any], dict[str, Any]]:
    """The manifest's tokenizer-parity and source records of the baby model (fresh dicts)."""
    parity = {"reference": "none (tiny test model: no GGUF)", "checked": 0, "matched": 0, "mismatches": []}
    source = {
        "package": None,
        "version": None,
        "gguf_sha256": None,
        "upstream": f"random init, tandem tiny Llama (seed {SEED})",
        "licence": "Apache-2.0",
    }
    return parity, source


def build_tiny_model(out_dir: Path, precisions: tuple[str, ...] = ("fp32",), isolate: bool = False) -> Path:
    """Build the baby model into ``out_dir``; return the model dir of the first precision."""
    from quantize.build import finish_model_dir, make_model_dir
    from quantize.export import export_onnx

    started = time.perf_counter()
    out_dir = Path(out_dir)
    runner = StepRunner(out_dir, progress=False, isolate=isolate)
    hf_dir, fp32_dir = out_dir / "hf", out_dir / "onnx-fp32"
    info = TokenizerInfo(**runner.run("tiny_hf", lambda: make_tiny_hf(hf_dir).__dict__, isolate=False))
    runner.run("export", export_onnx, str(hf_dir), str(fp32_dir))
    parity, source = _provenance()
    dirs = [make_model_dir(runner, p, fp32_dir, hf_dir / TOKENIZER_FILE) for p in precisions]
    for precision, model_dir in zip(precisions, dirs):
        finish_model_dir(
            model_dir,
            runner,
            name="tiny",
            precision=precision,
            source=source,
            tokenizer=info,
            parity=parity,
            selection={"criterion": f"explicit precision {precision!r}", "candidates": {}},
            started=started,
        )
    return dirs[0]


def build_tiny_gqa_model(out_dir: Path, variants: tuple[str, ...] = ("fp32",)) -> Path:
    """The baby model as onnxruntime-genai builder graphs (``kv_cache = "shared"``); first variant's dir.

    Needs the builder's venv (:func:`quantize.gqa.genai_python`); ~10 s, most of it importing torch.
    """
    from quantize.build import finish_model_dir, make_gqa_dir

    started = time.perf_counter()
    out_dir = Path(out_dir)
    runner = StepRunner(out_dir, progress=False, isolate=False)
    hf_dir = out_dir / "hf"
    info = TokenizerInfo(**runner.run("tiny_hf", lambda: make_tiny_hf(hf_dir).__dict__))
    parity, source = _provenance()
    dirs = []
    for variant in variants:
        graph = make_gqa_dir(runner, variant, hf_dir, hf_dir / TOKENIZER_FILE)
        finish_model_dir(
            out_dir / variant,
            runner,
            name="tiny",
            precision=variant,
            source=source,
            tokenizer=info,
            parity=parity,
            selection={"criterion": f"explicit precision {variant!r}", "candidates": {}},
            started=started,
            graph=graph,
        )
        dirs.append(out_dir / variant)
    return dirs[0]
