"""Each item's answer from the device and from the cloud, computed once and kept.

An `Answerer` turns an item into an `Answer` (text or a command, and for a model the per-token
log-probabilities and entropies a draft-reading router needs). `answer_all` fills an `AnswerCache`
(one JSON-lines file per answerer under `<cache>/route-eval/`, keyed by the item's key and the
answerer's name, which includes its model) and only computes what is missing, so routers are compared
on the very same answers and a rerun costs nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from harness.eval.route.items import Item

MAX_TOKENS = {"mc": 12, "short": 24, "number": 256, "command": 64}


@dataclass(frozen=True)
class Answer:
    answer: Any
    """The text, or for a command `{"intent", "slots"}` (None: not understood)."""
    logprobs: tuple[float, ...] = ()
    entropies: tuple[float, ...] = ()
    confidence: float | None = None
    """A parser's confidence in a command (None for a model's text)."""
    ms: float = 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["logprobs"] = [round(x, 4) for x in self.logprobs]
        data["entropies"] = [round(x, 4) for x in self.entropies]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        return cls(data["answer"], tuple(data.get("logprobs", ())), tuple(data.get("entropies", ())),
                   data.get("confidence"), float(data.get("ms", 0.0)))


class Answerer(Protocol):
    @property
    def name(self) -> str: ...

    def answer(self, item: Item) -> Answer | None:
        """None: this answerer does not take items of this kind."""
        ...


@dataclass
class AnswerCache:
    root: Path
    _loaded: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def _file(self, answerer: str) -> Path:
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in answerer)
        return self.root / f"{safe}.jsonl"

    def _rows(self, answerer: str) -> dict[str, dict[str, Any]]:
        if answerer not in self._loaded:
            rows: dict[str, dict[str, Any]] = {}
            path = self._file(answerer)
            if path.exists():
                for line in path.read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        row = json.loads(line)
                        rows[row["key"]] = row["answer"]
            self._loaded[answerer] = rows
        return self._loaded[answerer]

    def get(self, answerer: str, item: Item) -> Answer | None:
        row = self._rows(answerer).get(item.key)
        return Answer.from_json(row) if row is not None else None

    def put(self, answerer: str, item: Item, answer: Answer) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self._rows(answerer)[item.key] = answer.to_json()
        with self._file(answerer).open("a", encoding="utf-8") as f:
            f.write(json.dumps({"key": item.key, "answer": answer.to_json()}, ensure_ascii=False) + "\n")


def answer_all(items: Iterable[Item], answerer: Answerer, cache: AnswerCache | None,
               progress: Callable[[int], None] | None = None) -> dict[str, Answer]:
    """item key -> answer for every item the answerer takes (cached ones are not recomputed; `cache`
    None: nothing is kept, for answerers as fast as a lookup, such as the parser)."""
    out: dict[str, Answer] = {}
    for item in items:
        found = cache.get(answerer.name, item) if cache is not None else None
        if found is None:
            found = answerer.answer(item)
            if found is not None and cache is not None:
                cache.put(answerer.name, item, found)
        if found is not None:
            out[item.key] = found
        if progress is not None:
            progress(1)
    return out


@dataclass
class EngineAnswerer:
    """A tandem ONNX model (the device's, or the cloud's `onnx` backend model), greedy."""

    engine: Any
    label: str
    max_tokens: dict[str, int] = field(default_factory=lambda: dict(MAX_TOKENS))

    @property
    def name(self) -> str:
        return self.label

    def answer(self, item: Item) -> Answer | None:
        from inference.chat_format import Message
        from inference.engine import SamplingParams

        if item.kind == "command":
            return None
        started = time.perf_counter()
        gen = self.engine.chat([Message("user", item.prompt())],
                               SamplingParams(max_new_tokens=self.max_tokens[item.kind], no_repeat_ngram=4))
        return Answer(gen.text, gen.logprobs, gen.entropies, None, (time.perf_counter() - started) * 1000)


@dataclass
class BackendAnswerer:
    """The cloud worker's backend (onnx, llamacpp, openai), in-process: the same prompt the device would send."""

    backend: Any
    label: str
    max_tokens: dict[str, int] = field(default_factory=lambda: dict(MAX_TOKENS))

    @property
    def name(self) -> str:
        return self.label

    def answer(self, item: Item) -> Answer | None:
        from protocol.messages import SubTask

        if item.kind == "command":
            return None
        started = time.perf_counter()
        text = "".join(self.backend.generate(SubTask(prompt=item.prompt(), max_tokens=self.max_tokens[item.kind])))
        return Answer(text, (), (), None, (time.perf_counter() - started) * 1000)


@dataclass
class ParserAnswerer:
    """The device's command parser (no model text): `{"intent", "slots"}` or None, with its confidence."""

    parse: Callable[[Item], tuple[dict[str, Any] | None, float]]
    label: str = "device-parser"

    @property
    def name(self) -> str:
        return self.label

    def answer(self, item: Item) -> Answer | None:
        if item.kind != "command":
            return None
        started = time.perf_counter()
        call, confidence = self.parse(item)
        return Answer(call, (), (), confidence, (time.perf_counter() - started) * 1000)
