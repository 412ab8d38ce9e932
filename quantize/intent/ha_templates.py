"""Home Assistant's English sentence templates, expanded at random and labelled by Home Assistant's matcher.

`hassil.sample_intents` enumerates a template's expansions in order (the first thousand differ only
in their last word), so this module walks each template's expression tree instead, choosing at
random at every alternative, list and range: a few draws per template cover its phrasings evenly.
Slot lists are the synthetic home's names (`quantize.intent.homes`), with the entity's domain and
device class as context the way Home Assistant builds them, and our own fillers for the wildcards
(shopping items, search queries, timer names, messages).

Each sentence is then run back through `hassil.recognize_best`: its intent and entities are the
label (the model learns what Home Assistant outputs, not what the walk meant), and a sentence it
does not recognise is dropped. An entity with text in the sentence becomes a tagged span; one
without (a template's fixed `domain: light`) becomes part of the sentence's class, see
`quantize.intent.labels`.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from quantize.intent.homes import SynthHome
from quantize.intent.labels import Labelled, Span

if TYPE_CHECKING:
    from hassil import Intents

# wildcard list -> fillers (words Home Assistant passes through as they are)
WILDCARDS: dict[str, tuple[str, ...]] = {
    "shopping_list_item": ("milk", "eggs", "bread", "apples", "dish soap", "coffee beans", "paper towels", "olive oil",
                           "batteries", "cat food", "toothpaste", "oat milk", "bin bags", "rice", "lemons", "butter"),
    "todo_list_item": ("call the plumber", "pay the gas bill", "water the plants", "book a dentist appointment",
                       "renew passport", "fix the gate", "clean the gutters", "return library books"),
    "search_query": ("jazz", "the beatles", "taylor swift", "lo-fi beats", "abbey road", "classical music",
                     "the daily podcast", "miles davis", "bohemian rhapsody", "daft punk", "rainy day playlist",
                     "the news"),
    "message": ("dinner is ready", "time to go", "the car is here", "come downstairs", "lights out in ten minutes",
                "the movie is starting", "bedtime"),
    "timer_name": ("pasta", "eggs", "pizza", "laundry", "tea", "rice", "bread", "nap", "workout", "oven", "homework"),
    "timer_command": ("turn off the lights", "open the blinds", "turn on the fan", "lock the door"),
    "zone": ("home", "work", "school", "the gym"),
}


@functools.lru_cache(maxsize=1)
def english_intents() -> Intents:
    from hassil import Intents
    from home_assistant_intents import get_intents

    data = get_intents("en")
    if data is None:
        raise RuntimeError("home-assistant-intents ships no English sentences: reinstall it")
    return Intents.from_dict(data)


def slot_lists(h: SynthHome) -> dict[str, Any]:
    """`name`, `area` and `floor` lists for hassil, with the entity's context (domain, device class, area)."""
    from hassil import TextSlotList

    names = []
    for e in h.entities:
        context: dict[str, Any] = {"domain": e.domain}
        if e.device_class:
            context["device_class"] = e.device_class
        if e.area:
            context["area"] = e.area
        names.append((e.name, e.name, context))
    return {"name": TextSlotList.from_tuples(names, allow_template=False),
            "area": TextSlotList.from_tuples([(a, a, {}) for a in h.areas], allow_template=False),
            "floor": TextSlotList.from_tuples([(f, f, {}) for f in h.floors], allow_template=False)}


def _fits(context: dict[str, Any] | None, requires: dict[str, Any], excludes: dict[str, Any]) -> bool:
    context = context or {}
    for key, want in requires.items():
        if key in ("area", "floor"):
            continue
        wants = want if isinstance(want, list) else [want]
        if context.get(key) not in wants:
            return False
    for key, bad in excludes.items():
        bads = bad if isinstance(bad, list) else [bad]
        if context.get(key) in bads:
            return False
    return True


class _Walk:
    """One random expansion: text pieces, each tagged with its slot name or None."""

    def __init__(self, rng: random.Random, lists: dict[str, Any], rules: dict[str, Any],
                 requires: dict[str, Any], excludes: dict[str, Any]) -> None:
        self.rng, self.lists, self.rules = rng, lists, rules
        self.requires, self.excludes = requires, excludes
        self.pieces: list[tuple[str, str | None]] = []

    def expr(self, e: Any, slot: str | None = None) -> None:
        from hassil.expression import (
            Alternative,
            ListReference,
            Permutation,
            RuleReference,
            Sequence,
            TextChunk,
        )

        if isinstance(e, TextChunk):
            self.pieces.append((e.original_text, slot))
        elif isinstance(e, Alternative):
            self.expr(self.rng.choice(e.items), slot)
        elif isinstance(e, Permutation):
            items = list(e.items)
            self.rng.shuffle(items)
            for item in items:
                self.pieces.append((" ", None))
                self.expr(item, slot)
            self.pieces.append((" ", None))
        elif isinstance(e, Sequence):
            for item in e.items:
                self.expr(item, slot)
        elif isinstance(e, RuleReference):
            self.expr(self.rules[e.rule_name].expression, slot)
        elif isinstance(e, ListReference):
            self.list_ref(e)
        else:
            raise TypeError(f"unexpected hassil expression {e!r}")

    def list_ref(self, ref: Any) -> None:
        from hassil.intents import RangeSlotList, TextSlotList, WildcardSlotList

        slot_list = self.lists.get(ref.list_name)
        slot = ref.slot_name
        if isinstance(slot_list, TextSlotList):
            values = [v for v in slot_list.values if ref.list_name != "name"
                      or _fits(v.context, self.requires, self.excludes)]
            if not values:
                raise LookupError(ref.list_name)
            value = self.rng.choice(values)
            start = len(self.pieces)
            self.expr(value.text_in)
            text = "".join(t for t, _ in self.pieces[start:])
            del self.pieces[start:]
            self.pieces.append((text, slot))
        elif isinstance(slot_list, RangeSlotList):
            numbers = range(slot_list.start, slot_list.stop + 1, slot_list.step)
            n = self.rng.choice(numbers)
            if slot_list.fraction_type is not None and self.rng.random() < 0.15:
                self.pieces.append((f"{n}.5", slot))
            elif slot_list.words and self.rng.random() < 0.2:
                self.pieces.append((_number_words(n), slot))
            else:
                self.pieces.append((str(n), slot))
        elif isinstance(slot_list, WildcardSlotList):
            self.pieces.append((self.rng.choice(WILDCARDS.get(ref.list_name, WILDCARDS["shopping_list_item"])), slot))
        else:
            raise LookupError(ref.list_name)  # noqa: TRY004 - no values to draw for this list: skip the template

    def text(self) -> tuple[str, list[tuple[int, int, str]]]:
        """The sentence with whitespace collapsed, and the character spans of the tagged pieces."""
        out: list[str] = []
        spans: list[tuple[int, int, str]] = []
        for piece, slot in self.pieces:
            start = None
            for ch in piece:
                if ch.isspace():
                    if out and out[-1] != " ":
                        out.append(" ")
                    continue
                if start is None:
                    start = len(out)
                out.append(ch)
            if slot is not None and start is not None:
                spans.append((start, len("".join(out).rstrip()), slot))
        return "".join(out).strip(), spans


def _number_words(n: int) -> str:
    from hassil.numbers import get_rbnf_engine

    result = get_rbnf_engine("en").format_number(n)
    return min(set(result.text_by_ruleset.values()), key=len)


def _templates() -> list[tuple[str, Any, Any]]:
    """Every (intent name, intent data, sentence) of the English templates."""
    intents = english_intents()
    return [(name, data, sentence) for name, intent in intents.intents.items()
            for data in intent.data for sentence in data.sentences]


def ha_samples(rng: random.Random, homes: list[SynthHome], n: int) -> Iterator[Labelled]:
    """`n` labelled sentences drawn evenly over the templates (fewer if some walks are not recognised)."""
    from hassil import recognize_best

    intents = english_intents()
    templates = _templates()
    # intents drawn in proportion to the square root of their template count: the 100 timer templates
    # do not drown the 5 of HassSetPosition
    by_intent: dict[str, list[tuple[str, Any, Any]]] = {}
    for entry in templates:
        by_intent.setdefault(entry[0], []).append(entry)
    names = sorted(by_intent)
    weights = [len(by_intent[name]) ** 0.5 for name in names]
    lists_by_home = [slot_lists(h) for h in homes]
    made = attempts = 0
    while made < n and attempts < n * 3:
        attempts += 1
        pool = by_intent[rng.choices(names, weights)[0]]
        _, data, sentence = pool[rng.randrange(len(pool))]
        k = rng.randrange(len(homes))
        h, own = homes[k], lists_by_home[k]
        lists = {**intents.slot_lists, **data.slot_lists, **own}
        rules = {**intents.expansion_rules, **data.expansion_rules}
        walk = _Walk(rng, lists, rules, data.requires_context or {}, data.excludes_context or {})
        try:
            walk.expr(sentence.expression)
        except LookupError:
            continue
        text, walk_spans = walk.text()
        if not text:
            continue
        if rng.random() < 0.3:
            text = text.lower()
        here = rng.choice(h.areas) if rng.random() < 0.3 else None
        # no text: hassil copies a context slot with the context's text, and an empty one tells it from a said area
        context = {"area": {"value": here, "text": ""}} if here else None
        result = recognize_best(text, intents, slot_lists=own, intent_context=context, language="en",
                                best_slot_name="name")  # as Home Assistant's agent: a named entity wins
        if result is None or result.intent is None:
            continue
        labelled = _label(text, result, walk_spans, here)
        if labelled is not None:
            labelled = replace(labelled, home=k)
            made += 1
            yield labelled


def _label(text: str, result: Any, walk_spans: list[tuple[int, int, str]], here: str | None) -> Labelled | None:
    spans: list[Span] = []
    fixed: dict[str, Any] = {}
    folded = text.casefold()
    for slot, entity in result.entities.items():
        value = entity.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        words = (entity.text or "").strip()
        if not words:
            if slot == "area" and here is not None and value == here:
                continue  # the device's own area: added at run time, not read from the sentence
            if isinstance(value, (str, int, float)):
                fixed[slot] = value
                continue
            return None
        found = next(((s, e) for s, e, name in walk_spans if name == slot and folded[s:e] == words.casefold()), None)
        if found is None:
            at = folded.find(words.casefold())
            if at < 0:
                return None
            found = (at, at + len(words))
        spans.append(Span(found[0], found[1], slot, value))
    used_here = here is not None and "area" in result.entities and not (result.entities["area"].text or "").strip()
    return Labelled(text, result.intent.name, tuple(sorted(fixed.items())), tuple(sorted(spans)),
                    here if used_here else None, "ha")
