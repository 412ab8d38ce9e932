"""Fine-tune MiniLM-L6 (uncased) for BIO token classification, on CPU, in minutes, from a seed.

The token-type embedding is widened to `CASE_VOCAB` rows and carries the case features (see
`device.redaction.ner_features`); each new row starts as a copy of the pretrained type-0 row, so
the encoder starts exactly where it was pretrained. Batches are length-bucketed to keep padding
(and CPU time) low. Run in a child process by `quantize.ner.build`: torch never enters the parent.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from device.redaction.ner_features import CASE_VOCAB
from quantize.ner.dataset import LABELS, Encoded, encode, load_tokenizer, samples

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipe:
    """Everything that decides the trained weights; its hash keys the model cache."""

    seed: int = 1234
    samples: int = 9000  # 7000 left PII-free requests touched 4-8% of the time; 9000 builds in ~95 s on 2 cores
    epochs: int = 1
    batch_size: int = 16
    lr: float = 1e-4
    freeze_word_embeddings: bool = True  # a quarter of the step time, and they need no new meaning
    freeze_layers: int = 1  # lowest encoder layers kept as pretrained: no backward pass through them
    warmup: float = 0.06
    weight_decay: float = 0.01
    threads: int = 2


def _batches(data: list[Encoded], batch_size: int, rng: random.Random) -> list[list[Encoded]]:
    """Length-bucketed batches in random order: sort within chunks of 50 batches, then shuffle."""
    order = data[:]
    rng.shuffle(order)
    chunk = batch_size * 50
    batches: list[list[Encoded]] = []
    for i in range(0, len(order), chunk):
        block = sorted(order[i:i + chunk], key=lambda e: len(e.input_ids))
        batches += [block[j:j + batch_size] for j in range(0, len(block), batch_size)]
    rng.shuffle(batches)
    return batches


def _tensors(batch: list[Encoded]):
    import torch

    width = max(len(e.input_ids) for e in batch)

    def pad(rows: list[list[int]], value: int) -> torch.Tensor:
        return torch.tensor([r + [value] * (width - len(r)) for r in rows], dtype=torch.long)

    ids = pad([e.input_ids for e in batch], 0)
    return (ids, (ids != 0).long(), pad([e.case_ids for e in batch], 0), pad([e.labels for e in batch], -100))


def train(base_dir: Path, out_dir: Path, recipe: Recipe,
          progress: Callable[[int, int, float], None] | None = None) -> dict[str, float]:
    """Fine-tune the encoder in `base_dir` and save it (transformers format) to `out_dir`."""
    import torch
    from transformers import BertForTokenClassification

    torch.manual_seed(recipe.seed)
    torch.set_num_threads(recipe.threads)
    rng = random.Random(recipe.seed)
    t0 = time.perf_counter()
    tokenizer = load_tokenizer(base_dir / "tokenizer.json")
    data = [encode(s, tokenizer) for s in samples(recipe.samples, recipe.seed)]
    t_data = time.perf_counter() - t0

    model = BertForTokenClassification.from_pretrained(
        str(base_dir), num_labels=len(LABELS), id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    old = model.bert.embeddings.token_type_embeddings
    widened = torch.nn.Embedding(CASE_VOCAB, old.embedding_dim)
    with torch.no_grad():
        widened.weight.copy_(old.weight[0:1].expand(CASE_VOCAB, -1))
    model.bert.embeddings.token_type_embeddings = widened
    model.config.type_vocab_size = CASE_VOCAB
    model.bert.embeddings.word_embeddings.weight.requires_grad_(not recipe.freeze_word_embeddings)
    for layer in model.bert.encoder.layer[:recipe.freeze_layers]:
        layer.requires_grad_(False)

    steps = recipe.epochs * -(-len(data) // recipe.batch_size)
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=recipe.lr, weight_decay=recipe.weight_decay)
    warm = max(1, int(steps * recipe.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    model.train()
    step, loss_ema = 0, 0.0
    for _ in range(recipe.epochs):
        for batch in _batches(data, recipe.batch_size, rng):
            ids, mask, cases, labels = _tensors(batch)
            loss = model(input_ids=ids, attention_mask=mask, token_type_ids=cases, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            optim.zero_grad()
            step += 1
            loss_ema = loss.item() if step == 1 else 0.95 * loss_ema + 0.05 * loss.item()
            if progress is not None:
                progress(step, steps, loss_ema)
    model.eval()
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out_dir))
    return {"data_s": round(t_data, 1), "train_s": round(time.perf_counter() - t0 - t_data, 1),
            "steps": step, "final_loss": round(loss_ema, 4)}
