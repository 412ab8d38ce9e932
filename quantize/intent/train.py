"""Fine-tune MiniLM-L6 with a joint head, on CPU, in about two minutes, from a seed.

One encoder, two heads: the sentence's class (intent + fixed slots, or "none") from the mean of the
last layer over the real tokens, and a BIO slot tag per token from that token's last-layer state.
The loss is the sum of both cross entropies. The word embeddings and the lowest layer stay as
pretrained (names and words the generator never used keep their meaning, and a step costs less).
Run in a child process by `quantize.intent.build`: torch never enters the parent.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from device.tools.parsers.gazetteer import TYPE_VOCAB
from quantize.intent.dataset import Encoded, draw, encode, gazetteer_of, load_tokenizer
from quantize.intent.labels import NONE, bio_tags

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipe:
    """Everything that decides the trained weights; its hash keys the model cache."""

    seed: int = 1234
    samples: int = 20000  # ~625 steps of 32 short sentences
    epochs: int = 1
    batch_size: int = 32
    lr: float = 2e-4
    head_lr: float = 2e-3
    freeze_layers: int = 1
    warmup: float = 0.06
    weight_decay: float = 0.01
    dropout: float = 0.1
    threads: int = 2
    heldout_samples: int = 1500  # the generated held-out split: seed + 1, the HELDOUT names
    no_gazetteer: float = 0.1  # share of sentences trained without the home's names marked


def label_spaces(data: list[Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The classes (NONE first, then sorted) and BIO tags the training data uses."""
    classes = (NONE, *sorted({s.cls for s in data} - {NONE}))
    return classes, bio_tags(sp.slot for s in data for sp in s.spans)


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


def build_model(base_dir: Path, n_classes: int, n_tags: int, dropout: float) -> Any:
    """The encoder from `base_dir` with the class and tag heads (a torch module: ids, mask -> two logits)."""
    import torch
    from transformers import BertModel

    class JointHead(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = BertModel.from_pretrained(str(base_dir), add_pooling_layer=False)
            width = self.bert.config.hidden_size
            # the token-type embedding carries the gazetteer mask: each new row starts as the pretrained
            # type-0 row, so the encoder starts exactly where it was pretrained
            old = self.bert.embeddings.token_type_embeddings
            widened = torch.nn.Embedding(TYPE_VOCAB, old.embedding_dim)
            with torch.no_grad():
                widened.weight.copy_(old.weight[0:1].expand(TYPE_VOCAB, -1))
            self.bert.embeddings.token_type_embeddings = widened
            self.bert.config.type_vocab_size = TYPE_VOCAB
            self.drop = torch.nn.Dropout(dropout)
            self.intent = torch.nn.Linear(width, n_classes)
            self.tags = torch.nn.Linear(width, n_tags)

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return self.intent(self.drop(pooled)), self.tags(self.drop(hidden))

    return JointHead()


def train(base_dir: Path, out_dir: Path, recipe: Recipe,
          progress: Callable[[int, int, float], None] | None = None) -> dict[str, Any]:
    """Fine-tune; save ``out_dir/model.pt`` and return the stats with the label spaces."""
    import torch

    torch.manual_seed(recipe.seed)
    torch.set_num_threads(recipe.threads)
    rng = random.Random(recipe.seed)
    t0 = time.perf_counter()
    tokenizer = load_tokenizer(base_dir / "tokenizer.json")
    homes, raw = draw(recipe.samples, recipe.seed)
    classes, tags = label_spaces(raw)
    class_ids = {c: i for i, c in enumerate(classes)}
    tag_ids = {t: i for i, t in enumerate(tags)}
    gazetteers = [gazetteer_of(h) for h in homes]
    # a share without the home's names: a device without an inventory still parses
    data = [encode(s, tokenizer, class_ids, tag_ids,
                   gazetteers[s.home] if s.home >= 0 and rng.random() >= recipe.no_gazetteer else None) for s in raw]
    t_data = time.perf_counter() - t0

    model = build_model(base_dir, len(classes), len(tags), recipe.dropout)
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    for layer in model.bert.encoder.layer[:recipe.freeze_layers]:
        layer.requires_grad_(False)
    steps = recipe.epochs * -(-len(data) // recipe.batch_size)
    encoder = [p for p in model.bert.parameters() if p.requires_grad]
    heads = list(model.intent.parameters()) + list(model.tags.parameters())
    optim = torch.optim.AdamW([{"params": encoder, "lr": recipe.lr}, {"params": heads, "lr": recipe.head_lr}],
                              weight_decay=recipe.weight_decay)
    warm = max(1, int(steps * recipe.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    model.train()
    step, loss_ema = 0, 0.0
    for _ in range(recipe.epochs):
        for batch in _batches(data, recipe.batch_size, rng):
            width = max(len(e.input_ids) for e in batch)
            ids = torch.tensor([e.input_ids + [0] * (width - len(e.input_ids)) for e in batch], dtype=torch.long)
            tag_gold = torch.tensor([e.tags + [-100] * (width - len(e.tags)) for e in batch], dtype=torch.long)
            types = torch.tensor([e.type_ids + [0] * (width - len(e.type_ids)) for e in batch], dtype=torch.long)
            cls_gold = torch.tensor([e.cls for e in batch], dtype=torch.long)
            cls_logits, tag_logits = model(ids, (ids != 0).long(), types)
            loss = loss_fn(cls_logits, cls_gold) + loss_fn(tag_logits.reshape(-1, len(tags)), tag_gold.reshape(-1))
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
    torch.save(model.state_dict(), out_dir / "model.pt")
    return {"data_s": round(t_data, 1), "train_s": round(time.perf_counter() - t0 - t_data, 1), "steps": step,
            "final_loss": round(loss_ema, 4), "sentences": len(data), "classes": list(classes), "tags": list(tags),
            "here_classes": sorted({s.cls for s in raw if s.here is not None}), "type_vocab": TYPE_VOCAB,
            "intent_slots": intent_slots(raw)}


def intent_slots(data: list[Any]) -> dict[str, list[str]]:
    """intent -> every slot the training sentences give it, tagged or fixed by their class."""
    seen: dict[str, set[str]] = {}
    for s in data:
        if s.cls == NONE:
            continue
        intent, *fixed = s.cls.split("|")
        seen.setdefault(intent, set()).update(sp.slot for sp in s.spans)
        seen[intent].update(pair.partition("=")[0] for pair in fixed)
    return {k: sorted(v) for k, v in sorted(seen.items())}
