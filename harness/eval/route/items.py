"""The items a router is measured on, each with its own answer key.

Kinds (`--items FILE.jsonl` uses the same): `mc` (gold: the option letter; `choices` lists the options),
`number` (gold: the final number), `short` (gold: accepted answers), `command` (gold: `{"intent",
"slots"}`). The built-in mix takes a seeded sample from the public sets in `../shared/data/` (ARC-Easy
test, MMLU test, GSM8K test, NQ-open dev) and the hand-written command sets of `harness/eval/data/`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Kind = Literal["mc", "number", "short", "command"]
KINDS: tuple[Kind, ...] = ("mc", "number", "short", "command")
LETTERS = "ABCDEFGH"
SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"
COMMANDS = Path(__file__).resolve().parents[1] / "data"

class ItemsError(ValueError):
    """An items file line that cannot be used: the message says which and why."""

@dataclass(frozen=True)
class Item:
    text: str
    kind: Kind
    gold: Any
    source: str = "items"
    choices: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def key(self) -> str:
        """Stable id of the item (its kind, text and choices): the answer cache's key."""
        raw = json.dumps([self.kind, self.text, list(self.choices)], ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()[:24]

    def prompt(self) -> str:
        """The request as a user would send it (the same for the device and the cloud)."""
        if self.kind == "mc":
            options = " ".join(f"{LETTERS[i]}) {c}" for i, c in enumerate(self.choices))
            return f"{self.text}\nOptions: {options}\nReply with the letter of the correct option."
        if self.kind == "number":
            return f"{self.text}\nSolve it step by step and end with the line 'Answer: <number>'."
        if self.kind == "short":
            question = self.text.rstrip("?")
            return f"{question[:1].upper()}{question[1:]}? Answer in a few words."
        return self.text

def load_items(path: Path) -> list[Item]:
    """Items from a JSONL file `{"text", "kind", "gold", ...}` (see the module docstring)."""
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ItemsError(f"{path}:{n}: not JSON ({exc.msg})") from exc
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or obj.get("kind") not in KINDS \
                or "gold" not in obj:
            raise ItemsError(f"{path}:{n}: need {{\"text\": str, \"kind\": one of {', '.join(KINDS)}, \"gold\"}}")
        choices = tuple(str(c) for c in obj.get("choices", ()))
        if obj["kind"] == "mc" and not choices:
            raise ItemsError(f"{path}:{n}: an mc item needs its \"choices\"")
        rest = {k: v for k, v in obj.items() if k not in ("text", "kind", "gold", "choices", "source")}
        items.append(Item(obj["text"], obj["kind"], obj["gold"], str(obj.get("source", path.stem)), choices, rest))
    return items

def default_mix(per_source: int, seed: int, commands: int | None = None) -> list[Item]:
    """A seeded sample of `per_source` items from each public set plus `commands` device commands
    (default: as many as `per_source`)."""
    rng = random.Random(seed)
    mix: list[Item] = []
    for source, rows in (("arc", _arc()), ("mmlu", _mmlu()), ("gsm8k", _gsm8k()), ("nq_open", _nq())):
        mix.extend(_sample(rows, per_source, rng))
    mix.extend(_sample(_commands(), per_source if commands is None else commands, rng))
    return mix

def _sample(rows: Sequence[Item], n: int, rng: random.Random) -> list[Item]:
    return rng.sample(list(rows), min(n, len(rows)))

def _arc() -> list[Item]:
    rows = (json.loads(line) for line in (SHARED / "arc" / "arc_easy_test.jsonl").read_text().splitlines() if line)
    return [Item(r["query"].removeprefix("Question: "), "mc", LETTERS[r["gold"]], "arc", tuple(r["choices"]))
            for r in rows]

def _mmlu() -> list[Item]:
    items = []
    for path in sorted((SHARED / "mmlu" / "test").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            next(reader, None)
            for row in reader:
                if len(row) == 6:
                    items.append(Item(row[0], "mc", LETTERS[int(row[5])], "mmlu", tuple(row[1:5])))
    return items

def _gsm8k() -> list[Item]:
    items = []
    for line in (SHARED / "gsm8k" / "test.jsonl").read_text(encoding="utf-8").splitlines():
        if line:
            r = json.loads(line)
            gold = r["answer"].rsplit("####", 1)[-1].strip().replace(",", "")
            items.append(Item(r["question"], "number", gold, "gsm8k"))
    return items

def _nq() -> list[Item]:
    rows = (json.loads(line) for line in (SHARED / "nq_open" / "NQ-open.dev.jsonl").read_text().splitlines() if line)
    return [Item(r["question"], "short", list(r["answer"]), "nq_open") for r in rows]

def _commands() -> list[Item]:
    """Everyday commands over the held-out fixture home (hand-written; the parsers never trained on them)."""
    path = COMMANDS / "tools_paraphrase.jsonl"
    if not path.exists():
        return []
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return [Item(r["text"], "command", {"intent": r["intent"], "slots": r["slots"]}, "commands",
                 extra={"context": r.get("context")}) for r in rows if r.get("intent")]

def by_source(items: Iterable[Item]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.source] = counts.get(item.source, 0) + 1
    return counts

