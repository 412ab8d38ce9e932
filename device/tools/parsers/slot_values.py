"""Slot words -> slot values as Home Assistant's intent tests write them (shared by the parser stages).

A parser that reads spans ("the den lamp", "eighty", "halfway") hands them here with the slot's
name and gets the value Home Assistant would put in that slot:

* `name` -> the inventory's entity name (case-insensitive, aliases, articles, plurals, close
  spellings: `device.home.resolve.match_names`); for timers it is the timer's own name, kept as said;
* `area` / `floor` -> the inventory's area or floor name; "here" / "in here" -> the device's own area;
* numbers -> numbers: "80", "80%", "eighty", "twenty five", "a hundred", "half" (30 for a timer's
  seconds, 50 for a position), "max" -> 100 and "min" -> 1 (brightness), "halfway" -> 50 (position);
* `volume_step` -> "up" / "down", or a number, negative when the sentence turns the volume down;
* `temperature_unit` -> "celsius" / "fahrenheit" ("C", "°F", "degrees centigrade");
* `search_query` -> the words without a leading "some" ("play some jazz": jazz), nor the article of a
  media class the sentence names ("play the Queen album": Queen);
* words from Home Assistant's own value lists (colours, states, device classes, fan modes, media
  classes) -> the list's value ("blinds" -> "blind", "shut" -> "closed"), from `value_maps`;
* words from a value list that do not map as said ("turned" of "turned on") -> the list's value for the
  span with its next word, or for that word, when one maps;
* free text (`item`, `search_query`, `message`, ...) -> the words as said.

`normalise` says whether the value is one the home has (`known`): a name, area or floor that matches
nothing keeps its words, and the caller lowers its confidence (the tools ask back later).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from device.home.resolve import HERE_WORDS, find_place, match_names
from device.tools.parsers.base import HomeVocabulary

__all__ = ["NUMBER_SLOTS", "SlotValue", "ha_name_domains", "ha_value_maps", "normalise", "parse_number"]

NUMBER_SLOTS = frozenset({"brightness", "position", "percentage", "volume_level", "temperature", "hours", "minutes",
                          "seconds", "start_hours", "start_minutes", "start_seconds"})
FREE_TEXT_SLOTS = frozenset({"item", "search_query", "message", "conversation_command", "zone"})

_UNITS = {"zero": 0, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
          "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_SPECIAL = {"half": 0.5, "halfway": 0.5, "half way": 0.5, "quarter": 0.25, "a quarter": 0.25, "a half": 0.5,
            "1/2": 0.5, "full": 1.0, "fully": 1.0, "all the way": 1.0}
_UNIT_WORDS = {"c": "celsius", "celsius": "celsius", "centigrade": "celsius", "f": "fahrenheit",
               "fahrenheit": "fahrenheit"}
_MEDIA_CLASS_WORDS = re.compile(r"\b(?:album|artist|band|track|song|playlist|podcast|movie|film|show|tv show|series|"
                                r"episode|radio|station|audiobook|book)s?\b", re.IGNORECASE)
_DOWN = re.compile(r"\b(down|decrease|lower|quieter|reduce|softer|drop|turn it down)\b", re.IGNORECASE)
_TIMER_INTENTS = re.compile(r"Timer")


@dataclass(frozen=True)
class SlotValue:
    value: Any
    known: bool = True
    """False: a name, area or floor the home does not have (the words are kept)."""


def parse_number(words: str) -> float | None:
    """"80", "80%", "21.5", "eighty", "twenty five", "a hundred", "one hundred" -> the number; else None."""
    text = words.casefold().replace("percent", "").replace("per cent", "").replace("%", "").replace("°", "")
    text = re.sub(r"\b(degrees?|celsius|fahrenheit|c|f|minutes?|mins?|hours?|hrs?|seconds?|secs?)\b", " ", text)
    text = text.replace("-", " ").strip()
    m = re.fullmatch(r"\d+(?:[.,]\d+)?", text)
    if m:
        return float(text.replace(",", "."))
    words_ = [w for w in text.split() if w != "and"]
    if not words_:
        return None
    total, current = 0, 0
    for w in words_:
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
    return float(total + current)


def _plain(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def _number_slot(slot: str, words: str, intent: str | None, text: str) -> Any:
    folded = " ".join(words.casefold().split())
    if slot == "brightness" and folded in ("max", "maximum", "highest", "full", "full brightness"):
        return 100
    if slot == "brightness" and folded in ("min", "minimum", "lowest"):
        return 1
    if folded in _SPECIAL or folded.removeprefix("a ") in _SPECIAL:
        share = _SPECIAL.get(folded, _SPECIAL.get(folded.removeprefix("a "), 0.5))
        if slot in ("seconds", "start_seconds", "minutes", "start_minutes", "hours", "start_hours"):
            return _plain(share * 60)  # "half a minute": Home Assistant says 30 seconds
        return _plain(share * 100)
    number = parse_number(words)
    return words if number is None else _plain(number)


def normalise(slot: str, words: str, vocabulary: HomeVocabulary, *, intent: str | None = None, text: str = "",
              value_maps: Mapping[str, Mapping[str, Any]] | None = None) -> SlotValue:
    """The value of `slot` for the `words` a parser read in `text` (see the module doc)."""
    words = words.strip(" ,.!?;:'\"")
    folded = " ".join(words.casefold().split())
    maps = value_maps or {}
    if slot == "name" and not (intent and _TIMER_INTENTS.search(intent)):
        return _entity_name(words, vocabulary)
    if slot in ("area", "floor"):
        return _place(slot, words, vocabulary)
    if slot == "volume_step":
        mapped = maps.get(slot, {}).get(folded)
        if mapped is not None:
            return SlotValue(mapped)
        number = parse_number(words)
        if number is None:
            return SlotValue("down" if _DOWN.search(words) else "up")
        return SlotValue(_plain(-number if _DOWN.search(text) else number))
    if slot in NUMBER_SLOTS:
        mapped = maps.get(slot, {}).get(folded)
        return SlotValue(mapped if mapped is not None else _number_slot(slot, words, intent, text))
    if slot == "temperature_unit":
        unit = _UNIT_WORDS.get(re.sub(r"^(?:degrees?\s+)|°", "", folded).strip())
        return SlotValue(unit if unit is not None else folded)
    if slot == "search_query":
        return SlotValue(_query(words, text))
    if slot in maps:
        mapped = maps[slot].get(folded)
        if mapped is None:
            mapped = maps[slot].get(folded.removeprefix("the "))
        if mapped is None and text:  # "turned" of "turned on", "securely" of "securely locked"
            longer = _with_next_word(folded, text)
            mapped = maps[slot].get(longer, maps[slot].get(longer.rpartition(" ")[2]) if longer else None)
        if mapped is not None:
            return SlotValue(mapped)
    if slot in FREE_TEXT_SLOTS or slot == "name":
        return SlotValue(words)
    return SlotValue(folded)


def _with_next_word(folded: str, text: str) -> str:
    """`folded` with the word that follows it in `text` ("turned" -> "turned on"); "" when none does."""
    m = re.search(rf"(?<!\w){re.escape(folded)}\s+(\w+)", " ".join(text.casefold().split()))
    return f"{folded} {m.group(1)}" if m else ""


def _query(words: str, text: str) -> str:
    """What to search for: "some jazz" -> "jazz"; "the Queen" of "play the Queen album" -> "Queen"."""
    query = re.sub(r"^some\s+", "", words, flags=re.IGNORECASE)
    folded = " ".join(text.casefold().split())
    after = folded.partition(" ".join(query.casefold().split()))[2]
    if re.match(r"the\s", query, re.IGNORECASE) and _MEDIA_CLASS_WORDS.match(after.strip()):
        query = query[4:].lstrip()  # "the ... album": the article is the album's
    return query or words


def _entity_name(words: str, vocabulary: HomeVocabulary) -> SlotValue:
    found = match_names(words, vocabulary.entities)
    if len({e.name for e in found}) == 1:
        return SlotValue(found[0].name)
    said = " ".join(words.casefold().split()).removeprefix("the ")
    exact = {e.name for e in found if said in (e.name.casefold(), *(a.casefold() for a in e.aliases))}
    if len(exact) == 1:
        return SlotValue(exact.pop())  # "sliding doors": the Sliding Doors, not the Sliding Door as well
    return SlotValue(words, known=False)  # nothing, or several (the tools ask back which)


def _place(slot: str, words: str, vocabulary: HomeVocabulary) -> SlotValue:
    if slot == "area" and " ".join(words.casefold().split()) in HERE_WORDS and vocabulary.here_area:
        here = next((a for a in vocabulary.areas if vocabulary.here_area in (a.id, a.name)), None)
        return SlotValue(here.name if here else vocabulary.here_area)
    found = find_place(words, vocabulary.areas if slot == "area" else vocabulary.floors)
    return SlotValue(found.name) if found is not None else SlotValue(words, known=False)


@functools.lru_cache(maxsize=1)
def ha_value_maps() -> dict[str, dict[str, Any]]:
    """slot -> {spoken words: value} from Home Assistant's English value lists, for every slot a template
    fills from such a list ("blinds" -> "blind" for `device_class`). Needs hassil and home-assistant-intents
    (the learned parser's build stores the result in its manifest, so a device needs neither)."""
    from hassil import Intents
    from hassil.expression import Group, ListReference, RuleReference
    from hassil.intents import TextSlotList
    from hassil.sample import sample_expression
    from home_assistant_intents import get_intents

    data = get_intents("en")
    if data is None:
        return {}
    intents = Intents.from_dict(data)
    slot_of_list: dict[str, set[str]] = {}
    seen_rules: set[str] = set()

    def walk(e: Any, rules: Mapping[str, Any]) -> None:
        if isinstance(e, ListReference):
            slot_of_list.setdefault(e.list_name, set()).add(e.slot_name)
        elif isinstance(e, RuleReference):
            if e.rule_name not in seen_rules and e.rule_name in rules:
                seen_rules.add(e.rule_name)
                walk(rules[e.rule_name].expression, rules)
        elif isinstance(e, Group):
            for item in e.items:
                walk(item, rules)

    for intent in intents.intents.values():
        for intent_data in intent.data:
            rules = {**intents.expansion_rules, **intent_data.expansion_rules}
            seen_rules.clear()
            for sentence in intent_data.sentences:
                walk(sentence.expression, rules)
    maps: dict[str, dict[str, Any]] = {}
    # binary sensors' lists last: "open" is a cover's "open" before a door sensor's "on"
    for list_name, slot_list in sorted(intents.slot_lists.items(), key=lambda kv: kv[0].startswith("bs_")):
        if not isinstance(slot_list, TextSlotList):
            continue
        for slot in slot_of_list.get(list_name, ()):
            target = maps.setdefault(slot, {})
            for value in slot_list.values:
                out = value.value_out
                if isinstance(out, float) and out.is_integer():
                    out = int(out)
                for spoken in sample_expression(value.text_in, intents.slot_lists, intents.expansion_rules):
                    key = " ".join(spoken.casefold().split())
                    if key:
                        target.setdefault(key, out)
    return maps


@functools.lru_cache(maxsize=1)
def ha_name_domains() -> dict[str, list[str]]:
    """intent -> the domains whose entities Home Assistant's templates let its `name` slot be (HassLightSet:
    lights; HassTurnOff: no sensor, scene or to-do list), for the intents whose every name template says
    which. Needs hassil and home-assistant-intents, like `ha_value_maps` (the build stores it in the manifest)."""
    from hassil import Intents
    from home_assistant_intents import get_intents

    data = get_intents("en")
    if data is None:
        return {}
    out: dict[str, list[str]] = {}
    for name, intent in Intents.from_dict(data).intents.items():
        domains: set[str] = set()
        for intent_data in intent.data:
            if not any(re.search(r"\{name[}:]|:name\}", s.text or "") for s in intent_data.sentences):
                continue
            required = (intent_data.requires_context or {}).get("domain")
            if required is None:
                break  # a template for any entity's name (or a timer's): no limit
            domains.update(required if isinstance(required, list) else [required])
        else:
            if domains:
                out[name] = sorted(domains)
    return out


@functools.lru_cache(maxsize=1)
def ha_intent_slots() -> dict[str, list[str]]:
    """intent -> the slots Home Assistant's intent catalogue (`intents.json`) says it takes (HassVacuumStart:
    name, area, floor; HassMediaPlayerMute: area, name). Needs home-assistant-intents, like `ha_value_maps`
    (the build stores it in the manifest)."""
    from home_assistant_intents import get_intent_info

    info = get_intent_info() or {}
    return {name: sorted(data.get("slots") or {}) for name, data in info.items()
            if isinstance(data, dict) and data.get("supported", True)}
