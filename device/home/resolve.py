"""From words to entities: "the kitchen spot", "the lights in here", "the lamp upstairs".

`resolve(home, name=..., area=..., floor=..., domain=..., device_class=..., here_area=...)` returns
every entity the words mean, or raises `UnknownEntity` (nothing fits: the message says what does
exist) or `AmbiguousTarget` (a name fits several entities in different places: its `question`
asks back, "Which Lamp: Study or Bedroom?").

How words match, all case-insensitive, in this order:

* a name or alias, exactly, ignoring articles, punctuation, plurals and spaces ("livingroom");
* then a name that holds every word given ("pendant" -> "Dining Pendant"), or is close in
  spelling (difflib ratio >= 0.82: "kitchen spot" -> "Kitchen Spots");
* a name that is an area with a device word ("kitchen lights", "the lights in the kitchen") means
  every such device in that area; a bare device word ("the lights") means every one;
* no name: every entity that fits the area, floor, domain and device class (plurals: area + domain
  returns all); with only a domain, the device's own area (`here_area`) first, as Home Assistant
  does for a voice satellite, else the whole home;
* `area` "here" / "in here" / "this room" is `here_area`; areas and floors also match by alias,
  id and close spelling;
* `name` "all" (Home Assistant's intents write it for "set the bedroom to 50%") means no name: every
  entity the other words allow;
* a name that fits entities in several areas prefers the one in `here_area`; else it asks.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from device.errors import AmbiguousTarget, UnknownEntity
from device.home.base import Home
from device.home.model import Area, Entity, Floor

__all__ = ["HERE_WORDS", "area_with_device", "find_place", "match_names", "resolve"]

HERE_WORDS = frozenset({"here", "in here", "this room", "the room", "this area", "in this room", "right here"})
_FUZZY = 0.82
_EVERY = frozenset({"all", "everything", "every device", "all devices"})
_FILLERS = frozenset({"the", "a", "an", "my", "our", "all", "in", "on", "of", "at", "every", "each", "both", "please"})

# device words -> (domain, device_class or None); singular forms (plurals are folded first)
_DEVICE_WORDS: dict[str, tuple[str, str | None]] = {
    "light": ("light", None), "lamp": ("light", None), "lighting": ("light", None), "bulb": ("light", None),
    "switch": ("switch", None), "plug": ("switch", None), "socket": ("switch", None), "outlet": ("switch", None),
    "fan": ("fan", None), "blind": ("cover", None), "curtain": ("cover", None), "shade": ("cover", None),
    "shutter": ("cover", None), "cover": ("cover", None), "garage door": ("cover", None),
    "thermostat": ("climate", None), "heating": ("climate", None), "heater": ("climate", None),
    "air conditioning": ("climate", None), "climate": ("climate", None), "lock": ("lock", None),
    "speaker": ("media_player", None), "tv": ("media_player", None), "television": ("media_player", None),
    "media player": ("media_player", None), "player": ("media_player", None), "vacuum": ("vacuum", None),
    "robot vacuum": ("vacuum", None), "mower": ("lawn_mower", None), "lawn mower": ("lawn_mower", None),
    "valve": ("valve", None), "sensor": ("sensor", None), "temperature": ("sensor", "temperature"),
    "humidity": ("sensor", "humidity"),
}


def resolve(home: Home, *, name: str | None = None, area: str | None = None, floor: str | None = None,
            domain: str | Iterable[str] | None = None, device_class: str | Iterable[str] | None = None,
            here_area: str | None = None) -> tuple[Entity, ...]:
    """The entities the words mean (at least one), in the home's order; see the module doc."""
    if name is not None and name.strip().casefold() in _EVERY:
        name = None  # Home Assistant's `name: all` ("set the bedroom to 50%"): every entity the rest allows
    domains, classes = _as_set(domain), _as_set(device_class)
    areas, floors = home.areas(), home.floors()
    area_obj = _find_area(area, areas, here_area) if area else None
    floor_obj = _find_floor(floor, floors) if floor else None
    everything = home.entities()
    pool = [e for e in everything if (not domains or e.domain in domains)
            and (not classes or e.device_class in classes)]
    if floor_obj is not None:
        on_floor = {a.id for a in areas if a.floor == floor_obj.id}
        pool = [e for e in pool if e.area in on_floor]
    if area_obj is not None:
        pool = [e for e in pool if e.area == area_obj.id]
    if name is None or not _tokens(name):
        if area_obj is None and floor_obj is None and here_area and domains:
            in_here = [e for e in pool if e.area == here_area]
            pool = in_here or pool
        if not pool:
            raise UnknownEntity(_nothing_message(domains, classes, area_obj, floor_obj, everything, areas))
        return tuple(pool)

    matches = _match_name(name, pool)
    exact = any(_score(_tokens(name), n) == 1.0 for e in matches for n in (e.name, *e.aliases))
    if not exact:
        if area_obj is None:  # "the kitchen" is the area, not the Kitchen Spots
            named_area = _find("area", name, areas)
            if isinstance(named_area, Area) and max(_score(_tokens(name), n) for n in (
                    named_area.name, named_area.id.replace("_", " "), *named_area.aliases)) == 1.0:
                return resolve(home, area=named_area.id, floor=floor, domain=domains or None,
                               device_class=classes or None, here_area=here_area)
            as_area = _area_and_device(name, areas, domains)
            if as_area is not None:
                words_area, words_domains, words_classes = as_area
                return resolve(home, area=words_area, floor=floor, domain=words_domains or domains or None,
                               device_class=words_classes or classes or None, here_area=here_area)
        device = _device_words(name)
        if device is not None:
            words_domains, words_classes = device
            here_has_some = here_area is not None and area_obj is None and floor_obj is None and any(
                e.area == here_area and e.domain in words_domains for e in everything)
            if _plural(name) or not matches or here_has_some:  # "the lights"; "the light" in a room with lights
                return resolve(home, area=area, floor=floor, domain=words_domains,
                               device_class=words_classes or None, here_area=here_area)
    if not matches:
        raise _no_such_name(name, area_obj, floor_obj, everything)
    return _one_target(name, matches, here_area, areas, area_given=area_obj is not None)


def match_names(words: str, entities: Sequence[Entity]) -> list[Entity]:
    """The entities whose name or alias `words` mean (exactly, every word, or close spelling), best tier
    first; [] when none does. For parsers that write the inventory's name into a `name` slot."""
    return _match_name(words, entities)


def find_place(words: str, places: Sequence[Area] | Sequence[Floor]) -> Area | Floor | None:
    """The area or floor `words` name (name, alias, id or close spelling), or None."""
    return _find("place", words, places)


def area_with_device(words: str, areas: Sequence[Area]) -> tuple[Area, frozenset[str]] | None:
    """"kitchen lights", "the lamps in the study" -> (the area, its device words' domains); None when the
    words are not an area of `areas` with a device word (a `name` slot that means an area's devices)."""
    found = _area_and_device(words, areas, frozenset())
    if found is None or not found[1]:
        return None
    area = next((a for a in areas if a.id == found[0]), None)
    return None if area is None else (area, found[1])


# -- words ------------------------------------------------------------------------------------------


def _as_set(value: str | Iterable[str] | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value)


def _singular(word: str) -> str:
    if len(word) > 4 and re.search(r"(ch|sh|x|ss)es$", word):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _tokens(text: str) -> tuple[str, ...]:
    """Lower-case words without punctuation, apostrophes or hassil's optional brackets, singular."""
    text = text.casefold().replace("’", "'").replace("'", "").replace("[", "").replace("]", "")
    words = re.findall(r"[^\W_]+", text)
    while words and words[0] in ("the", "a", "an", "my", "our"):
        words = words[1:]
    return tuple(_singular(w) for w in words)


def _compact(text: str) -> str:
    return "".join(_tokens(text))


def _score(query: tuple[str, ...], name: str) -> float:
    words = _tokens(name)
    if not words:
        return 0.0
    if query == words or "".join(query) == "".join(words):
        return 1.0
    if set(query) <= set(words):
        return 0.9
    ratio = difflib.SequenceMatcher(None, "".join(query), "".join(words)).ratio()
    if ratio >= _FUZZY:
        return 0.8 + (ratio - _FUZZY) / 10
    # every word given is a close spelling of a word in the name ("kitchn spots")
    if all(any(difflib.SequenceMatcher(None, q, w).ratio() >= _FUZZY for w in words) for q in query):
        return 0.8
    return 0.0


def _match_name(name: str, pool: Sequence[Entity]) -> list[Entity]:
    query = _tokens(name)
    scored = [(max(_score(query, n) for n in (e.name, *e.aliases)), e) for e in pool]
    best = max((s for s, _ in scored), default=0.0)
    if best < 0.8:
        return []
    floor_score = 0.9 if best >= 0.9 else best - 0.02  # ties within a tier, not across tiers
    return [e for s, e in scored if s >= floor_score and (best < 1.0 or s == 1.0)]


def _find(kind: str, ref: str, items: Sequence[Area] | Sequence[Floor]) -> Area | Floor | None:
    query = _tokens(ref)
    best: tuple[float, Area | Floor | None] = (0.0, None)
    for item in items:
        names = (item.name, item.id.replace("_", " "), *item.aliases)
        score = max(_score(query, n) for n in names)
        if score == 1.0:
            return item
        if score > best[0] and score < 0.9:  # a part of an area's name is not the area ("room")
            best = (score, item)
    return best[1] if best[0] >= 0.8 else None


def _find_area(ref: str, areas: Sequence[Area], here_area: str | None) -> Area:
    if " ".join(ref.casefold().split()) in HERE_WORDS:
        if here_area is None:
            raise UnknownEntity("this device has no area of its own, so 'here' means nothing: set [home] area "
                                "(TANDEM_HOME__AREA) to its room, or name the room")
        here = next((a for a in areas if a.id == here_area), None)
        return here or Area(here_area, here_area.replace("_", " ").title())
    found = _find("area", ref, areas)
    if not isinstance(found, Area):
        names = [a.name for a in areas]
        close = difflib.get_close_matches(ref.title(), names, n=2, cutoff=0.5)
        raise UnknownEntity(f"no area called {ref!r}; areas: {', '.join(names) or 'none'}", close)
    return found


def _find_floor(ref: str, floors: Sequence[Floor]) -> Floor:
    found = _find("floor", ref, floors)
    if not isinstance(found, Floor):
        names = [f.name for f in floors]
        raise UnknownEntity(f"no floor called {ref!r}; floors: {', '.join(names) or 'none'}",
                            difflib.get_close_matches(ref.title(), names, n=2, cutoff=0.5))
    return found


def _plural(text: str) -> bool:
    """"the lights", "all lamps", "both blinds": a device word in the plural, or a word for all."""
    raw = re.findall(r"[^\W_]+", text.casefold())
    return any(w in ("all", "every", "both") for w in raw) or any(
        w != _singular(w) and _singular(w) in _DEVICE_WORDS for w in raw)


def _device_words(text: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """"lights", "all the blinds", "temperature" -> ({domain}, {device_class}); None if not only device words."""
    words = [w for w in _tokens(text) if w not in _FILLERS]
    if not words:
        return None
    phrase = " ".join(words)
    if phrase in _DEVICE_WORDS:
        dom, cls = _DEVICE_WORDS[phrase]
        return frozenset({dom}), frozenset({cls}) if cls else frozenset()
    return None


def _area_and_device(name: str, areas: Sequence[Area], domains: frozenset[str]) -> tuple[str, frozenset[str], frozenset[str]] | None:
    """"kitchen lights", "the lights in the kitchen", "lights in here" -> (area words, domains, classes)."""
    words = [w for w in _tokens(name)]
    lowered = " ".join(words)
    for here in sorted(HERE_WORDS, key=len, reverse=True):
        if re.search(rf"\b{re.escape(here)}$", lowered):
            rest = lowered[: -len(here)]
            return _with_device(here, rest, domains)
    for area in areas:
        for area_name in (area.name, *area.aliases, area.id.replace("_", " ")):
            area_words = " ".join(_tokens(area_name))
            if not area_words:
                continue
            match = re.search(rf"(^|\s){re.escape(area_words)}(\s|$)", lowered)
            if match:
                rest = (lowered[: match.start()] + " " + lowered[match.end():]).strip()
                found = _with_device(area.id, rest, domains)
                if found is not None:
                    return found
    return None


def _with_device(area_ref: str, rest: str, domains: frozenset[str]) -> tuple[str, frozenset[str], frozenset[str]] | None:
    rest_words = [w for w in rest.split() if w not in _FILLERS]
    if not rest_words:
        return (area_ref, domains, frozenset()) if domains else None
    device = _device_words(" ".join(rest_words))
    if device is None:
        return None
    return area_ref, device[0], device[1]


# -- answers -----------------------------------------------------------------------------------------


def _one_target(name: str, matches: list[Entity], here_area: str | None, areas: Sequence[Area], *,
                area_given: bool) -> tuple[Entity, ...]:
    if len(matches) == 1:
        return tuple(matches)
    if here_area and not area_given:
        in_here = [e for e in matches if e.area == here_area]
        if in_here:
            matches = in_here
            if len(matches) == 1:
                return tuple(matches)
    same_name = len({_compact(e.name) for e in matches}) == 1
    if same_name and len({e.area for e in matches}) == 1:
        return tuple(matches)  # several devices under one name in one place: all of them, as Home Assistant does
    area_names = {a.id: a.name for a in areas}
    if same_name:
        choices = [area_names.get(e.area or "", "no area") for e in matches]
        choices = list(dict.fromkeys(choices))
    else:
        names = [e.name for e in matches]
        choices = [f"{e.name} ({area_names[e.area]})" if names.count(e.name) > 1 and e.area in area_names else e.name
                   for e in matches]
    label = " ".join(w.capitalize() for w in name.split() if w.casefold() not in ("the", "a", "an", "my"))
    question = f"Which {label or 'one'}: {_or_list(choices)}?"
    raise AmbiguousTarget(question, matches)


def _or_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _no_such_name(name: str, area: Area | None, floor: Floor | None, everything: Sequence[Entity]) -> UnknownEntity:
    names = list(dict.fromkeys(n for e in everything for n in (e.name, *e.aliases)))
    by_compact = {_compact(n): n for n in names}
    close = [by_compact[c] for c in difflib.get_close_matches(_compact(name), list(by_compact), n=3, cutoff=0.5)]
    where = f" in the {area.name}" if area else f" on the {floor.name}" if floor else ""
    hint = f"; closest: {', '.join(close)}" if close else ""
    return UnknownEntity(f"no device called {name!r}{where}{hint}", close)


def _nothing_message(domains: frozenset[str], classes: frozenset[str], area: Area | None, floor: Floor | None,
                     everything: Sequence[Entity], areas: Sequence[Area]) -> str:
    what = " or ".join(sorted(classes)) + " " if classes else ""
    what += " or ".join(d.replace("_", " ") for d in sorted(domains)) if domains else "device"
    where = f" in the {area.name}" if area else f" on the {floor.name}" if floor else " in the home"
    elsewhere = sorted({a.name for a in areas for e in everything
                        if e.area == a.id and (not domains or e.domain in domains)
                        and (not classes or e.device_class in classes)})
    hint = f"; there are some in: {', '.join(elsewhere)}" if elsewhere and (area or floor) else ""
    return f"no {what}{where}{hint}"
