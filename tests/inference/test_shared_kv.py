"""The engine on the GroupQueryAttention graph (shared KV buffer) the builder makes from the tiny model."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from inference.chat_format import Message
from inference.engine import Engine, SamplingParams, TokenEvent
from inference.errors import ContextTooLong

PROMPT = [Message("user", "hello there, how are you")]


@pytest.fixture(scope="module")
def gqa(tiny_gqa_model: Path) -> Engine:
    return Engine(tiny_gqa_model, threads=1, max_context=128)


def test_manifest_names_the_shared_layout(gqa: Engine) -> None:
    assert gqa.manifest.kv_cache == "shared"
    assert (gqa.manifest.num_kv_heads, gqa.manifest.head_size) == (2, 16)


def test_shared_buffer_decoding_matches_full_recompute(gqa: Engine) -> None:
    ids = gqa.encode(gqa.chat_prompt(PROMPT))
    gen = gqa.generate(ids, SamplingParams(max_new_tokens=12))
    seq = list(ids)
    for token in gen.token_ids:  # each step's token = argmax of a fresh prefill of everything before it
        assert int(np.argmax(gqa.full_logits(seq))) == token
        seq.append(token)


def test_same_weights_same_answer_as_the_optimum_graph(gqa: Engine, tiny_model: Path) -> None:
    """The builder's fused graph and optimum's export of the same checkpoint agree (fp32)."""
    ref = Engine(tiny_model, threads=1)
    ids = gqa.encode(gqa.chat_prompt(PROMPT))
    np.testing.assert_allclose(gqa.full_logits(ids), ref.full_logits(ids), atol=1e-3)
    params = SamplingParams(max_new_tokens=16)
    a, b = gqa.generate(ids, params), ref.generate(ids, params)
    assert a.token_ids == b.token_ids
    np.testing.assert_allclose(a.entropies, b.entropies, atol=1e-3)


def test_a_second_generation_reuses_the_buffer_cleanly(gqa: Engine) -> None:
    long = gqa.chat([Message("user", "word " * 30)], SamplingParams(max_new_tokens=20))
    short_a = gqa.chat(PROMPT, SamplingParams(max_new_tokens=10))
    short_b = gqa.chat(PROMPT, SamplingParams(max_new_tokens=10))
    assert long.token_ids and short_a.token_ids == short_b.token_ids  # stale positions are never read


def test_streaming_cancel_and_context_limit(gqa: Engine) -> None:
    cancel = threading.Event()
    events: list[TokenEvent] = []

    def on_token(ev: TokenEvent) -> None:
        events.append(ev)
        if len(events) == 3:
            cancel.set()

    gen = gqa.chat(PROMPT, SamplingParams(max_new_tokens=50, stop_token_ids=()), on_token=on_token, cancel=cancel)
    assert gen.finish_reason == "cancelled" and [e.token_id for e in events] == list(gen.token_ids)
    assert all(e.logprob <= 0.0 and e.entropy >= 0.0 for e in events)
    with pytest.raises(ContextTooLong, match="maximum context of 128"):
        gqa.chat([Message("user", "word " * 200)], SamplingParams(max_new_tokens=8))
