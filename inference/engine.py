"""Text generation over onnxruntime with a KV cache: the device's own language model.

Two graph layouts run through the same loop (see :mod:`inference.graphs`): onnxruntime-genai
builder graphs with fused GroupQueryAttention and ONE preallocated KV buffer per layer shared by past
and present (``kv_cache = "shared"`` in the manifest: the fast path), and optimum
``text-generation-with-past`` exports whose present tensors grow per step (``"concat"``). Either way
the decode step binds its inputs and the [1, 1, vocab] logits output to arrays allocated once, so the
per-token Python work is: bind the mask length, run, pick the token from the logits.

Every generated token carries its log-probability and the entropy of the model's distribution at
that step: the escalation policy reads them to decide whether the device is unsure.
Runtime needs: onnxruntime, tokenizers, numpy. Never torch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from inference.chat_format import Message, render
from inference.errors import ContextTooLong, ModelError
from inference.graphs import ConcatKV, GraphRunner, SharedKV
from inference.manifest import Manifest, load_manifest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenEvent:
    """One generated token, as streamed to the caller."""

    token_id: int
    text: str  # the newly printable text (may be "" while a multi-byte character is incomplete)
    logprob: float  # log p(token) under the model's (temperature 1) distribution
    entropy: float  # entropy in nats of that distribution


LogitsProcessor = Callable[[Sequence[int], np.ndarray], None]
"""Changes one step's logits in place, given the tokens generated so far (see `Engine.generate`)."""


@dataclass(frozen=True)
class Generation:
    text: str
    token_ids: tuple[int, ...]
    logprobs: tuple[float, ...]
    entropies: tuple[float, ...]
    prompt_tokens: int
    finish_reason: str  # "stop" | "length" | "cancelled"
    prefill_ms: float
    decode_ms: float

    @property
    def mean_entropy(self) -> float:
        return float(np.mean(self.entropies)) if self.entropies else 0.0

    @property
    def mean_logprob(self) -> float:
        return float(np.mean(self.logprobs)) if self.logprobs else 0.0

    @property
    def decode_tokens_per_s(self) -> float:
        # the first token comes out of prefill; decode speed counts the rest
        n = len(self.token_ids) - 1
        return n / (self.decode_ms / 1000) if n > 0 and self.decode_ms > 0 else 0.0


@dataclass(frozen=True)
class SamplingParams:
    max_new_tokens: int = 200
    temperature: float = 0.0  # 0: greedy
    top_p: float = 1.0
    seed: int | None = None
    stop_token_ids: tuple[int, ...] = field(default_factory=tuple)  # in addition to the manifest's
    no_repeat_ngram: int = 0
    """Never emit a token that would repeat an n-gram of this size from the answer so far (0: off).
    Small models loop ("The heat pump uses a condenser ..." again and again); this breaks the loop
    without penalising common words. Log-probabilities and entropies stay the model's own."""


class Engine:
    """A loaded model. Not thread-safe: one generation at a time (run it in a worker thread)."""

    def __init__(
        self,
        model_dir: Path,
        *,
        threads: int | None = None,
        providers: Sequence[str] | None = None,
        max_context: int | None = None,
        allow_spinning: bool | None = None,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.model_dir = Path(model_dir)
        self.manifest: Manifest = load_manifest(self.model_dir)
        limit = self.manifest.context_length
        self.max_context = min(max_context, limit) if max_context else limit

        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        if allow_spinning is not None:  # hardware profiles turn it off on boards that share their cores
            opts.add_session_config_entry("session.intra_op.allow_spinning", "1" if allow_spinning else "0")
        onnx_path = self.model_dir / self.manifest.onnx_file
        self.providers = list(providers or ["CPUExecutionProvider"])
        try:
            self.session = ort.InferenceSession(str(onnx_path), opts, providers=self.providers)
            self.tokenizer = Tokenizer.from_file(str(self.model_dir / self.manifest.tokenizer_file))
        except Exception as exc:  # onnxruntime/tokenizers raise bare RuntimeError/Exception subclasses
            raise ModelError(
                f"could not load model {self.manifest.name} from {self.model_dir}: {exc}; "
                "rebuild it with `tandem model build NAME --force`"
            ) from exc
        self._runner = self._make_runner(onnx_path)
        self._scratch = _Scratch()
        self._eos = set(self.manifest.eos_token_ids)

    def _sliding_window(self) -> int:
        """Sliding-window attention (Gemma 3) needs a KV buffer at least one window long."""
        import json

        path = self.model_dir / "genai_config.json"
        if not path.exists():
            return 0
        decoder = json.loads(path.read_text(encoding="utf-8"))["model"]["decoder"]
        return int((decoder.get("sliding_window") or {}).get("window_size", 0))

    def _make_runner(self, onnx_path: Path) -> GraphRunner:
        inputs = {i.name: i for i in self.session.get_inputs()}
        past = [n for n in inputs if n.startswith("past_key_values.")]
        outputs = {o.name for o in self.session.get_outputs()}
        missing = [n for n in ["logits", *(p.replace("past_key_values.", "present.") for p in past)]
                   if n not in outputs]
        if missing or not past:
            raise ModelError(f"{onnx_path} is not a KV-cache decoder (missing {missing or 'past'}); "
                             "rebuild it with `tandem model build NAME --force`")
        if self.manifest.kv_cache == "shared":
            if not (self.manifest.num_kv_heads and self.manifest.head_size):
                raise ModelError(f"manifest of {self.model_dir} lacks num_kv_heads/head_size for its shared "
                                 "KV cache; rebuild it with `tandem model build NAME --force`")
            return SharedKV(self.session, self.providers, self.manifest.num_kv_heads,
                            self.manifest.head_size, max(self.max_context, self._sliding_window()))
        first = inputs[past[0]]
        return ConcatKV(self.session, self.providers, int(first.shape[1]), int(first.shape[3]))

    # -- text helpers -------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.manifest.name

    def chat_prompt(self, messages: Sequence[Message]) -> str:
        return render(self.manifest.chat_format, messages, self.manifest.default_system)

    def encode(self, text: str) -> list[int]:
        ids = self.tokenizer.encode(text, add_special_tokens=False).ids
        if self.manifest.bos_token_id is not None:
            ids = [self.manifest.bos_token_id, *ids]
        return ids

    def decode(self, ids: Sequence[int]) -> str:
        return self.tokenizer.decode(list(ids), skip_special_tokens=True)

    # -- generation ---------------------------------------------------------------------------

    def chat(
        self,
        messages: Sequence[Message],
        params: SamplingParams = SamplingParams(),
        *,
        on_token: Callable[[TokenEvent], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Generation:
        return self.generate(self.encode(self.chat_prompt(messages)), params, on_token=on_token, cancel=cancel)

    def generate(
        self,
        prompt_ids: Sequence[int],
        params: SamplingParams = SamplingParams(),
        *,
        on_token: Callable[[TokenEvent], None] | None = None,
        cancel: threading.Event | None = None,
        logits_processor: LogitsProcessor | None = None,
    ) -> Generation:
        """Generate after `prompt_ids`; streams each token to `on_token`; `cancel` stops early.

        `logits_processor(ids, logits)` is called before each token is picked with the tokens generated
        so far and the step's logits (a float array it may change in place: a grammar masks what it
        forbids with -inf, `inference.constrained`); log-probabilities are then those of the changed
        distribution."""
        n_prompt = len(prompt_ids)
        if n_prompt == 0:
            raise ModelError("empty prompt: nothing to generate from")
        if n_prompt + params.max_new_tokens > self.max_context:
            raise ContextTooLong(n_prompt, params.max_new_tokens, self.max_context)
        rng = np.random.default_rng(params.seed)
        stops = self._eos | set(params.stop_token_ids)

        ids: list[int] = []
        logprobs: list[float] = []
        entropies: list[float] = []
        text = _Detokenizer(self.tokenizer)
        finish = "length"

        t0 = time.perf_counter()
        logits = self._runner.prefill(np.asarray([prompt_ids], dtype=np.int64))
        t_prefill = time.perf_counter()
        past_len = n_prompt
        for _ in range(params.max_new_tokens):
            banned = _repeat_bans(ids, params.no_repeat_ngram)
            if logits_processor is not None:
                logits = np.array(logits, dtype=np.float32)  # the runner's buffer stays untouched
                logits_processor(ids, logits)
            token, logprob, entropy = _pick(logits, params, rng, self._scratch, banned)
            if token in stops:
                finish = "stop"
                break
            ids.append(token)
            logprobs.append(logprob)
            entropies.append(entropy)
            delta = text.add(token)
            if on_token is not None:
                on_token(TokenEvent(token, delta, logprob, entropy))
            if cancel is not None and cancel.is_set():
                finish = "cancelled"
                break
            if len(ids) == params.max_new_tokens:
                break
            logits = self._runner.step(token, past_len)
            past_len += 1
        t_end = time.perf_counter()
        return Generation(
            text=self.decode(ids),
            token_ids=tuple(ids),
            logprobs=tuple(logprobs),
            entropies=tuple(entropies),
            prompt_tokens=n_prompt,
            finish_reason=finish,
            prefill_ms=(t_prefill - t0) * 1000,
            decode_ms=(t_end - t_prefill) * 1000,
        )

    def full_logits(self, ids: Sequence[int]) -> np.ndarray:
        """Last-position logits of ``ids`` computed from scratch (no cache reuse): a test reference."""
        return np.array(self._runner.prefill(np.asarray([ids], dtype=np.int64)), dtype=np.float32)


class _Detokenizer:
    """Incremental detokenization that emits only complete characters, in O(1) per token.

    Decodes a short window (from a few tokens back) instead of the whole answer each step; the
    printable text is whatever the window's decode adds beyond what it decoded one step earlier.
    """

    def __init__(self, tokenizer: object) -> None:
        self._tok = tokenizer
        self._ids: list[int] = []
        self._prefix = 0  # window start
        self._read = 0  # tokens already turned into text

    def add(self, token: int) -> str:
        self._ids.append(token)
        decode = self._tok.decode  # type: ignore[attr-defined]
        before = decode(self._ids[self._prefix : self._read], skip_special_tokens=True)
        after = decode(self._ids[self._prefix :], skip_special_tokens=True)
        if after.endswith("\ufffd") or len(after) <= len(before):
            return ""  # an incomplete multi-byte character (or a special token): wait
        self._prefix, self._read = self._read, len(self._ids)
        return after[len(before) :]


class _Scratch:
    """Buffers for scoring one step, reused: a fresh 1 MB array per token (262k vocabulary) costs page
    faults on every step, measurably so at 150 tokens/s."""

    def __init__(self) -> None:
        self.z = np.empty(0, dtype=np.float32)
        self.e = np.empty(0, dtype=np.float32)

    def fit(self, n: int) -> None:
        if self.z.shape[0] != n:
            self.z = np.empty(n, dtype=np.float32)
            self.e = np.empty(n, dtype=np.float32)


def _repeat_bans(ids: Sequence[int], n: int) -> list[int]:
    """Tokens that would complete an n-gram already present in `ids` (empty when n < 1)."""
    if n < 1 or len(ids) < n:
        return []
    if n == 1:
        return list(set(ids))
    prefix = tuple(ids[len(ids) - n + 1:])
    return [ids[i + n - 1] for i in range(len(ids) - n + 1) if tuple(ids[i:i + n - 1]) == prefix]


def _pick(
    logits: np.ndarray, params: SamplingParams, rng: np.random.Generator, scratch: _Scratch | None = None,
    banned: Sequence[int] = (),
) -> tuple[int, float, float]:
    """Choose the next token; return it with its log-probability and the distribution's entropy.

    float32, in place: entropy = log Z - sum(p * z) with z the max-shifted logits, so one exp pass
    serves both the entropy and the log-probability. `banned` tokens are never chosen, but the
    reported log-probability and entropy are those of the model's unmodified distribution.
    """
    scratch = scratch or _Scratch()
    scratch.fit(logits.shape[0])
    z, e = scratch.z, scratch.e
    np.subtract(logits, logits.max(), out=z, dtype=np.float32)
    np.exp(z, out=e)
    total = float(e.sum())
    log_total = float(np.log(total))
    with np.errstate(invalid="ignore"):  # a grammar's -inf logits: 0 * -inf
        ez = float(np.dot(e, z))
    if not np.isfinite(ez):
        finite = np.isfinite(z)
        ez = float(np.dot(e[finite], z[finite]))
    entropy = log_total - ez / total
    choose = z
    if banned:
        choose = z.copy()
        choose[list(banned)] = -np.inf
    if params.temperature <= 0:
        token = int(np.argmax(choose))
    else:
        q = np.exp(choose.astype(np.float64) / params.temperature)
        q /= q.sum()
        if params.top_p < 1.0:
            order = np.argsort(-q)
            keep = order[: int(np.searchsorted(np.cumsum(q[order]), params.top_p) + 1)]
            mask = np.zeros_like(q)
            mask[keep] = q[keep]
            q = mask / mask.sum()
        token = int(rng.choice(len(q), p=q))
    return token, float(z[token]) - log_total, max(entropy, 0.0)


def load_engine(
    model_dir: Path,
    *,
    threads: int | None = None,
    max_context: int | None = None,
    allow_spinning: bool | None = None,
) -> Engine:
    t0 = time.perf_counter()
    engine = Engine(model_dir, threads=threads, max_context=max_context, allow_spinning=allow_spinning)
    log.info("loaded model name=%s precision=%s ms=%.0f", engine.name, engine.manifest.precision,
             (time.perf_counter() - t0) * 1000)
    return engine
