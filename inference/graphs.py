"""How one forward pass is bound to onnxruntime, per KV-cache layout: the engine's hot loop.

Two graph layouts exist (the manifest's ``kv_cache`` names which):

``concat``  optimum ``text-generation-with-past``: ``past_key_values.N.*`` of length ``past`` go in,
            ``present.N.*`` of length ``past + seq`` come out; every step allocates new present
            tensors and the previous ones become the next past (a concatenation inside each layer).
``shared``  onnxruntime-genai's builder (fused ``GroupQueryAttention``): past and present are ONE
            preallocated buffer of ``max_context`` positions per layer; each step writes its new
            keys/values in place at the positions the attention mask's length implies. Nothing is
            copied or allocated per token; the buffer is bounded by the configured maximum context
            and only the pages actually written become resident.

Both runners bind the per-step output of the decode loop (last-position logits, shape [1, 1, vocab])
to one numpy array that lives as long as the runner, so a decode step allocates nothing in Python
and copies nothing out of onnxruntime. Runtime needs: onnxruntime and numpy.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

_ORT_DTYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16}


class GraphRunner(Protocol):
    """One model graph bound for generation; ``prefill`` starts a sequence, ``step`` extends it."""

    def prefill(self, ids: np.ndarray) -> np.ndarray:
        """Run the prompt ``ids`` ([1, n] int64) from position 0; return the last logits [vocab]."""
        ...

    def step(self, token: int, past_len: int) -> np.ndarray:
        """Run one token at position ``past_len``; return its logits [vocab] (valid until the next call)."""
        ...


def _device(providers: list[str]) -> str:
    return "cuda" if providers and providers[0] in ("CUDAExecutionProvider", "TensorrtExecutionProvider") else "cpu"


class _Base:
    def __init__(self, session: Any, providers: list[str]) -> None:
        self.session = session
        self.device = _device(providers)
        inputs = {i.name: i for i in session.get_inputs()}
        self.has_position_ids = "position_ids" in inputs
        self.past_names = [n for n in inputs if n.startswith("past_key_values.")]
        self.present_names = [n.replace("past_key_values.", "present.") for n in self.past_names]
        self.kv_dtype = _ORT_DTYPES[inputs[self.past_names[0]].type] if self.past_names else np.float32
        logits = next(o for o in session.get_outputs() if o.name == "logits")
        vocab = logits.shape[-1]
        self.vocab = vocab if isinstance(vocab, int) else None
        self.logits_dtype = _ORT_DTYPES.get(logits.type, np.float32)
        # decode-step inputs and output, reused every step
        self.token = np.zeros((1, 1), dtype=np.int64)
        self.position = np.zeros((1, 1), dtype=np.int64)
        self.step_logits = np.zeros((1, 1, self.vocab or 1), dtype=self.logits_dtype)

    def _bind_step_logits(self, binding: Any) -> None:
        if self.device == "cpu" and self.vocab is not None:
            binding.bind_output(
                "logits", "cpu", 0, self.logits_dtype, [1, 1, self.vocab], self.step_logits.ctypes.data
            )
        else:
            binding.bind_output("logits", self.device)

    def _read_step_logits(self, binding: Any) -> np.ndarray:
        if self.device == "cpu" and self.vocab is not None:
            return self.step_logits[0, -1]
        return binding.get_outputs()[0].numpy()[0, -1]


class ConcatKV(_Base):
    """optimum graphs: present tensors grow by one position per step (the previous ones are dropped)."""

    def __init__(self, session: Any, providers: list[str], kv_heads: int, head_dim: int) -> None:
        super().__init__(session, providers)
        self.kv_heads, self.head_dim = kv_heads, head_dim
        self._past: list[Any] = []

    def _run(self, ids: np.ndarray, past_len: int, binding: Any, past: list[Any] | None) -> list[Any]:
        seq = ids.shape[1]
        binding.bind_cpu_input("input_ids", ids)
        binding.bind_cpu_input("attention_mask", np.ones((1, past_len + seq), dtype=np.int64))
        if self.has_position_ids:
            binding.bind_cpu_input("position_ids", np.arange(past_len, past_len + seq, dtype=np.int64)[None, :])
        if past is None:
            empty = np.zeros((1, self.kv_heads, 0, self.head_dim), dtype=self.kv_dtype)
            for name in self.past_names:
                binding.bind_cpu_input(name, empty)
        else:  # the previous step's present OrtValues become this step's past, without a copy
            for name, value in zip(self.past_names, past):
                binding.bind_ortvalue_input(name, value)
        for name in self.present_names:
            binding.bind_output(name, self.device)
        self.session.run_with_iobinding(binding)
        return binding.get_outputs()

    def prefill(self, ids: np.ndarray) -> np.ndarray:
        binding = self.session.io_binding()
        binding.bind_output("logits", self.device)
        outs = self._run(ids, 0, binding, None)
        self._past = outs[1:]
        return outs[0].numpy()[0, -1]

    def step(self, token: int, past_len: int) -> np.ndarray:
        binding = self.session.io_binding()
        self._bind_step_logits(binding)
        self.token[0, 0] = token
        outs = self._run(self.token, past_len, binding, self._past)
        self._past = outs[1:]
        return self._read_step_logits(binding)


class SharedKV(_Base):
    """GroupQueryAttention graphs: one KV buffer per layer serves as past and present (no copies)."""

    def __init__(self, session: Any, providers: list[str], kv_heads: int, head_dim: int, max_context: int) -> None:
        import onnxruntime as ort

        super().__init__(session, providers)
        shape = [1, kv_heads, max_context, head_dim]
        # Allocated once, never cleared: positions beyond the mask's length are never read.
        self.kv = [ort.OrtValue.ortvalue_from_shape_and_type(shape, self.kv_dtype, self.device)
                   for _ in self.past_names]
        self.mask = np.ones((1, max_context), dtype=np.int64)
        self.max_context = max_context
        self._step_binding = self.session.io_binding()
        self._bind_step_logits(self._step_binding)  # logits first: get_outputs() keeps binding order
        self._bind_kv(self._step_binding)
        self._step_binding.bind_input("input_ids", "cpu", 0, np.int64, [1, 1], self.token.ctypes.data)
        if self.has_position_ids:
            self._step_binding.bind_input("position_ids", "cpu", 0, np.int64, [1, 1], self.position.ctypes.data)

    def _bind_kv(self, binding: Any) -> None:
        for past, present, value in zip(self.past_names, self.present_names, self.kv):
            binding.bind_ortvalue_input(past, value)
            binding.bind_ortvalue_output(present, value)

    def _bind_mask(self, binding: Any, total: int) -> None:
        # a view of the preallocated ones: only its length changes from step to step
        binding.bind_input("attention_mask", "cpu", 0, np.int64, [1, total], self.mask.ctypes.data)

    def prefill(self, ids: np.ndarray) -> np.ndarray:
        binding = self.session.io_binding()
        binding.bind_output("logits", self.device)  # [1, 1 or seq, vocab]: allocated once per prompt
        self._bind_kv(binding)
        seq = ids.shape[1]
        binding.bind_cpu_input("input_ids", ids)
        self._bind_mask(binding, seq)
        if self.has_position_ids:
            binding.bind_cpu_input("position_ids", np.arange(seq, dtype=np.int64)[None, :])
        self.session.run_with_iobinding(binding)
        return binding.get_outputs()[0].numpy()[0, -1]

    def step(self, token: int, past_len: int) -> np.ndarray:
        self.token[0, 0] = token
        self.position[0, 0] = past_len
        self._bind_mask(self._step_binding, past_len + 1)
        self.session.run_with_iobinding(self._step_binding)
        return self._read_step_logits(self._step_binding)
