"""The `learned` command parser: a joint intent + slot-tagging MiniLM, int8 ONNX, a few ms per request.

It generalises past Home Assistant's templates to everyday paraphrases ("kill the garage light",
"it's too dark in the den, bump the lights up to 80%"). One forward pass gives a *class* (Home
Assistant's intent with the slots its template fixes, e.g. ``HassTurnOn|domain=light``, or "none":
not a command) and a BIO slot tag per token; spans become values in `slot_values` (the inventory's
names, numbers as numbers). Built by ``tandem model train-intent`` (``quantize.intent``) into
``<models_dir>/intent-parser/<key>/``; this module only loads it (onnxruntime + tokenizers).

`confidence` = the class probability times the lowest slot-span probability (for a span that resolves
to one of the home's names, the probability that it names *some* place: name, area or floor, which the
home's names then settle), halved when a name, area or floor is not one the home has, or names a thing
the intent cannot act on (Home Assistant's templates say which domains each intent names; the words are
kept; the tools ask back). A text that is taken for a command but below the cascade's bar is also read
clause by clause ("kitchen lights off, I'm done cooking"): a clause asking for the same intent more surely
wins, with the place the other clause said; the whole text's class gates it, so a remark never makes a
question a command.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from device.collab.steps import ToolCall
from device.errors import ParserModelMissing
from device.home.resolve import area_with_device, find_place
from device.tools.parsers.base import HomeVocabulary
from device.tools.parsers.cascade import DEFAULT_MIN_CONFIDENCE
from device.tools.parsers.gazetteer import Gazetteer
from device.tools.parsers.slot_values import SlotValue, normalise
from inference.encoder import EncoderLoadError, EncoderUnavailable, load_encoder

log = logging.getLogger(__name__)

__all__ = ["BUILD_HINT", "MODEL_NAME", "IntentModel", "LearnedParser", "Prediction", "default_models_dir",
           "find_intent_model", "load_model"]

MODEL_NAME = "intent-parser"
BUILD_HINT = "build it with `tandem model train-intent` (about 3 minutes on 2 cores; needs the quantize extra)"
NONE = "none"
UNKNOWN_PENALTY = 0.5
_PLACE_SLOTS = ("name", "area", "floor")
_TARGET_SLOTS = (*_PLACE_SLOTS, "domain", "device_class")
# intents that act on or ask about a thing: without one of _TARGET_SLOTS there is nothing to do
_TARGETED = frozenset({"HassTurnOn", "HassTurnOff", "HassToggle", "HassGetState"})


def default_models_dir() -> Path:
    """``TANDEM_MODELS_DIR``, else the cache's ``tandem/models`` (what `tandem.settings` defaults to)."""
    env = os.environ.get("TANDEM_MODELS_DIR")
    if env:
        return Path(env)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "tandem" / "models"


_ASIDE = re.compile(r"[,;]|\b(?:because|since|as|cause|cuz)\b", re.IGNORECASE)


# Home Assistant's intents whose templates take an area wherever it is said ("... in the kitchen")
_AREA_INTENTS = frozenset({"HassTurnOn", "HassTurnOff", "HassToggle", "HassLightSet", "HassClimateSetTemperature",
                           "HassClimateGetTemperature", "HassGetState", "HassSetPosition", "HassFanSetSpeed",
                           "HassLawnMowerStartMowing", "HassLawnMowerDock", "HassVacuumStart"})


def _aside(text: str, start: int) -> bool:
    """The words at `start` come after a comma or a "because": a remark about the command, not part of it."""
    return bool(_ASIDE.search(text[:start]))


def _untagged(text: str, spans: tuple[SlotSpan, ...], found: re.Match[str]) -> bool:
    """The words `found` in `text` lie outside every tagged span and are not a remark after a comma."""
    return not any(s.start < found.end() and found.start() < s.end for s in spans) and not _aside(text, found.start())


def _fold(words: str) -> str:
    return " ".join(words.casefold().split()).removeprefix("the ")


# the whole home, said where a place would be ("all the lights in the house"): no area
_WHOLE_HOME = ("house", "home", "apartment", "flat", "everywhere", "whole house", "entire house", "whole home",
               "whole place", "place", "condo")


def _whole_home(words: str) -> bool:
    """`words` name the whole home, not a place in it (close spellings too: "appartment")."""
    import difflib

    folded = _fold(words).removeprefix("my ").removeprefix("our ")
    return bool(difflib.get_close_matches(folded, _WHOLE_HOME, n=1, cutoff=0.85))


_IN_PLACE = re.compile(r"\s*(?:in|on|at)\s+(?:the\s+)?([\w' ]+?)(?:\s+(?:on|off|please|now))?\s*[.!?]*$",
                       re.IGNORECASE)
# a device word said where a name is, when the home's thing of that name is no device the intent acts on
_DEVICE_DOMAIN = {"light": "light", "lights": "light", "lamp": "light", "lamps": "light", "switch": "switch",
                  "switches": "switch", "fan": "fan", "fans": "fan"}
# the same request of another kind of thing: the intent for a name the first cannot act on
_SIBLINGS: dict[str, tuple[str, ...]] = {
    "HassLawnMowerDock": ("HassVacuumReturnToBase",), "HassVacuumReturnToBase": ("HassLawnMowerDock",),
    "HassLawnMowerStartMowing": ("HassVacuumStart",), "HassVacuumStart": ("HassLawnMowerStartMowing",),
    "HassClimateGetTemperature": ("HassGetState",),
    # "start snug robovac", "stop the grass cutter": Home Assistant turns no vacuum or mower on or off
    "HassTurnOn": ("HassVacuumStart", "HassLawnMowerStartMowing"),
    "HassTurnOff": ("HassVacuumReturnToBase", "HassLawnMowerDock"),
    # "lower the play corner to 25 percent": a light's brightness; "dim the blinds to 30": a cover's position
    "HassSetPosition": ("HassLightSet",), "HassLightSet": ("HassSetPosition",)}
# slots of the same 0-100 value under another intent's name
_ALIKE = {"position": ("brightness", "percentage"), "brightness": ("position", "percentage"),
          "percentage": ("brightness", "position")}
# Home Assistant's cover device classes: a curtain is always a cover; a door, gate, garage or window that is
# opened, closed or set to a position is one too (a binary sensor of that class can only be asked about)
_COVER_ONLY = frozenset({"awning", "blind", "curtain", "damper", "shade", "shutter"})
_COVER_MOVED = frozenset({"door", "garage", "gate", "window"})
_MOVES = frozenset({"HassTurnOn", "HassTurnOff", "HassToggle", "HassSetPosition"})
# the way a relative volume goes, said in words the tagger left untagged ("turn the tv up a bit")
_STEP_WORDS = ((re.compile(r"\b(?:up|louder|raise|increase|higher|boost|crank)\b", re.IGNORECASE), "up"),
               (re.compile(r"\b(?:down|quieter|lower|decrease|softer|reduce)\b", re.IGNORECASE), "down"))
# everyday words for the same device: "the telly" is the home's one TV
_SAME_DEVICE = (frozenset({"tv", "telly", "television", "tele", "telebox", "idiot box"}),
                frozenset({"hoover", "vacuum", "robot vacuum", "robovac", "vacuum cleaner", "roomba"}),
                frozenset({"mower", "lawn mower", "lawnmower", "robot mower", "grass cutter"}),
                frozenset({"stereo", "hi-fi", "hifi", "sound system"}))
# an announcement said as one ("announce that ...", "shout out to the house that ..."): the words after it are
# the message, whatever they hold ("we're leaving in five minutes" is no timer)
_ANNOUNCE = re.compile(
    r"^(?:(?:please|hey|ok|okay)[,!]?\s+)?(?:can you\s+|could you\s+)?"
    r"(?:announce|broadcast|shout(?: out)?|call out|let (?:everyone|everybody|the (?:whole )?(?:house|family|home))"
    r" know|tell (?:everyone|everybody|the (?:whole )?(?:house|family|home)))"
    r"(?P<to>\s+to (?:everyone|everybody|the (?:whole )?(?:house|family|home)))?"
    r"(?:\s+that\s+|\s*:\s*|(?<=know)\s+|(?<=everyone)\s+|(?<=everybody)\s+|(?<=house)\s+|(?<=family)\s+"
    r"|(?<=home)\s+)(?P<message>\S.*?)[.!]?$", re.IGNORECASE)
_SAME_DEVICE_WORDS = re.compile(r"\b(?:" + "|".join(sorted((re.escape(w) for g in _SAME_DEVICE for w in g), key=len,
                                                            reverse=True)) + r")\b", re.IGNORECASE)
_CLAUSES = re.compile(r"\s*[,;]\s*|\s+(?:because|since|cause|cuz)\s+", re.IGNORECASE)
# slots whose value is the words as said
_FREE_TEXT = frozenset({"item", "search_query", "message"})
# a kind of device said as a noun outside the tagged spans ("the switch in the bedroom"): its domain (and
# class), when the word before it is one of these or a place of the home; "the garage light" in a home
# without a garage names a thing it lacks, not its lights; "switch" never first, since "switch off" is a verb
_KIND_WORDS = (
    (re.compile(r"\b(?:lights?|lamps?|lighting)\b", re.IGNORECASE), ("light", None)),
    (re.compile(r"\bfans?\b", re.IGNORECASE), ("fan", None)),
    (re.compile(r"\bswitch(?:es)?\b", re.IGNORECASE), ("switch", None)),
    (re.compile(r"\bblinds?\b", re.IGNORECASE), ("cover", "blind")),
    (re.compile(r"\b(?:curtains?|drapes)\b", re.IGNORECASE), ("cover", "curtain")),
    (re.compile(r"\bshades\b", re.IGNORECASE), ("cover", "shade")),
    (re.compile(r"\bshutters?\b", re.IGNORECASE), ("cover", "shutter")),
)
_BEFORE_KIND = frozenset({"the", "a", "all", "every", "any", "each", "my", "our", "some", "these", "those", "both",
                          "of", "off", "on", "in", "out", "up", "down", "please"})
_DEVICE_WORD = re.compile(r"\s+(?:lights?|lamps?|switch(?:es)?|fans?|blinds?|curtains?|shades?)$")


def find_intent_model(models_dir: Path, key: str | None = None) -> Path | None:
    """The newest complete build dir under ``<models_dir>/intent-parser/`` (or the one named `key`)."""
    base = Path(models_dir) / MODEL_NAME
    if not base.is_dir():
        return None
    dirs = [d for d in base.iterdir() if d.is_dir() and not d.name.endswith(".work")
            and (key is None or d.name == key) and (d / "manifest.json").is_file()]
    return max(dirs, key=lambda d: d.stat().st_mtime) if dirs else None


@dataclass(frozen=True)
class SlotSpan:
    slot: str
    start: int
    end: int
    probability: float
    place: float = 0.0
    """The lowest probability over its words that they name *some* place (name, area or floor): the tagger's
    doubt between those is settled by the home's names, so a span that resolves to one doubts only this."""


@dataclass(frozen=True)
class Prediction:
    cls: str
    probability: float
    spans: tuple[SlotSpan, ...]

    @property
    def intent(self) -> str | None:
        return None if self.cls == NONE else self.cls.split("|", 1)[0]

    def fixed(self) -> dict[str, Any]:
        """The slots the class fixes (``HassTurnOn|domain=light`` -> {"domain": "light"})."""
        out: dict[str, Any] = {}
        for pair in self.cls.split("|")[1:]:
            key, _, raw = pair.partition("=")
            out[key] = int(raw) if raw.lstrip("-").isdigit() else raw
        return out


class IntentModel:
    """One loaded model dir: `predict(text) -> Prediction`."""

    def __init__(self, model_dir: Path, threads: int = 1) -> None:
        model_dir = Path(model_dir)
        try:
            encoder = load_encoder(model_dir, threads)
        except EncoderUnavailable as exc:
            raise ParserModelMissing("the learned parser needs onnxruntime and tokenizers: "
                                     "pip install 'tandem-edge[device]'") from exc
        except EncoderLoadError as exc:
            raise ParserModelMissing(f"cannot load the command parser model in {model_dir}: {exc}; "
                                     f"rebuild it: {BUILD_HINT} --force") from exc
        self.manifest: dict[str, Any] = encoder.manifest
        self.tokenizer, self.session = encoder.tokenizer, encoder.session
        try:
            self.classes: tuple[str, ...] = tuple(self.manifest["classes"])
            self.tags: tuple[str, ...] = tuple(self.manifest["tags"])
            self.value_maps: dict[str, dict[str, Any]] = dict(self.manifest.get("value_maps", {}))
            self.here_classes: frozenset[str] = frozenset(self.manifest.get("here_classes", ()))
            self.name_domains: dict[str, frozenset[str]] = {
                k: frozenset(v) for k, v in dict(self.manifest.get("name_domains", {})).items()}
            self.intent_slots: dict[str, frozenset[str]] = {
                k: frozenset(v) for k, v in dict(self.manifest.get("intent_slots", {})).items()}
            self.max_tokens = int(self.manifest.get("max_tokens", 64))
        except (ValueError, KeyError, TypeError) as exc:
            raise ParserModelMissing(f"cannot load the command parser model in {model_dir}: {exc}; "
                                     f"rebuild it: {BUILD_HINT} --force") from exc
        self.model_dir = model_dir

    def predict(self, text: str, gazetteer: Gazetteer | None = None) -> Prediction:
        """The class and slot spans of `text`; `gazetteer` marks the home's names in it."""
        import numpy as np

        enc = self.tokenizer.encode(text)
        ids, offsets, words = enc.ids, enc.offsets, enc.word_ids
        if len(ids) > self.max_tokens:  # keep [CLS] ... [SEP]
            ids, offsets, words = ids[:self.max_tokens - 1] + ids[-1:], offsets[:self.max_tokens - 1] + [(0, 0)], \
                words[:self.max_tokens - 1] + [None]
        batch = np.array([ids], dtype=np.int64)
        marks = gazetteer.type_ids(text, list(offsets)) if gazetteer is not None else [0] * len(ids)
        cls_logits, tag_logits = self.session.run(
            ["intent_logits", "tag_logits"],
            {"input_ids": batch, "attention_mask": np.ones_like(batch), "token_type_ids": np.array([marks], dtype=np.int64)})
        cls_probs = _softmax(cls_logits[0])
        tag_probs = _softmax(tag_logits[0])
        best = int(cls_probs.argmax())
        return Prediction(self.classes[best], float(cls_probs[best]), tuple(self._spans(tag_probs, offsets, words)))

    def _spans(self, probs: Any, offsets: list[tuple[int, int]], words: list[int | None]) -> list[SlotSpan]:
        """BIO over words (a word's tag is its first piece's); a span runs to its last word's end."""
        spans: list[SlotSpan] = []
        open_slot: str | None = None
        start = end = 0
        low = place_low = 1.0
        prev_word: int | None = None
        # a device class's words name a target too: "curtain" of the home's Curtain Left
        place_tags = [k for k, t in enumerate(self.tags) if t.partition("-")[2] in (*_PLACE_SLOTS, "device_class")]
        for i, word in enumerate(words):
            if word is None:
                continue
            if word == prev_word:  # a later piece of the same word: extend an open span
                if open_slot is not None:
                    end = offsets[i][1]
                continue
            prev_word = word
            k = int(probs[i].argmax())
            tag, p = self.tags[k], float(probs[i][k])
            place = float(probs[i][place_tags].sum()) if place_tags else 0.0
            kind, _, slot = tag.partition("-")
            if kind == "I" and slot == open_slot:
                end, low, place_low = offsets[i][1], min(low, p), min(place_low, place)
                continue
            if open_slot is not None:
                spans.append(SlotSpan(open_slot, start, end, low, place_low))
                open_slot = None
            if kind in ("B", "I"):
                open_slot, start, end, low, place_low = slot, offsets[i][0], offsets[i][1], p, place
        if open_slot is not None:
            spans.append(SlotSpan(open_slot, start, end, low, place_low))
        return spans


def _softmax(x: Any) -> Any:
    import numpy as np

    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@functools.lru_cache(maxsize=4)
def load_model(model_dir: Path, threads: int = 1) -> IntentModel:
    """The model in `model_dir`, loaded once per process (every parser over any home shares it)."""
    return IntentModel(model_dir, threads)


@dataclass
class LearnedParser:
    """`parse(text) -> ToolCall | None` with the learned model over `vocabulary`'s names."""

    vocabulary: HomeVocabulary = field(default_factory=HomeVocabulary)
    model_dir: Path | None = None
    """A built model dir; None: the newest one in `default_models_dir()`."""
    name: str = "learned"
    model: IntentModel = field(init=False, repr=False)
    gazetteer: Gazetteer = field(init=False, repr=False)
    _names: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        v = self.vocabulary
        self._names = frozenset(_fold(n) for e in v.entities for n in (e.name, *e.aliases))
        self.gazetteer = Gazetteer.of([n for e in v.entities for n in (e.name, *e.aliases)],
                                      [n for a in v.areas for n in (a.name, *a.aliases)],
                                      [n for f in v.floors for n in (f.name, *f.aliases)])
        found = self.model_dir or find_intent_model(default_models_dir())
        if found is None:
            raise ParserModelMissing(f"the learned command parser's model is not built in {default_models_dir()}: "
                                     f"{BUILD_HINT}")
        self.model = load_model(Path(found))

    def parse(self, text: str) -> ToolCall | None:
        cleaned = text.strip()
        if not cleaned:
            return None
        pred = self.model.predict(cleaned, self.gazetteer)
        whole = self._parse(cleaned, pred)
        if whole is None or whole.confidence >= DEFAULT_MIN_CONFIDENCE or "?" in cleaned:
            return whole
        # "kitchen lights off, I'm done cooking": a command with a remark beside it, read clause by clause;
        # only a clause that asks for what the whole text was taken to ask for, and more surely
        best = whole
        for clause in (c.strip(" ,;.!") for c in _CLAUSES.split(cleaned)):
            if not clause or clause == cleaned:
                continue
            call = self._parse(clause, self.model.predict(clause, self.gazetteer))
            if call is not None and call.name == whole.name and call.confidence > best.confidence:
                places = {k: v for k, v in whole.arguments.items() if k in _PLACE_SLOTS}
                if places and not any(k in call.arguments for k in _PLACE_SLOTS):
                    # "it's pitch black in the garage, lights on please": the place said in the other clause
                    call = ToolCall(call.name, {**call.arguments, **places}, confidence=call.confidence)
                best = call
        return best

    def _parse(self, cleaned: str, pred: Prediction) -> ToolCall | None:
        announced = _ANNOUNCE.match(cleaned)
        if announced is not None and pred.intent in (None, "HassStartTimer", "HassBroadcast"):
            # the verb says what to do; the class doubted between a message and its words
            return ToolCall("HassBroadcast", {"message": announced.group("message")},
                            confidence=round(pred.probability if pred.intent == "HassBroadcast" else 0.9, 4))
        intent = pred.intent
        if intent is None:
            return None
        slots: dict[str, Any] = pred.fixed()
        lowest = 1.0
        unknown = named_in_area = False
        for snapped in self._snap(cleaned, pred.spans):
            span = self._as_intent_takes(intent, snapped)
            if span is None:
                continue  # "send rover to clean": no list item for a vacuum; its doubt is none
            if span.slot in slots and span.slot not in pred.fixed():
                continue  # the first span of a slot wins
            words = cleaned[span.start:span.end]
            value = normalise(span.slot, words, self.vocabulary, intent=intent, text=cleaned,
                              value_maps=self.model.value_maps)
            if span.slot == "name" and not value.known:
                value = self._by_other_word(words) or value  # "the telly": the home's one TV
            if span.slot in ("area", "floor") and not value.known and _aside(cleaned, span.start):
                continue  # "..., the kids are asleep", "..., we're going to bed": a reason given, not a place
            if span.slot in ("area", "floor") and not value.known and _whole_home(words):
                continue  # "in the house": everywhere, as Home Assistant's "all the lights" is
            # a span left out above is no slot: its doubt is none; a place the home has doubts only that it is one
            lowest = min(lowest, span.place if span.slot in _PLACE_SLOTS and value.known else span.probability)
            if span.slot == "name" and (not value.known or self._is_area(words)) and self._as_area(words, slots):
                continue  # "the den lights", "the study": the area (and its devices), as Home Assistant reads it
            if span.slot == "name" and not value.known:
                in_area = self._name_in_area(words, cleaned[span.end:])
                value, named_in_area = (in_area, True) if in_area is not None else (value, named_in_area)
            if span.slot == "name" and value.known and not self._fits(intent, value.value):
                if _fold(words) in _DEVICE_DOMAIN and "name" not in slots:
                    slots.setdefault("domain", _DEVICE_DOMAIN[_fold(words)])  # "the light": lights, not a sensor
                    continue
                sibling = next((x for x in _SIBLINGS.get(intent, ()) if self._fits(x, value.value)), None)
                if sibling is not None:
                    # "rover, go back to your dock": the vacuum's return, not a mower's; a sensor's temperature
                    # is its state
                    intent = sibling
                    slots = {self._alike(intent, k): v for k, v in slots.items() if k not in pred.fixed()}
                else:
                    value = SlotValue(value.value, known=False)  # a thing this intent cannot act on: unsure
            slots[span.slot] = value.value
            unknown = unknown or not value.known
        if named_in_area:
            slots.pop("area", None)  # said as part of the name: "the countertop light in the kitchen"
        confidence = pred.probability * lowest * (UNKNOWN_PENALTY if unknown else 1.0)
        if not any(s in slots for s in _PLACE_SLOTS):
            named = self._untagged_name(cleaned, pred.spans, intent)
            if named is not None:
                slots["name"] = named  # "get mowbie mowing": the home's mower, said where the tagger saw no name
        if intent in _AREA_INTENTS and not any(s in slots for s in _PLACE_SLOTS):
            said = self._untagged_area(cleaned, pred.spans)
            if said is not None:
                slots["area"] = said  # "heat the office to 20 degrees": a place the tagger left untagged
        here = self._here_area()
        if here and pred.cls in self.model.here_classes and not any(s in slots for s in _PLACE_SLOTS):
            slots["area"] = here  # "turn on the lights": the device's own area, as Home Assistant does
        if intent == "HassSetVolumeRelative" and "volume_step" not in slots:
            ways = {way for pattern, way in _STEP_WORDS if pattern.search(cleaned)}
            if len(ways) == 1:
                slots["volume_step"] = ways.pop()
        if intent in _TARGETED and "name" not in slots and not {"domain", "device_class"} & slots.keys():
            slots.update(self._untagged_kind(cleaned, pred.spans))
        if intent in _TARGETED and not any(s in slots for s in _TARGET_SLOTS):
            return None  # "call it focus": turning on or asking about nothing at all is no command
        cover = slots.get("device_class")
        if "domain" not in slots and (cover in _COVER_ONLY or (cover in _COVER_MOVED and intent in _MOVES)):
            slots["domain"] = "cover"  # "are the curtains closed": Home Assistant names the domain with the class
        return ToolCall(intent, slots, confidence=round(confidence, 4))

    def _snap(self, text: str, spans: tuple[SlotSpan, ...]) -> list[SlotSpan]:
        """Spans inside a mention of an entity's name, as Home Assistant's matcher reads it (a named entity wins):
        a `name`, `area` or `device_class` span becomes the whole name ("kitchen" of "Kitchen Spots", "garage" of
        "Garage Light", "curtain" of "Curtain Left"), unless the mention is not exactly a name and is an area
        with a device word ("garage" + "lights" where only a Garage Light exists: the Garage's lights); spans
        swallowed by it are dropped."""
        spans = tuple(self._whole_place(text, s) for s in spans)
        pattern = self.gazetteer.entities
        if pattern is None or not spans:
            return list(spans)
        mentions = [(m.start(), m.end()) for m in pattern.finditer(text)]
        out: list[SlotSpan] = []
        taken: tuple[int, int] | None = None
        for span in spans:
            if taken is not None and taken[0] <= span.start and span.end <= taken[1]:
                continue
            mention = next(((s, e) for s, e in mentions if s <= span.start and span.end <= e
                            and (s, e) != (span.start, span.end)), None)
            if mention is not None and span.slot in ("name", "area", "device_class"):
                words = text[mention[0]:mention[1]]
                area_and_device = self._is_area(text[span.start:span.end]) and area_with_device(
                    words, self.vocabulary.areas) is not None
                if not area_and_device or _fold(words) in self._names:
                    out.append(SlotSpan("name", mention[0], mention[1], span.probability, span.place))
                    taken = mention
                    continue
            out.append(span)
        if taken is not None:  # an earlier span inside the name that took its words ("living room" of the lamp)
            out = [s for s in out if s.slot == "name" or not (taken[0] <= s.start and s.end <= taken[1])]
        return out

    def _untagged_area(self, text: str, spans: tuple[SlotSpan, ...]) -> str | None:
        """The one area of the home said in `text` outside every span and not as a remark after a comma
        ("heat the office to 20 degrees", "turn off the lights outside"), else None: Home Assistant's
        templates read such a place wherever it stands, the tagger sometimes misses it at the end."""
        pattern = self.gazetteer.areas
        if pattern is None:
            return None
        found = {place.name for m in pattern.finditer(text)
                 if _untagged(text, spans, m)
                 and (place := find_place(m.group(0), self.vocabulary.areas)) is not None}
        return found.pop() if len(found) == 1 else None

    def _untagged_name(self, text: str, spans: tuple[SlotSpan, ...], intent: str) -> str | None:
        """The one name of the home's things said in `text` outside every span and before any remark, that
        `intent` can act on by Home Assistant's templates (an intent they do not limit: none), else None."""
        pattern = self.gazetteer.entities
        if pattern is None or intent not in self.model.name_domains:
            return None
        found = {e.name for m in pattern.finditer(text)
                 if _untagged(text, spans, m)
                 and not self._is_area(m.group(0))
                 for e in self.vocabulary.entities
                 if _fold(m.group(0)) in (_fold(e.name), *(_fold(a) for a in e.aliases))}
        for m in _SAME_DEVICE_WORDS.finditer(text):  # "mute the telly": another word for the home's one TV
            other = self._by_other_word(m.group(0))
            if other is not None and _untagged(text, spans, m):
                found.add(other.value)
        fitting = {name for name in found if self._fits(intent, name)}
        return fitting.pop() if len(fitting) == 1 else None

    def _as_intent_takes(self, intent: str, span: SlotSpan) -> SlotSpan | None:
        """`span` as a slot `intent` takes by Home Assistant's catalogue: a place, domain or class as it is (the
        parser resolves those); a free text under the one free-text slot the intent has ("I wanna watch Stranger
        Things": a search, not a list item); None for a slot the intent does not take ("shut the tv up for a
        minute": no minutes to a mute). An intent the manifest does not list takes every slot."""
        takes = self.model.intent_slots.get(intent)
        if takes is None or span.slot in takes or span.slot in _TARGET_SLOTS:
            return span
        alike = self._alike(intent, span.slot)
        if alike != span.slot:
            return SlotSpan(alike, span.start, span.end, span.probability, span.place)
        if span.slot in _FREE_TEXT:
            free = _FREE_TEXT & takes
            if len(free) == 1:
                return SlotSpan(next(iter(free)), span.start, span.end, span.probability, span.place)
        return None

    def _by_other_word(self, words: str) -> SlotValue | None:
        """The home's one thing whose name is another everyday word for `words` ("the telly": the TV), else
        None (none, or several: the tools ask back)."""
        folded = _fold(words).removeprefix("my ").removeprefix("our ")
        group = next((g for g in _SAME_DEVICE if folded in g), None)
        if group is None:
            return None
        found = {e.name for e in self.vocabulary.entities
                 if any(_fold(n) in group for n in (e.name, *e.aliases))}
        return SlotValue(found.pop()) if len(found) == 1 else None

    def _alike(self, intent: str, slot: str) -> str:
        """`slot` as `intent` takes the same value: a position said to a light is its brightness."""
        takes = self.model.intent_slots.get(intent)
        if takes is None or slot in takes:
            return slot
        return next((other for other in _ALIKE.get(slot, ()) if other in takes), slot)

    def _untagged_kind(self, text: str, spans: tuple[SlotSpan, ...]) -> dict[str, str]:
        """The one kind of device named by a noun outside every span and before any remark ("turn off the
        switch in the bedroom": domain switch), as `domain` (and `device_class`) slots; {} for none or several."""
        kinds = {kind for pattern, kind in _KIND_WORDS for m in pattern.finditer(text)
                 if _untagged(text, spans, m)
                 and self._kind_said(text, m.start(), first_ok=kind[0] != "switch")}
        if len(kinds) != 1:
            return {}
        domain, device_class = kinds.pop()
        return {"domain": domain, **({"device_class": device_class} if device_class else {})}

    def _kind_said(self, text: str, at: int, *, first_ok: bool) -> bool:
        """The device noun at `at` stands alone or after a word of `_BEFORE_KIND` or a place of the home
        ("the bedroom switch"), not after a word the home does not know ("the garage light", no garage)."""
        before = text[:at].rstrip()
        if not before:
            return first_ok
        word = re.search(r"[\w']+$", before)
        if word is None or word.group(0).casefold() in _BEFORE_KIND:
            return True
        places = [p for p in (self.gazetteer.areas, self.gazetteer.floors) if p is not None]
        return any(m.end() == len(before) for pattern in places for m in pattern.finditer(before))

    def _fits(self, intent: str, name: str) -> bool:
        """Some entity called `name` is of a domain Home Assistant's templates let `intent` name (any, for an
        intent the model's manifest does not limit)."""
        domains = self.model.name_domains.get("HassTurnOff" if intent == "HassToggle" else intent)
        if domains is None:
            return True
        return any(e.id.partition(".")[0] in domains for e in self.vocabulary.entities if e.name == name)

    def _name_in_area(self, words: str, rest: str) -> SlotValue | None:
        """A name the home lacks that is an entity's name without its area's, the area said after it ("the
        countertop light in the kitchen": Kitchen Countertop), else None."""
        m = _IN_PLACE.match(rest)
        area = find_place(m.group(1), self.vocabulary.areas) if m else None
        if area is None:
            return None
        here = HomeVocabulary(entities=tuple(e for e in self.vocabulary.entities if e.area == area.id))
        bare = _DEVICE_WORD.sub("", _fold(words))
        for said in (f"{area.name} {words}", f"{area.name} {bare}", bare):
            found = normalise("name", said, here)
            if found.known:
                return found
        return None

    def _whole_place(self, text: str, span: SlotSpan) -> SlotSpan:
        """An `area` or `floor` span that is part of a longer mention of one ("lower" of "Lower Ground")
        runs to the whole mention."""
        pattern = {"area": self.gazetteer.areas, "floor": self.gazetteer.floors}.get(span.slot)
        if pattern is None:
            return span
        for m in pattern.finditer(text):
            if m.start() <= span.start and span.end <= m.end() and (m.start(), m.end()) != (span.start, span.end):
                return SlotSpan(span.slot, m.start(), m.end(), span.probability, span.place)
        return span

    def _is_area(self, words: str) -> bool:
        """`words` are exactly an area's name or alias and no entity's ("the study" of "Study Blinds")."""
        folded = _fold(words)
        v = self.vocabulary
        in_areas = any(folded in (a.name.casefold(), *(x.casefold() for x in a.aliases)) for a in v.areas)
        return in_areas and not any(folded in (e.name.casefold(), *(x.casefold() for x in e.aliases))
                                    for e in v.entities)

    def _as_area(self, words: str, slots: dict[str, Any]) -> bool:
        """A `name` the home lacks that is an area ("the scullery"), or an area with a device word ("the den
        lights": `domain` too): into `slots` as Home Assistant reads it."""
        if "area" in slots:
            return False
        place = find_place(words, self.vocabulary.areas)
        if place is not None and _fold(words) in (place.name.casefold(), *(a.casefold() for a in place.aliases)):
            slots["area"] = place.name
            return True
        found = area_with_device(words, self.vocabulary.areas)
        if found is None or len(found[1]) != 1:
            return False
        slots["area"] = found[0].name
        slots.setdefault("domain", next(iter(found[1])))
        return True

    def _here_area(self) -> str | None:
        v = self.vocabulary
        if not v.here_area:
            return None
        here = next((a for a in v.areas if v.here_area in (a.id, a.name)), None)
        return here.name if here else None
