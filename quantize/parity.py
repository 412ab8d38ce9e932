"""Tokenizer parity: does our ``tokenizer.json`` split text the way llama.cpp splits the same GGUF?

The reference is llama.cpp itself, reached through ``xllamacpp.Server``: it starts llama.cpp's HTTP
server on a loopback port (``listening_address``) and its ``POST /tokenize`` returns the ids llama.cpp
would feed the model (``add_special`` adds BOS exactly when the GGUF says so, ``parse_special`` maps
``<|im_start|>`` etc. to single tokens). Where xllamacpp cannot start, a fallback rebuilds a byte-level
BPE from the GGUF's own vocabulary and merges with ``tokenizers``; it checks vocab, merges and added
tokens but only approximates llama.cpp's pre-tokenizer regex, and the manifest says which was used.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from quantize.errors import TokenizerParityError
from quantize.gguf_meta import GGUFMeta

logger = logging.getLogger(__name__)

#: Below this fraction of matching strings the tokenizer is broken and the build fails.
FAIL_BELOW = 0.9

PARITY_STRINGS: tuple[str, ...] = (
    "Hello, world!",
    "The capital of France is Paris.",
    "café, naïve, Straße, résumé, Zürich",
    "日本語のテキストと中文的句子。",
    "emoji: 🙂👍🏽 🚀🇫🇷",
    "def add(a, b):\n    return a + b\n",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
    "Numbers: 1234567890 3.14159 -42 1,000,000 2024-05-17",
    "  leading and trailing spaces  \n\n\ttab\r\n",
    "URL https://example.com/a?b=c&d=e #tag @user",
    "Привет, мир! Γειά σου κόσμε",
    'for i in range(10):\n\tprint(f"{i:03d}")  # comment',
)


class TokenizerReference(Protocol):
    """Something that tokenizes text the way the reference engine does."""

    name: str

    def tokenize(self, text: str) -> list[int]: ...


@dataclass
class ParityResult:
    reference: str
    checked: int = 0
    matched: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.matched / self.checked if self.checked else 0.0

    def as_manifest(self) -> dict[str, object]:
        return asdict(self)


class _LlamaCppServer:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        # Loopback only: never go through an HTTP proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        import xllamacpp

        self.name = f"llama.cpp (xllamacpp {getattr(xllamacpp, '__version__', '?')} server /tokenize)"

    def tokenize(self, text: str) -> list[int]:
        body = json.dumps({"content": text, "add_special": True, "parse_special": True}).encode()
        req = urllib.request.Request(
            self.url + "/tokenize", data=body, headers={"Content-Type": "application/json"}
        )
        with self._opener.open(req, timeout=30) as resp:
            return [int(t) for t in json.loads(resp.read())["tokens"]]


@contextmanager
def llama_cpp_reference(gguf_path: Path) -> Iterator[TokenizerReference]:
    """llama.cpp's tokenizer for ``gguf_path``, served on a free loopback port while in use."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(gguf_path)
    params.n_ctx = 256
    params.n_parallel = 1
    params.warmup = False
    params.verbosity = 0
    params.cpuparams.n_threads = 1
    params.port = 0  # let the OS choose
    server = xllamacpp.Server(params)
    try:
        yield _LlamaCppServer(server.listening_address)
    finally:
        del server


class GGUFVocabReference:
    """Fallback: byte-level BPE rebuilt from the GGUF vocabulary and merges (approximate pre-tokenizer)."""

    name = "gguf-vocab (tokenizers BPE rebuilt from GGUF merges; GPT-2 pre-tokenizer; not llama.cpp)"

    def __init__(self, meta: GGUFMeta) -> None:
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers

        from quantize.tokenizer_fix import add_missing_tokens, set_bos_processing

        vocab = {tok: i for i, tok in enumerate(meta.tokens)}
        merges = [tuple(m.split(" ", 1)) for m in meta.merges]
        tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, ignore_merges=False))
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        add_missing_tokens(tok, meta.added_tokens())
        bos = None
        if meta.add_bos_token and meta.bos_token_id is not None:
            bos = (meta.tokens[meta.bos_token_id], meta.bos_token_id)
        set_bos_processing(tok, bos)
        self._tok = tok

    def tokenize(self, text: str) -> list[int]:
        return list(self._tok.encode(text).ids)


def parity_strings(meta: GGUFMeta | None = None) -> list[str]:
    """The fixed strings plus one made of the model's own non-chat added tokens (FIM, tool calls)."""
    strings = list(PARITY_STRINGS)
    if meta is not None:
        extra = [c for _, c, _ in meta.added_tokens() if c not in ("<|im_start|>", "<|im_end|>")]
        extra.sort(key=lambda c: ("fim" not in c, "tool" not in c))
        if len(extra) >= 3:
            a, b, c = extra[:3]
            strings.append(f"{a}def f(x):{b}\n    return x{c} done")
    return strings


def measure_parity(tokenizer: object, reference: TokenizerReference, strings: list[str]) -> ParityResult:
    """Encode ``strings`` with ``tokenizer`` (a ``tokenizers.Tokenizer``) and with the reference."""
    result = ParityResult(reference=reference.name)
    for text in strings:
        ours = list(tokenizer.encode(text).ids)  # type: ignore[attr-defined]
        ref = reference.tokenize(text)
        result.checked += 1
        if ours == ref:
            result.matched += 1
        else:
            result.mismatches.append(f"{text!r}: ours={ours[:24]} reference={ref[:24]}")
    return result


def check_parity(tokenizer_json: Path, gguf_path: Path, meta: GGUFMeta) -> ParityResult:
    """Measure parity against llama.cpp (or the GGUF fallback); warn below 100 %, fail below 90 %."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_json))
    strings = parity_strings(meta)
    try:
        with llama_cpp_reference(gguf_path) as ref:
            result = measure_parity(tok, ref, strings)
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        logger.warning("llama.cpp tokenizer unavailable (%s); falling back to the GGUF vocabulary", exc)
        result = measure_parity(tok, GGUFVocabReference(meta), strings)
    enforce(result)
    return result


def enforce(result: ParityResult) -> None:
    if result.ratio < FAIL_BELOW:
        raise TokenizerParityError(
            f"tokenizer parity {result.matched}/{result.checked} against {result.reference}: "
            + "; ".join(result.mismatches[:4])
        )
    if result.matched < result.checked:
        logger.warning(
            "tokenizer parity %d/%d against %s: %s",
            result.matched,
            result.checked,
            result.reference,
            "; ".join(result.mismatches),
        )
