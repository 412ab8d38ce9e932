"""The engine on the tiny model the suite builds: KV-cache correctness, streaming, scores, limits."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import numpy as np
import pytest

from inference.chat_format import Message
from inference.engine import Engine, SamplingParams, TokenEvent
from inference.errors import ContextTooLong, ModelError

PROMPT = [Message("user", "hello there, how are you")]


@pytest.fixture(scope="module")
def engine(tiny_model: Path) -> Engine:
    return Engine(tiny_model, threads=1)


def test_kv_cache_decoding_matches_full_recompute(engine: Engine) -> None:
    ids = engine.encode(engine.chat_prompt(PROMPT))
    gen = engine.generate(ids, SamplingParams(max_new_tokens=12, stop_token_ids=()))
    # reference: re-run the whole sequence without a cache before every token
    seq = list(ids)
    expected = []
    for _ in range(len(gen.token_ids)):
        token = int(np.argmax(engine.full_logits(seq)))
        expected.append(token)
        seq.append(token)
    assert list(gen.token_ids) == expected


def test_streamed_text_equals_final_text_and_scores_are_sane(engine: Engine) -> None:
    events: list[TokenEvent] = []
    gen = engine.chat(PROMPT, SamplingParams(max_new_tokens=16), on_token=events.append)
    assert [e.token_id for e in events] == list(gen.token_ids)
    assert "".join(e.text for e in events) == gen.text
    vocab = engine.tokenizer.get_vocab_size()
    for e in events:
        assert e.logprob <= 0.0
        assert 0.0 <= e.entropy <= math.log(vocab) + 1e-6
    assert gen.mean_entropy == pytest.approx(sum(gen.entropies) / len(gen.entropies))


def test_sampling_is_seeded(engine: Engine) -> None:
    params = SamplingParams(max_new_tokens=12, temperature=1.0, seed=7)
    a = engine.chat(PROMPT, params)
    b = engine.chat(PROMPT, params)
    c = engine.chat(PROMPT, SamplingParams(max_new_tokens=12, temperature=1.0, seed=8))
    assert a.token_ids == b.token_ids
    assert a.token_ids != c.token_ids


def test_stop_tokens_and_cancel(engine: Engine) -> None:
    first = engine.chat(PROMPT, SamplingParams(max_new_tokens=4)).token_ids[0]
    stopped = engine.chat(PROMPT, SamplingParams(max_new_tokens=4, stop_token_ids=(first,)))
    assert stopped.token_ids == () and stopped.finish_reason == "stop"

    cancel = threading.Event()
    seen: list[int] = []

    def on_token(ev: TokenEvent) -> None:
        seen.append(ev.token_id)
        if len(seen) == 3:
            cancel.set()

    gen = engine.chat(PROMPT, SamplingParams(max_new_tokens=50), on_token=on_token, cancel=cancel)
    assert gen.finish_reason == "cancelled" and len(gen.token_ids) == 3


def test_context_limit_is_a_clear_error(tiny_model: Path) -> None:
    small = Engine(tiny_model, max_context=32)
    with pytest.raises(ContextTooLong, match="maximum context of 32"):
        small.chat([Message("user", "word " * 40)], SamplingParams(max_new_tokens=8))


def test_missing_model_dir_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="tandem model build"):
        Engine(tmp_path)


def test_no_repeat_ngram_breaks_loops_and_keeps_the_models_scores(engine: Engine) -> None:
    free = engine.chat(PROMPT, SamplingParams(max_new_tokens=40))
    grams = [free.token_ids[i:i + 3] for i in range(len(free.token_ids) - 2)]
    assert len(grams) != len(set(grams)), "the random tiny model should loop without the guard"
    guarded = engine.chat(PROMPT, SamplingParams(max_new_tokens=40, no_repeat_ngram=3))
    grams = [guarded.token_ids[i:i + 3] for i in range(len(guarded.token_ids) - 2)]
    assert len(grams) == len(set(grams))
    # up to the first ban the two runs agree token for token, with the same scores
    assert guarded.token_ids[:3] == free.token_ids[:3]
    assert guarded.logprobs[:3] == pytest.approx(free.logprobs[:3])
