"""Whether a parsed call is the labelled one: the slot comparison of `tandem eval tools`.

The rules (Home Assistant's intent-test conventions; `harness.eval.tools` states them for readers):

* intents are compared by name, exactly;
* slots are compared as a whole: the same slot names with equal values, after normalising both sides;
* numbers as numbers (``50`` == ``50.0`` == ``"50"``);
* strings case-insensitively, surrounding spaces dropped (Home Assistant's tests write ``"pizza "``);
* ``name``, ``area`` and ``floor`` through the home: a name or an alias of the same entity, area or
  floor is the same value (``Trader Joes`` is an alias of ``Trader Joe's``; ``living_room_id`` is the
  Living Room); a value the home lacks is compared as a string;
* ``name: all`` (Home Assistant's marker for "every entity the other slots select") is the same as no
  name;
* a ``domain`` the intent implies (HassLightSet -> light, climate intents -> climate, media intents ->
  media_player, ...) may be given or left out;
* a ``domain`` or ``device_class`` that the named entity already has may be given or left out (Home
  Assistant's matcher keeps them in the match context, its tests sometimes in the slots);
* an ``area`` that is the device's own area (the sentence's context) may be given or left out: the
  tools fall back to the device's area, so both calls do the same;
* any other slot that one side has and the other lacks makes the call wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from device.home.inventory import Inventory

#: The domain an intent acts on whatever the sentence says.
INTENT_DOMAINS: dict[str, str] = {
    "HassLightSet": "light", "HassClimateSetTemperature": "climate", "HassClimateGetTemperature": "climate",
    "HassFanSetSpeed": "fan", "HassVacuumStart": "vacuum", "HassVacuumReturnToBase": "vacuum",
    "HassLawnMowerStartMowing": "lawn_mower", "HassLawnMowerDock": "lawn_mower",
    "HassMediaPause": "media_player", "HassMediaUnpause": "media_player", "HassMediaNext": "media_player",
    "HassMediaPrevious": "media_player", "HassSetVolume": "media_player", "HassSetVolumeRelative": "media_player",
    "HassMediaPlayerMute": "media_player", "HassMediaPlayerUnmute": "media_player",
    "HassMediaSearchAndPlay": "media_player", "HassGetWeather": "weather",
}
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class HomeNames:
    """The home's names for comparing ``name``, ``area`` and ``floor`` slots: every name, alias and id
    (case-folded) -> the canonical name (case-folded); and per entity name its domains and classes."""

    names: Mapping[str, str] = field(default_factory=dict)
    areas: Mapping[str, str] = field(default_factory=dict)
    floors: Mapping[str, str] = field(default_factory=dict)
    kinds: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """canonical entity name -> {"domain:<d>", "device_class:<c>"} over the entities of that name"""

    @classmethod
    def from_inventory(cls, inventory: Inventory) -> HomeNames:
        names: dict[str, str] = {}
        kinds: dict[str, set[str]] = {}
        for e in inventory.entities:
            canonical = e.name.strip().casefold()
            for word in (e.name, *e.aliases, e.id):
                names.setdefault(word.strip().casefold(), canonical)
            tags = kinds.setdefault(canonical, set())
            tags.add(f"domain:{e.id.partition('.')[0]}")
            if e.attributes.get("device_class"):
                tags.add(f"device_class:{e.attributes['device_class']}")
        areas = {w.strip().casefold(): a.name.strip().casefold()
                 for a in inventory.areas for w in (a.name, *a.aliases, a.id, a.id.removesuffix("_id"))}
        floors = {w.strip().casefold(): f.name.strip().casefold()
                  for f in inventory.floors for w in (f.name, *f.aliases, f.id, f.id.removesuffix("_id"))}
        return cls(names, areas, floors, {k: frozenset(v) for k, v in kinds.items()})


def normalise(intent: str | None, slots: Mapping[str, Any], home: HomeNames) -> dict[str, Any]:
    """`slots` in the form the rules compare: numbers as floats, strings folded, names canonical,
    implied and redundant slots dropped."""
    out: dict[str, Any] = {}
    for key, value in slots.items():
        if isinstance(value, (list, tuple)) and len(value) == 1:
            value = value[0]
        value = _value(value)
        if value is None or value == "":
            continue
        if isinstance(value, str):
            table = {"name": home.names, "area": home.areas, "floor": home.floors}.get(key)
            if table is not None:
                value = table.get(value, value)
        out[key] = value
    if out.get("name") == "all":
        del out["name"]
    if intent is not None and "domain" in out and out["domain"] == INTENT_DOMAINS.get(intent):
        del out["domain"]
    tags = home.kinds.get(out["name"], frozenset()) if isinstance(out.get("name"), str) else frozenset()
    for key in ("domain", "device_class"):
        if key in out and f"{key}:{out[key]}" in tags:
            del out[key]
    return out


def same_call(gold_intent: str | None, gold_slots: Mapping[str, Any], intent: str | None,
              slots: Mapping[str, Any], home: HomeNames, here_area: str | None = None) -> bool:
    """True when the parsed (intent, slots) is the labelled one under the rules above; `here_area`:
    the device's own area (a name, id or alias), or None."""
    if gold_intent != intent:
        return False
    gold, got = normalise(gold_intent, gold_slots, home), normalise(intent, slots, home)
    here = home.areas.get(here_area.strip().casefold(), here_area.strip().casefold()) if here_area else None
    if here is not None:
        for side in (gold, got):
            if side.get("area") == here:
                del side["area"]
    return gold == got


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).casefold()
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER.match(text):
            return float(text)
        return text.casefold()
    return value
