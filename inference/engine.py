"""Text generation over onnxruntime with a KV cache: the device's own language model.

The graph is an optimum `text-generation-with-past` export (inputs `input_ids`, `attention_mask`,
optional `position_ids`, `past_key_values.N.key/value`; outputs `logits`, `present.N.key/value`).
The KV cache stays in onnxruntime's OrtValues between steps (I/O binding), so the per-token loop
copies only the last row of logits to numpy.

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
from inference.manifest import Manifest, load_manifest

log = logging.getLogger(__name__)

_ORT_DTYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16}


@dataclass(frozen=True)
class TokenEvent:
    """One generated token, as streamed to the caller."""

    token_id: int
    text: str  # the newly printable text (may be "" while a multi-byte character is incomplete)
    logprob: float  # log p(token) under the model's (temperature 1) distribution
    entropy: float  # entropy in nats of that distribution


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


class Engine:
    """A loaded model. Not thread-safe: one generation at a time (run it in a worker thread)."""

    def __init__(
        self,
        model_dir: Path,
        *,
        threads: int | None = None,
        providers: Sequence[str] | None = None,
        max_context: int | None = None,
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
        onnx_path = self.model_dir / self.manifest.onnx_file
        try:
            self.session = ort.InferenceSession(
                str(onnx_path), opts, providers=list(providers or ["CPUExecutionProvider"])
            )
            self.tokenizer = Tokenizer.from_file(str(self.model_dir / self.manifest.tokenizer_file))
        except Exception as exc:  # onnxruntime/tokenizers raise bare RuntimeError/Exception subclasses
            raise ModelError(
                f"could not load model {self.manifest.name} from {self.model_dir}: {exc}; "
                "rebuild it with `tandem model build NAME --force`"
            ) from exc

        inputs = {i.name: i for i in self.session.get_inputs()}
        self._has_position_ids = "position_ids" in inputs
        self._past_names = [n for n in inputs if n.startswith("past_key_values.")]
        outputs = [o.name for o in self.session.get_outputs()]
        self._present_names = [n.replace("past_key_values.", "present.") for n in self._past_names]
        missing = [n for n in ["logits", *self._present_names] if n not in outputs]
        if missing or not self._past_names:
            raise ModelError(f"{onnx_path} is not a KV-cache decoder export (missing {missing or 'past'}); "
                             "export with task text-generation-with-past")
        first = inputs[self._past_names[0]]
        self._kv_heads, self._head_dim = int(first.shape[1]), int(first.shape[3])
        self._kv_dtype = _ORT_DTYPES[first.type]
        self._eos = set(self.manifest.eos_token_ids)

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
    ) -> Generation:
        """Generate after `prompt_ids`; streams each token to `on_token`; `cancel` stops early."""
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
        printed = ""
        finish = "length"

        t0 = time.perf_counter()
        logits, past = self._forward(np.asarray([prompt_ids], dtype=np.int64), None, 0)
        t_prefill = time.perf_counter()
        past_len = n_prompt
        for _ in range(params.max_new_tokens):
            token, logprob, entropy = _pick(logits, params, rng)
            if token in stops:
                finish = "stop"
                break
            ids.append(token)
            logprobs.append(logprob)
            entropies.append(entropy)
            # incremental detokenization: emit only complete characters
            text = self.decode(ids)
            delta = "" if text.endswith("\ufffd") else text[len(printed):]
            if delta:
                printed = text
            if on_token is not None:
                on_token(TokenEvent(token, delta, logprob, entropy))
            if cancel is not None and cancel.is_set():
                finish = "cancelled"
                break
            if len(ids) == params.max_new_tokens:
                break
            logits, past = self._forward(np.asarray([[token]], dtype=np.int64), past, past_len)
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

    def _forward(self, input_ids: np.ndarray, past: list | None, past_len: int) -> tuple[np.ndarray, list]:
        """One graph run; returns last-position logits (float32) and the present KV OrtValues."""
        seq = input_ids.shape[1]
        binding = self.session.io_binding()
        binding.bind_cpu_input("input_ids", input_ids)
        binding.bind_cpu_input("attention_mask", np.ones((1, past_len + seq), dtype=np.int64))
        if self._has_position_ids:
            positions = np.arange(past_len, past_len + seq, dtype=np.int64)[None, :]
            binding.bind_cpu_input("position_ids", positions)
        if past is None:
            empty = np.zeros((1, self._kv_heads, 0, self._head_dim), dtype=self._kv_dtype)
            for name in self._past_names:
                binding.bind_cpu_input(name, empty)
        else:
            # the previous step's present tensors become this step's past, without a copy
            for name, value in zip(self._past_names, past):
                binding.bind_ortvalue_input(name, value)
        binding.bind_output("logits", "cpu")
        for name in self._present_names:
            binding.bind_output(name, "cpu")
        self.session.run_with_iobinding(binding)
        outs = binding.get_outputs()
        logits = outs[0].numpy()[0, -1].astype(np.float32, copy=False)
        return logits, outs[1:]


def _pick(logits: np.ndarray, params: SamplingParams, rng: np.random.Generator) -> tuple[int, float, float]:
    """Choose the next token; return it with its log-probability and the distribution's entropy."""
    z = logits.astype(np.float64)
    z -= z.max()
    logp = z - np.log(np.exp(z).sum())
    p = np.exp(logp)
    entropy = float(-(p * logp).sum())
    if params.temperature <= 0:
        token = int(np.argmax(logp))
    else:
        q = np.exp((logp - logp.max()) / params.temperature)
        q /= q.sum()
        if params.top_p < 1.0:
            order = np.argsort(-q)
            keep = order[: int(np.searchsorted(np.cumsum(q[order]), params.top_p) + 1)]
            mask = np.zeros_like(q)
            mask[keep] = q[keep]
            q = mask / mask.sum()
        token = int(rng.choice(len(q), p=q))
    return token, float(logp[token]), entropy


def load_engine(model_dir: Path, *, threads: int | None = None, max_context: int | None = None) -> Engine:
    t0 = time.perf_counter()
    engine = Engine(model_dir, threads=threads, max_context=max_context)
    log.info("loaded model name=%s precision=%s ms=%.0f", engine.name, engine.manifest.precision,
             (time.perf_counter() - t0) * 1000)
    return engine
