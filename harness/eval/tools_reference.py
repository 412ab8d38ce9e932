"""Home Assistant's own local matcher as the reference parser of `tandem eval tools`.

`hassil` with the `home-assistant-intents` English sentence templates, given the home's entity names
and aliases, areas and floors as slot lists, the way Home Assistant's conversation agent gives them
(`homeassistant.components.conversation.default_agent`): each entity name (and alias) carries its
canonical name as the value and its domain and device class as context (so "open the curtain left"
matches only covers), areas and floors map their names and aliases to their names, and the device's
own area is the intent context ("turn off the lights" in the living room); among several matches the
one that fills `name` wins (`best_slot_name="name"`, as the agent asks). It shares the parser seam
(`parse(text) -> ToolCall | None`) so the evaluation runs it exactly as it runs the device's parser.

Kept out of `device/`: it is the yardstick, not a stage of the device (the lead's `hassil` stage is
`device.tools.parsers.hassil_parser`).
"""

from __future__ import annotations

import logging
from typing import Any

from device.collab.steps import ToolCall
from device.tools.parsers.base import HomeVocabulary
from harness.errors import EvalError

log = logging.getLogger(__name__)


class HassilReference:
    """`parse(text) -> ToolCall | None` by Home Assistant's template matcher; confidence 1.0 on a match."""

    name = "hassil"

    def __init__(self, vocabulary: HomeVocabulary, language: str = "en") -> None:
        from hassil import Intents
        from hassil.intents import SlotList, TextSlotList
        from home_assistant_intents import get_intents

        data = get_intents(language)
        if data is None:
            raise EvalError(f"home-assistant-intents has no sentences for language {language!r}: pick one of "
                            "its languages (the held-out sets are English: en)")
        self._intents = Intents.from_dict(data)
        self._language = language
        names: list[tuple[str, Any, dict[str, Any]]] = []
        for e in vocabulary.entities:
            context: dict[str, Any] = {"domain": e.id.partition(".")[0]}
            if e.attributes.get("device_class"):
                context["device_class"] = e.attributes["device_class"]
            names.extend((word, e.name, context) for word in (e.name, *e.aliases) if word.strip())
        areas = [(word, a.name) for a in vocabulary.areas for word in (a.name, *a.aliases)]
        floors = [(word, f.name) for f in vocabulary.floors for word in (f.name, *f.aliases)]
        self._slot_lists: dict[str, SlotList] = {
            "name": TextSlotList.from_tuples(names, allow_template=False),
            "area": TextSlotList.from_tuples(areas, allow_template=False),
            "floor": TextSlotList.from_tuples(floors, allow_template=False),
        }
        here = next((a for a in vocabulary.areas if vocabulary.here_area in (a.id, a.name)), None)
        self._context = {"area": here.name} if here is not None else None

    def parse(self, text: str) -> ToolCall | None:
        from hassil import recognize_best

        result = recognize_best(text, self._intents, slot_lists=self._slot_lists, intent_context=self._context,
                                language=self._language, best_slot_name="name")
        if result is None:
            return None
        slots = {name: entity.value for name, entity in result.entities.items()}
        return ToolCall(result.intent.name, slots, confidence=1.0)
