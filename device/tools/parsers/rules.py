"""The `rules` command parser: everyday phrasings of home and personal commands, by pattern.

Anchored patterns over the whole (redacted) step: "turn off the kitchen light", "set a 5 minute
timer for the eggs", "remind <PERSON_1> that the boiler service is on Friday", "add milk to my
shopping list". A request that no pattern covers is not a command (None), so knowledge questions
("how does a light switch work?") and writing tasks never trigger a tool. Slot names and values
follow Home Assistant's intent tests; targets are resolved against the home later, by the tools.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from device.collab.steps import ToolCall
from device.tools.parsers.base import HomeVocabulary

_POLITE = re.compile(r"^(?:(?:hey|ok|okay|hi)\s+\w+[,!]?\s+)?(?:(?:please|kindly)\s+|(?:can|could|would|will)\s+you\s+"
                     r"(?:please\s+)?)*", re.IGNORECASE)
_TRAILING = re.compile(r"[\s.!?,;]*(?:please)?[\s.!?,;]*$", re.IGNORECASE)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
                 "forty-five": 45, "fifty": 50, "sixty": 60, "ninety": 90, "a": 1, "an": 1, "half an": 0}
_NUM = r"(?:\d+(?:[.,]\d+)?|" + "|".join(sorted((k for k in _NUMBER_WORDS if k not in ("a", "an", "half an")),
                                                key=len, reverse=True)) + r")"
# head nouns that name a Home Assistant domain (and device class)
_DOMAIN_WORDS: dict[str, tuple[str, str | None]] = {
    "light": ("light", None), "lights": ("light", None), "lamp": ("light", None), "lamps": ("light", None),
    "switch": ("switch", None), "switches": ("switch", None), "fan": ("fan", None), "fans": ("fan", None),
    "blind": ("cover", "blind"), "blinds": ("cover", "blind"), "shade": ("cover", "shade"),
    "shades": ("cover", "shade"), "curtain": ("cover", "curtain"), "curtains": ("cover", "curtain"),
    "shutter": ("cover", "shutter"), "shutters": ("cover", "shutter"), "garage door": ("cover", "garage"),
    "heating": ("climate", None), "thermostat": ("climate", None), "heat pump": ("climate", None),
    "tv": ("media_player", "tv"), "speaker": ("media_player", "speaker"), "music": ("media_player", None),
}
_TIME_AT_END = re.compile(
    r"\s*(?:,\s*)?(?P<when>(?:(?:on|this|next|by|at|in|tomorrow|tonight|today)\b.*?)?"
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|today|noon|midnight|morning|"
    r"evening|afternoon|\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|o'clock|h)?|minutes?|hours?|days?|weeks?|"
    r"the \d{1,2}(?:st|nd|rd|th)?)\b[^.?!]*)$", re.IGNORECASE)
_WHEN_INSIDE = re.compile(
    r"\b(?P<when>(?:on |this |next )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?: (?:at|morning|afternoon|evening) ?[\d:apm. ]*)?|tomorrow(?: (?:at )?[\d:apm. ]+| morning| evening)?|tonight"
    r"|in \S+ (?:seconds?|minutes?|hours?|days?|weeks?)|at \d{1,2}(?::\d{2})?\s*(?:am|pm)?)\b", re.IGNORECASE)


# intents whose name/area/floor are the home's (not a timer's or a list's)
_HOME_INTENTS = frozenset({"HassTurnOn", "HassTurnOff", "HassToggle", "HassLightSet", "HassGetState", "HassSetPosition",
                           "HassFanSetSpeed", "HassClimateSetTemperature", "HassClimateGetTemperature",
                           "HassMediaPlayerMute", "HassMediaPlayerUnmute", "HassSetVolume", "HassMediaSearchAndPlay",
                           "HassVacuumStart", "HassVacuumReturnToBase"})


def _number(text: str) -> float | int:
    low = text.lower().strip()
    if low in _NUMBER_WORDS:
        return _NUMBER_WORDS[low]
    value = float(low.replace(",", "."))
    return int(value) if value.is_integer() else value


def _clean(text: str) -> str:
    return _TRAILING.sub("", _POLITE.sub("", text.strip()))


@dataclass(frozen=True)
class _Rule:
    intent: str
    pattern: re.Pattern[str]
    slots: Callable[[re.Match[str], RulesParser], Mapping[str, Any] | None]


def _rule(intent: str, pattern: str, slots: Callable[[re.Match[str], RulesParser], Mapping[str, Any] | None]
          ) -> _Rule:
    return _Rule(intent, re.compile(r"^" + pattern + r"$", re.IGNORECASE), slots)


@dataclass
class RulesParser:
    """`parse(text) -> ToolCall | None`; `areas`: the home's area names and aliases (lower case), so that
    "the kitchen lights" reads as area + domain rather than a device called "kitchen lights"."""

    areas: Iterable[str] = ()
    name: str = "rules"
    vocabulary: HomeVocabulary | None = None
    """The home's names: a target's words become the inventory's names (as Home Assistant writes them);
    a device command whose target the home lacks is unsure (confidence below the cascade's bar)."""
    _areas: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._areas = frozenset(a.lower() for a in self.areas)

    def parse(self, text: str) -> ToolCall | None:
        cleaned = _clean(text)
        for rule in _RULES:
            m = rule.pattern.match(cleaned)
            if m is None:
                continue
            slots = rule.slots(m, self)
            if slots is not None:
                return self._snapped(ToolCall(rule.intent, {k: v for k, v in slots.items() if v not in (None, "")}))
        return None

    def _snapped(self, call: ToolCall) -> ToolCall:
        v = self.vocabulary
        if v is None or not v.entities or call.name not in _HOME_INTENTS:
            return call
        from device.tools.parsers.slot_values import normalise

        slots, known = dict(call.arguments), True
        for slot in ("name", "area", "floor"):
            if isinstance(slots.get(slot), str):
                found = normalise(slot, slots[slot], v, intent=call.name)
                slots[slot], known = found.value, known and found.known
        return ToolCall(call.name, slots, call.confidence if known else 0.4)

    def target(self, phrase: str) -> dict[str, Any]:
        """Target slots of a phrase: "the lights in the kitchen", "kitchen lights", "the reading lamp",
        "all the lights upstairs", "the lights in here" (area left to the device's own)."""
        p = re.sub(r"^(?:all (?:of )?)?(?:the |my |our )?", "", phrase.strip(), flags=re.IGNORECASE).strip()
        slots: dict[str, Any] = {}
        level = re.match(r"^(?P<what>.+?)\s+(?P<floor>upstairs|downstairs)$", p, re.IGNORECASE)
        if level:
            slots["floor"], p = level.group("floor"), level.group("what")
        m = re.match(r"^(?P<what>.+?)\s+(?:in|on|at|of)\s+(?:the\s+)?(?P<where>.+)$", p, re.IGNORECASE)
        if m and m.group("where").lower() not in ("here", "this room"):
            where = m.group("where").strip()
            slots["floor" if re.search(r"\b(?:floor|upstairs|downstairs|basement|attic)\b", where, re.IGNORECASE)
                  and where.lower() not in self._areas else "area"] = where
            p = m.group("what").strip()
        elif m:
            p = m.group("what").strip()  # "in here": the device's own area
        low = p.lower()
        if low not in _DOMAIN_WORDS and self.vocabulary is not None and any(
                low in (e.name.lower(), *(a.lower() for a in e.aliases))
                                               for e in self.vocabulary.entities):
            slots["name"] = p  # "the garage light" that the home has: the entity, as Home Assistant reads it
            return slots
        for words, (domain, device_class) in sorted(_DOMAIN_WORDS.items(), key=lambda kv: -len(kv[0])):
            if low == words:
                slots["domain"] = domain
                if device_class and domain == "cover":
                    slots["device_class"] = device_class
                return slots
            if low.endswith(" " + words):
                prefix = p[: -len(words) - 1].strip()
                if prefix.lower() in self._areas and "area" not in slots:
                    slots["area"], slots["domain"] = prefix, domain
                    return slots
                if words.endswith("s") and not words.endswith("ss") and "area" not in slots:
                    # "kitchen lights": every light of the kitchen when there is no such device
                    slots["area"], slots["domain"] = prefix, domain
                    return slots
        slots["name"] = p
        return slots


def _on_off(on: bool) -> Callable[[re.Match[str], RulesParser], Mapping[str, Any] | None]:
    return lambda m, p: p.target(m.group("t"))


def _duration(m: re.Match[str]) -> dict[str, int]:
    slots: dict[str, int] = {}
    for group, unit in (("h", "hours"), ("m", "minutes"), ("s", "seconds")):
        value = m.groupdict().get(group)
        if value:
            slots[unit] = int(_number(value))
    if m.groupdict().get("half"):
        slots["minutes"] = slots.get("minutes", 0) + (30 if "hour" in m.group("half") else 0)
        if "minute" in m.group("half"):
            slots["seconds"] = slots.get("seconds", 0) + 30
    return slots


_DUR = (rf"(?:(?P<h>{_NUM}|an?)[- ]hours?(?:\s+and\s+)?)?(?:(?P<m>{_NUM}|a)[- ]min(?:ute)?s?(?:\s+and\s+)?)?"
        rf"(?:(?P<s>{_NUM})[- ]sec(?:ond)?s?)?(?P<half>\s+and a half (?:hours?|minutes?))?")


def _timer(m: re.Match[str], p: RulesParser) -> Mapping[str, Any] | None:
    slots: dict[str, Any] = _duration(m)
    if not slots:
        return None
    name = m.groupdict().get("name")
    if name:
        slots["name"] = re.sub(r"^(?:the|my)\s+", "", name.strip(), flags=re.IGNORECASE)
    return slots


def _named_timer(m: re.Match[str], p: RulesParser) -> Mapping[str, Any]:
    slots: dict[str, Any] = {}
    name = (m.groupdict().get("name") or "").strip()
    d = re.match(rf"^(?P<n>{_NUM})[- ](?P<u>hour|minute|second)s?$", name, re.IGNORECASE)
    if d:
        slots[f"start_{d.group('u').lower()}s"] = int(_number(d.group("n")))
    elif name:
        slots["name"] = name
    return slots


def _reminder(m: re.Match[str], p: RulesParser) -> Mapping[str, Any] | None:
    who = m.group("who")
    body = m.group("body").strip()
    inside = list(_WHEN_INSIDE.finditer(body))
    if inside:
        found = inside[-1]
        when = re.sub(r"^on\s+", "", found.group("when"), flags=re.IGNORECASE)
        if found.end() == len(body) and m.group("link").lower() == "to":
            body = body[: found.start()].strip(" ,")  # "to call the plumber tomorrow at 9": the time is not the task
    else:
        tail = _TIME_AT_END.search(body)
        if tail is None:
            return None  # a reminder needs a time; without one it is not this command
        when, body = tail.group("when"), body[: tail.start()].strip()
    slots: dict[str, Any] = {"message": body.strip(" ,"), "when": when.strip()}
    if who.lower() not in ("me", "us"):
        slots["contact"] = who
    return slots


_RULES: tuple[_Rule, ...] = (
    _rule("HassNevermind", r"(?:never ?mind|forget it|cancel that|nothing)", lambda m, p: {}),
    _rule("HassGetCurrentTime", r"what(?:'s| is) the time(?: now)?|what time is it(?: now)?", lambda m, p: {}),
    _rule("HassGetCurrentDate", r"what(?:'s| is) (?:the date|today's date)(?: today)?|what day is it(?: today)?"
                                r"|what(?:'s| is) the date today", lambda m, p: {}),
    _rule("HassGetWeather", r"(?:what(?:'s| is) the weather(?: like)?|how(?:'s| is) the weather)(?: (?:today|now|"
                            r"outside))?", lambda m, p: {}),
    _rule("TandemReminderList", r"(?:what are|list|show|read) (?:me )?my reminders", lambda m, p: {}),
    _rule("HassCancelAllTimers", r"(?:cancel|stop|delete) all (?:of )?(?:the |my )?timers", lambda m, p: {}),
    _rule("HassTimerStatus", r"(?:how much time is left|how long is left|what(?:'s| is) left)(?: on (?:the |my )?"
                             r"(?P<name>.+?)? ?timer)?|timer status", _named_timer),
    _rule("HassStartTimer", rf"(?:set|start|create|make)(?: me)? an? {_DUR}(?: long)? timer(?: (?:for|called|named)"
                            rf" (?P<name>.+))?", _timer),
    _rule("HassStartTimer", rf"(?:set|start)(?: me)? a timer (?:for|of) {_DUR}(?: (?:for|called) (?P<name>.+))?",
          _timer),
    _rule("HassStartTimer", rf"(?:timer|countdown) (?:for )?{_DUR}(?: for (?P<name>.+))?", _timer),
    _rule("HassCancelTimer", r"(?:cancel|stop|delete|turn off) (?:the |my )?(?P<name>.+?)? ?timer", _named_timer),
    _rule("HassPauseTimer", r"pause (?:the |my )?(?P<name>.+?)? ?timer", _named_timer),
    _rule("HassUnpauseTimer", r"(?:resume|unpause|continue|restart) (?:the |my )?(?P<name>.+?)? ?timer",
          _named_timer),
    _rule("HassIncreaseTimer", rf"add {_DUR} to (?:the |my )?(?P<name>.+?)? ?timer",
          lambda m, p: {**_duration(m), **_named_timer(m, p)} or None),
    _rule("HassDecreaseTimer", rf"(?:remove|take|subtract) {_DUR} (?:from|off) (?:the |my )?(?P<name>.+?)? ?timer",
          lambda m, p: {**_duration(m), **_named_timer(m, p)} or None),
    _rule("HassShoppingListAddItem", r"(?:add|put) (?P<item>.+?) (?:to|on) (?:my |the )?shopping list",
          lambda m, p: {"item": m.group("item")}),
    _rule("HassShoppingListCompleteItem", r"(?:check off|cross off|tick off|complete|mark) (?P<item>.+?)"
                                          r"(?: (?:as )?(?:done|complete|completed|finished))? (?:on|off|from) "
                                          r"(?:my |the )?shopping list",
          lambda m, p: {"item": m.group("item")}),
    _rule("HassListAddItem", r"(?:add|put) (?P<item>.+?) (?:to|on) (?:my |the )?(?P<name>.+?) list",
          lambda m, p: {"item": m.group("item"), "name": m.group("name")}),
    _rule("HassListCompleteItem", r"(?:check off|cross off|tick off|complete|mark) (?P<item>.+?)"
                                  r"(?: (?:as )?(?:done|complete|completed|finished))? (?:on|off|from) (?:my |the )?"
                                  r"(?P<name>.+?) list",
          lambda m, p: {"item": m.group("item"), "name": m.group("name")}),
    _rule("HassListRemoveItem", r"(?:remove|delete|take) (?P<item>.+?) (?:from|off) (?:my |the )?(?P<name>.+?) list",
          lambda m, p: {"item": m.group("item"), "name": m.group("name")}),
    _rule("TandemAlarmSet", r"(?:wake me(?: up)?|set (?:an |my )?alarm|alarm)(?: for| at)? (?P<when>.+)",
          lambda m, p: {"when": m.group("when")}),
    _rule("TandemReminderAdd", r"remind (?P<who>me|us|<PERSON_\d+>|[A-Z][\w'-]+(?: [A-Z][\w'-]+)?)"
                               r"(?: \([^)]*\))?,? (?P<link>to|that|about|of) (?P<body>.+)", _reminder),
    _rule("TandemNoteAdd", r"(?:note that|take a note(?: that)?:?|make a note(?: that)?:?|write down(?: that)?)"
                           r" (?P<message>.+)", lambda m, p: {"message": m.group("message")}),
    _rule("TandemMessageSend", r"(?:send (?:a )?message to|message|text) (?P<contact><PERSON_\d+>|[A-Z][\w'-]+"
                               r"(?: [A-Z][\w'-]+)?)(?: saying| that|:) (?P<message>.+)",
          lambda m, p: {"contact": m.group("contact"), "message": m.group("message")}),
    _rule("HassBroadcast", r"(?:broadcast|announce)(?: that)? (?P<message>.+)",
          lambda m, p: {"message": m.group("message")}),
    _rule("HassMediaPause", r"pause(?: the)?(?: music| song| tv| playback| media)?(?: in (?:the )?(?P<area>.+))?",
          lambda m, p: {"area": m.group("area")}),
    _rule("HassMediaUnpause", r"(?:resume|unpause|continue)(?: the)?(?: music| song| playback| media)?",
          lambda m, p: {}),
    _rule("HassMediaNext", r"(?:next|skip)(?: (?:the )?(?:song|track))?|play the next (?:song|track)|skip this "
                           r"(?:song|track)", lambda m, p: {}),
    _rule("HassMediaPrevious", r"(?:previous|last|go back a)(?: (?:song|track))?|play the previous (?:song|track)",
          lambda m, p: {}),
    _rule("HassMediaPlayerUnmute", r"unmute(?: the (?P<t>.+))?", lambda m, p: p.target(m.group("t")) if m.group("t")
          else {}),
    _rule("HassMediaPlayerMute", r"mute(?: the (?P<t>.+))?", lambda m, p: p.target(m.group("t")) if m.group("t")
          else {}),
    _rule("HassSetVolume", rf"(?:set|turn|change) (?:the )?volume(?: of the (?P<t>.+?))? to (?P<v>{_NUM})(?: ?%| "
                           r"percent)?", lambda m, p: {"volume_level": _number(m.group("v")),
                                                       **(p.target(m.group("t")) if m.group("t") else {})}),
    _rule("HassSetVolumeRelative", r"(?:turn (?:the )?(?:volume|music|sound) (?P<d>up|down)|(?P<d2>louder|quieter)"
                                   r"|volume (?P<d3>up|down))(?: a (?:bit|little))?",
          lambda m, p: {"volume_step": (m.group("d") or m.group("d3")
                                        or ("up" if m.group("d2") == "louder" else "down")).lower()}),
    _rule("HassMediaSearchAndPlay", r"play (?P<q>.+?)(?: on (?:the )?(?P<t>.+))?",
          lambda m, p: {"search_query": m.group("q"), **(p.target(m.group("t")) if m.group("t") else {})}),
    _rule("HassVacuumStart", r"(?:start (?:the )?(?:vacuum(?:ing)?|vacuum cleaner|cleaning)|vacuum(?: the (?P<a>.+))?"
                             r"|start (?P<n>\w+))", lambda m, p: {"name": m.group("n")} if m.group("n") else
          {"area": m.group("a")} if m.group("a") else {}),
    _rule("HassVacuumReturnToBase", r"(?:send|return) (?:the )?(?P<n>.+?) (?:home|back|to (?:its |the )?(?:base|"
                                    r"dock))", lambda m, p: {"name": m.group("n")}),
    _rule("HassLawnMowerStartMowing", r"(?:start mowing|mow the lawn|start the (?:lawn ?)?mower)", lambda m, p: {}),
    _rule("HassLawnMowerDock", r"(?:dock|park) the (?:lawn ?)?mower|stop mowing", lambda m, p: {}),
    _rule("HassClimateSetTemperature", rf"(?:set|turn|change) (?:the )?(?:temperature|thermostat|heating|heat)"
                                       rf"(?: (?:in|of) (?:the )?(?P<a>.+?))? to (?P<v>{_NUM})(?: ?°| degrees)?"
                                       r"(?: celsius| fahrenheit| c| f)?",
          lambda m, p: {"temperature": _number(m.group("v")), "area": m.group("a")}),
    _rule("HassClimateGetTemperature", r"(?:what(?:'s| is) the temperature|how (?:warm|cold|hot) is it)"
                                       r"(?: (?:in|of) (?:the )?(?P<a>.+?))?(?: (?:right )?now)?",
          lambda m, p: {"area": m.group("a")}),
    _rule("HassFanSetSpeed", rf"set (?:the )?(?P<t>.*?fan.*?) (?:speed )?to (?P<v>{_NUM})(?: ?%| percent)",
          lambda m, p: {**p.target(m.group("t")), "percentage": _number(m.group("v"))}),
    _rule("HassSetPosition", rf"(?:set|open|close|move|lower|raise) (?:the )?(?P<t>.*?(?:blind|shade|curtain|shutter|"
                             rf"cover|garage door|awning|gate)s?)(?: in (?:the )?[\w ]+?)? (?:to )?(?P<v>{_NUM})(?: ?%| "
                             r"percent)(?: open)?",
          lambda m, p: {**p.target(m.group("t")), "position": _number(m.group("v"))}),
    _rule("HassLightSet", rf"(?:set|dim|brighten|turn) (?:the )?(?P<t>.+?)(?: brightness)? to (?P<v>{_NUM})"
                          r"(?: ?%| percent)(?: brightness)?",
          lambda m, p: {**p.target(m.group("t")), "brightness": _number(m.group("v"))}),
    _rule("HassLightSet", r"(?:make|turn|set|change) (?:the )?(?P<t>.+?) (?:to )?(?P<c>red|green|blue|white|warm white|"
                          r"cool white|yellow|orange|purple|pink|cyan|magenta)",
          lambda m, p: {**p.target(m.group("t")), "color": m.group("c").lower()}),
    _rule("HassGetState", r"(?:is|are) (?:the )?(?P<t>.+?) (?P<s>on|off|open|closed|locked|unlocked|running|home)",
          lambda m, p: {**p.target(m.group("t")), "state": m.group("s").lower()}),
    _rule("HassTurnOn", r"(?:turn|switch|put) on (?P<t>.+)|(?:turn|switch) (?P<t2>.+?) on",
          lambda m, p: p.target(m.group("t") or m.group("t2"))),
    _rule("HassTurnOff", r"(?:turn|switch|shut) off (?P<t>.+)|(?:turn|switch|shut) (?P<t2>.+?) off",
          lambda m, p: p.target(m.group("t") or m.group("t2"))),
    _rule("HassTurnOn", r"(?:open|lock|raise) (?P<t>.+)", lambda m, p: p.target(m.group("t"))),
    _rule("HassTurnOff", r"(?:close|unlock|lower|shut) (?P<t>.+)", lambda m, p: p.target(m.group("t"))),
    _rule("HassToggle", r"toggle (?P<t>.+)", lambda m, p: p.target(m.group("t"))),
)
