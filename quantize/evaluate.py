"""Greedy answers through onnxruntime, and the choice of a precision variant.

A candidate is compared with the fp32 export on a handful of chat prompts, some of which need long
answers: quantization damage shows first as a long answer that never reaches its EOS. Per prompt,
``agreement`` is difflib's ratio between the two greedy token sequences (2*matches/total: robust to an
early one-token detour, unlike a plain prefix match) and ``eos_ok`` says the candidate stopped where
fp32 stopped (within the token budget). The choice: among candidates whose EOS is always right and
whose mean agreement is within ``TIE_BAND`` of the best such candidate, the smallest file wins; if none
qualifies (or agreement is below ``FLOOR``), fp32 is used.
"""

from __future__ import annotations

import difflib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVAL_PROMPTS: tuple[str, ...] = (
    "What is the capital of France?",
    "Write a Python function that checks whether a number is prime, and explain it briefly.",
    "Explain in a few sentences why the sky is blue.",
    "List five fruits, one per line.",
)
MAX_NEW_TOKENS = 96
TIE_BAND = 0.03
FLOOR = 0.5
CRITERION = (
    f"greedy answers to {len(EVAL_PROMPTS)} chat prompts (max {MAX_NEW_TOKENS} new tokens) vs fp32: "
    f"EOS wherever fp32 ends; highest mean token agreement (difflib ratio); smallest file within "
    f"{TIE_BAND} of the best; fp32 if none reaches {FLOOR}"
)


class GreedyOnnx:
    """A minimal greedy decoder over an optimum ``text-generation-with-past`` graph."""

    def __init__(self, onnx_path: Path, threads: int = 2) -> None:
        import numpy as np
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        self._np = np
        self.past: list[tuple[str, tuple[int, int], object]] = []
        for inp in self.session.get_inputs():
            if inp.name.startswith("past_key_values."):
                heads, head_dim = inp.shape[1], inp.shape[3]
                dtype = np.float16 if "float16" in inp.type else np.float32
                self.past.append((inp.name, (int(heads), int(head_dim)), dtype))
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.output_names = [o.name for o in self.session.get_outputs()]

    def generate(self, prompt_ids: list[int], eos_ids: set[int], max_new_tokens: int) -> list[int]:
        np = self._np
        feed_past = {name: np.zeros((1, h, 0, d), dtype=dt) for name, (h, d), dt in self.past}
        ids = list(prompt_ids)
        step = ids
        out: list[int] = []
        for _ in range(max_new_tokens):
            total = len(ids)
            feed = {
                "input_ids": np.array([step], dtype=np.int64),
                "attention_mask": np.ones((1, total), dtype=np.int64),
                **feed_past,
            }
            if "position_ids" in self.input_names:
                feed["position_ids"] = np.arange(total - len(step), total, dtype=np.int64)[None, :]
            results = dict(zip(self.output_names, self.session.run(None, feed)))
            token = int(results["logits"][0, -1].argmax())
            out.append(token)
            if token in eos_ids:
                break
            feed_past = {
                name: results[name.replace("past_key_values.", "present.")] for name, _, _ in self.past
            }
            ids.append(token)
            step = [token]
        return out


@dataclass(frozen=True)
class Answers:
    """Greedy token ids per prompt, and whether each ended with an EOS."""

    tokens: list[list[int]]
    seconds: float

    def ended(self, eos_ids: set[int]) -> list[bool]:
        return [bool(t) and t[-1] in eos_ids for t in self.tokens]


def chat_prompts(
    tokenizer_json: Path, default_system: str | None, chat_format: str | None
) -> list[list[int]]:
    """ChatML-encode the evaluation prompts (plain text for a model without a chat format)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_json))
    prompts = []
    for text in EVAL_PROMPTS:
        if chat_format == "chatml":
            system = f"<|im_start|>system\n{default_system}<|im_end|>\n" if default_system else ""
            text = f"{system}<|im_start|>user\n{text}<|im_end|>\n<|im_start|>assistant\n"
        prompts.append(list(tok.encode(text).ids))
    return prompts


def answer_all(
    onnx_path: Path,
    prompts: list[list[int]],
    eos_ids: list[int],
    max_new_tokens: int = MAX_NEW_TOKENS,
    progress: bool = False,
) -> Answers:
    from tqdm import tqdm

    engine = GreedyOnnx(onnx_path)
    start = time.perf_counter()
    tokens = [
        engine.generate(p, set(eos_ids), max_new_tokens)
        for p in tqdm(prompts, desc=f"greedy {onnx_path.parent.name}", disable=not progress, leave=False)
    ]
    return Answers(tokens=tokens, seconds=round(time.perf_counter() - start, 2))


def compare(reference: Answers, candidate: Answers, eos_ids: list[int]) -> dict[str, object]:
    eos = set(eos_ids)
    ratios = [
        difflib.SequenceMatcher(None, r, c, autojunk=False).ratio()
        for r, c in zip(reference.tokens, candidate.tokens)
    ]
    eos_ok = all(c or not r for r, c in zip(reference.ended(eos), candidate.ended(eos)))
    n_tokens = sum(len(t) for t in candidate.tokens)
    return {
        "agreement": round(sum(ratios) / len(ratios), 4),
        "per_prompt": [round(x, 3) for x in ratios],
        "eos_ok": eos_ok,
        "tokens_per_second": round(n_tokens / candidate.seconds, 1) if candidate.seconds else None,
    }


def choose(candidates: dict[str, dict[str, Any]]) -> str:
    """The variant to ship, given ``compare`` results plus ``size_mb`` per candidate name."""
    ok = {n: c for n, c in candidates.items() if n != "fp32" and c["eos_ok"] and c["agreement"] >= FLOOR}
    if not ok:
        return "fp32"
    best = max(float(c["agreement"]) for c in ok.values())
    tied = [n for n, c in ok.items() if float(c["agreement"]) >= best - TIE_BAND]
    return min(tied, key=lambda n: float(ok[n]["size_mb"]))


def evaluate_variant(
    onnx_path: str, prompts: list[list[int]], eos_ids: list[int], out_json: str
) -> dict[str, object]:
    """Greedy answers of one variant, saved to ``out_json`` (runs in a child process)."""
    answers = answer_all(Path(onnx_path), prompts, eos_ids, progress=True)
    data = {"tokens": answers.tokens, "seconds": answers.seconds}
    Path(out_json).write_text(json.dumps(data))
    return {"seconds": answers.seconds, "lengths": [len(t) for t in answers.tokens]}


def load_answers(path: Path) -> Answers:
    data = json.loads(path.read_text())
    return Answers(tokens=data["tokens"], seconds=data["seconds"])
