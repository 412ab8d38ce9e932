"""The `hassil` command parser: Home Assistant's own sentence templates, matched exactly.

Home Assistant's local matcher (`hassil` over the `home-assistant-intents` English templates) given
the home's words as slot lists, the way Home Assistant's conversation agent builds them: every entity
name and alias -> the entity's name, with its domain, device class and area as context (so a template
that needs a light only matches lights); every area and floor name and alias -> its name; the device's
own area as the intent context ("turn on the lights" means the lights in here).

When a template matches, the call is what Home Assistant would run (intent and slots exactly as its
intent tests write them): confidence 1.0. Paraphrases outside the templates are not recognised (None):
the next stage of the cascade takes them.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from device.collab.steps import ToolCall
from device.errors import CollabConfigError
from device.tools.parsers.base import HomeVocabulary

if TYPE_CHECKING:
    from hassil import Intents

log = logging.getLogger(__name__)

_TRAILING = re.compile(r"[\s.!?,;]+$")
# a timer's command that is a question ("how many minutes are in 3 hours?" matches "<command> in 3 hours")
_QUESTION_COMMAND = re.compile(r"^(?:how|what|why|who|when|where|which|is|are|do|does|can|could|should)\b",
                               re.IGNORECASE)
_MAX_CHARS = 400  # a spoken command is short; hassil's search grows with the text


@functools.lru_cache(maxsize=1)
def _english_intents() -> Intents:
    try:
        from hassil import Intents
        from home_assistant_intents import get_intents
    except ImportError as exc:
        raise CollabConfigError("the hassil parser needs hassil and home-assistant-intents: "
                                "pip install 'tandem-edge[device]'") from exc
    data = get_intents("en")
    if data is None:
        raise CollabConfigError("home-assistant-intents ships no English sentences: reinstall it")
    return Intents.from_dict(data)


def plain_value(value: Any) -> Any:
    """A slot value as Home Assistant's tests write it: 50.0 -> 50, strings as they are."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass
class HassilParser:
    """`parse(text) -> ToolCall | None` with Home Assistant's templates over `vocabulary`."""

    vocabulary: HomeVocabulary = field(default_factory=HomeVocabulary)
    name: str = "hassil"
    _slot_lists: dict[str, Any] = field(init=False, repr=False)
    _context: dict[str, Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        from hassil import TextSlotList

        v = self.vocabulary
        area_names = {a.id: a.name for a in v.areas}
        names: list[tuple[str, Any, dict[str, Any]]] = []
        for e in v.entities:
            context: dict[str, Any] = {"domain": e.id.split(".", 1)[0]}
            device_class = e.attributes.get("device_class")
            if device_class:
                context["device_class"] = device_class
            if e.area and e.area in area_names:
                context["area"] = area_names[e.area]
            names.extend((spoken, e.name, context) for spoken in (e.name, *e.aliases))
        areas: list[tuple[str, Any, dict[str, Any]]] = [(spoken, a.name, {}) for a in v.areas for spoken in (a.name, *a.aliases)]
        floors: list[tuple[str, Any, dict[str, Any]]] = [(spoken, f.name, {}) for f in v.floors for spoken in (f.name, *f.aliases)]
        # hassil raises MissingListError without these lists; an empty home still parses timers and lists
        self._slot_lists = {"name": TextSlotList.from_tuples(names, allow_template=False),
                            "area": TextSlotList.from_tuples(areas, allow_template=False),
                            "floor": TextSlotList.from_tuples(floors, allow_template=False)}
        here = next((a for a in v.areas if v.here_area in (a.id, a.name)), None) if v.here_area else None
        self._context = {"area": {"value": here.name, "text": here.name}} if here else {}
        self.parse("turn on the light")  # builds hassil's caches now, not on the user's first command

    def parse(self, text: str) -> ToolCall | None:
        from hassil import recognize_best

        cleaned = _TRAILING.sub("", text.strip())
        if not cleaned or len(cleaned) > _MAX_CHARS:
            return None
        result = recognize_best(cleaned, _english_intents(), slot_lists=self._slot_lists,
                                intent_context=self._context or None, language="en",
                                best_slot_name="name")  # as Home Assistant: a named entity wins
        if result is None or result.intent is None:
            return None
        slots: dict[str, Any] = {}
        for slot, entity in result.entities.items():
            if entity.is_wildcard and not str(entity.value).strip():
                continue
            slots[slot] = plain_value(entity.value)
        command = slots.get("conversation_command")
        if isinstance(command, str) and _QUESTION_COMMAND.match(command.strip()):
            return None  # a question about time, not a timer that runs a command
        return ToolCall(*_as_home_assistant_now(result, slots, cleaned, self.vocabulary), confidence=1.0)


_ALL_TIMERS = frozenset({"every", "all", "all my", "all the", "each", "every single"})


def _as_home_assistant_now(result: Any, slots: dict[str, Any], text: str,
                           vocabulary: HomeVocabulary) -> tuple[str, dict[str, Any]]:
    """Where the installed templates read a sentence otherwise than Home Assistant's current ones (its intent
    tests): a search without the article of the media class it names ("play the Queen album": Queen); a timer
    "named" every or all is every timer; an area word that is part of a longer device class ("garage" +
    "door" is the class "garage door", not a door in the Garage)."""
    from device.tools.parsers.slot_values import ha_value_maps, normalise

    intent = result.intent.name
    query = slots.get("search_query")
    if isinstance(query, str):
        slots["search_query"] = normalise("search_query", query, vocabulary, text=text).value
    if intent == "HassCancelTimer" and str(slots.get("name", "")).casefold() in _ALL_TIMERS:
        return "HassCancelAllTimers", {k: v for k, v in slots.items() if k != "name"}
    area, device_class = result.entities.get("area"), result.entities.get("device_class")
    if area is not None and device_class is not None and (area.text or "").strip() and (device_class.text or "").strip():
        joined = " ".join(f"{area.text} {device_class.text}".casefold().split())
        longer = ha_value_maps().get("device_class", {}).get(joined)
        if longer is not None and longer != slots.get("device_class") and joined in " ".join(text.casefold().split()):
            slots = {k: v for k, v in slots.items() if k != "area"}
            slots["device_class"] = longer
    return intent, slots
