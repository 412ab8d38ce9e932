"""Compound requests: a device job with private context and a knowledge question in one request.

Pairs from `data/compound_parts.json` (a personal writing job naming a contact, or a command for the
fixture home; and a knowledge question with accepted short answers), joined as a user writes them
("Remind Tobias Lindqvist (+46 ...) that ..., and tell me: What is the capital of Australia?").

Two ways to answer each, scored the same way:

* **tandem**: the device agent as configured (planner, routers, tools in dry run, escalation over a
  real broker to a real worker); every byte on the broker is sniffed (a client subscribed to `#`).
* **whole to the cloud**: the whole request, redacted by the same redactor, answered by the cloud
  model as text, and planned by it as a call (as generous a baseline as the cloud allows).

A pair is right when both parts are: the device part's call has the intent and slots of its key (a
personal part: its contact's name is in the answer the user sees), and the answer holds one of the
question's accepted answers. Privacy: the count of private values (names, numbers, addresses, and the
home's device names) in what the cloud was sent (`leaks_to_pool`) and in any payload on the broker
(`leaks_on_wire`); both must be zero.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.eval.route.items import Item
from harness.eval.route.scoring import correct

DATA = Path(__file__).parent / "data" / "compound_parts.json"


@dataclass(frozen=True)
class Pair:
    text: str
    device: dict[str, Any]
    question: str
    gold: tuple[str, ...]

    @property
    def private(self) -> tuple[str, ...]:
        return tuple(self.device.get("personal", ()))


def pairs(n: int, seed: int, path: Path = DATA) -> list[Pair]:
    """`n` seeded pairs of a device part and a knowledge part (each device part used in turn)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    questions = list(data["knowledge"])
    rng.shuffle(questions)
    out = []
    for i in range(n):
        device = data["device"][i % len(data["device"])]
        q = questions[i % len(questions)]
        join = data["joins"][i % len(data["joins"])]
        question = q["text"] if not join.startswith("{device}. ") else q["text"][:1].lower() + q["text"][1:]
        out.append(Pair(join.format(device=device["text"], question=question), device, q["text"], tuple(q["gold"])))
    return out


def device_part_right(pair: Pair, call: dict[str, Any] | None, answer_text: str) -> bool:
    if "command" in pair.device:
        return call is not None and correct(Item(pair.text, "command", pair.device["command"]), call)
    name = pair.private[0]
    return name.casefold() in answer_text.casefold()


def question_right(pair: Pair, answer_text: str) -> bool:
    return correct(Item(pair.question, "short", list(pair.gold)), answer_text)


def mentions(text: str, value: str) -> bool:
    """`value` appears in `text` as a whole word or phrase, any case ("CO" is not in "continents")."""
    return re.search(rf"(?<!\w){re.escape(value.casefold())}(?!\w)", text.casefold()) is not None


def leaks(payloads: Iterable[bytes | str], private: Sequence[str]) -> list[str]:
    """The private values found in any payload (text or bytes, whole words, any case)."""
    blobs = [p.decode("utf-8", "replace") if isinstance(p, bytes) else p for p in payloads]
    return [value for value in private if any(mentions(b, value) for b in blobs)]


@dataclass
class Outcome:
    pair: Pair
    device_right: bool
    question_right: bool
    leaked_to_pool: list[str] = field(default_factory=list)
    leaked_on_wire: list[str] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    echoes: int = 0
    """Lines of the answer that repeat what was asked (the fusion's measure: 0 is one clean answer)."""

    @property
    def right(self) -> bool:
        return self.device_right and self.question_right


def echo_lines(answer: str, asked: Sequence[str]) -> int:
    """How many lines of `answer` echo one of the `asked` texts (`device.collab.fusers.compose.is_echo`)."""
    from device.collab.fusers.compose import is_echo

    return sum(1 for line in answer.splitlines() if line.strip() and any(is_echo(line, a) for a in asked))


def summary(tandem: Sequence[Outcome], whole: Sequence[Outcome]) -> dict[str, Any]:
    def share(rows: Sequence[Outcome], key: Callable[[Outcome], bool]) -> float | None:
        return round(sum(map(key, rows)) / len(rows), 4) if rows else None

    return {
        "n": len(tandem),
        "tandem": {"both_right": share(tandem, lambda o: o.right), "device_part": share(tandem, lambda o: o.device_right),
                   "question": share(tandem, lambda o: o.question_right),
                   "leaks_to_pool": sum(len(o.leaked_to_pool) for o in tandem),
                   "leaks_on_wire": sum(len(o.leaked_on_wire) for o in tandem),
                   "answers_with_echoes": share(tandem, lambda o: o.echoes > 0)},
        "whole_to_cloud": {"both_right": share(whole, lambda o: o.right),
                           "device_part": share(whole, lambda o: o.device_right),
                           "question": share(whole, lambda o: o.question_right),
                           "answers_with_echoes": share(whole, lambda o: o.echoes > 0)},
        "items": [{"text": o.pair.text, "routes": o.routes, "device_right": o.device_right,
                   "question_right": o.question_right, "leaked": o.leaked_to_pool + o.leaked_on_wire,
                   "echo_lines": o.echoes}
                  for o in tandem],
    }
