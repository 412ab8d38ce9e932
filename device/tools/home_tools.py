"""Home Assistant's device intents as tools: on/off, lights, climate, covers, fans, media, vacuums, mowers.

Each tool resolves its target slots (`name`, `area`, `floor`, `domain`, `device_class`, or the
device's own area for "in here") against the home (`device.home.resolve`), asks the act policy per
entity, and calls Home Assistant's service for the entity's domain (`HassTurnOn` on a cover opens
it, on a lock locks it, as Home Assistant does). A target that matches nothing or too much is said
back as a question instead of guessed (the executor turns `AmbiguousTarget` into the answer).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from device.errors import ToolError, ToolRefused, UnknownEntity
from device.tools.base import Tool, ToolInput, ToolOutcome
from device.tools.schema import NUMBER, PERCENT, TARGET, TEXT, obj

if TYPE_CHECKING:
    from device.home.base import Home
    from device.home.model import Entity

# service for "on" and "off" per domain (Home Assistant's HassTurnOn/HassTurnOff handlers)
_ON_OFF: dict[str, tuple[str, str]] = {
    "light": ("turn_on", "turn_off"), "switch": ("turn_on", "turn_off"), "fan": ("turn_on", "turn_off"),
    "input_boolean": ("turn_on", "turn_off"), "media_player": ("turn_on", "turn_off"),
    "climate": ("turn_on", "turn_off"), "humidifier": ("turn_on", "turn_off"), "siren": ("turn_on", "turn_off"),
    "cover": ("open_cover", "close_cover"), "valve": ("open_valve", "close_valve"), "lock": ("lock", "unlock"),
    "scene": ("turn_on", "turn_on"), "script": ("turn_on", "turn_off"), "automation": ("turn_on", "turn_off"),
}
_READ_ONLY = frozenset({"sensor", "binary_sensor", "weather", "todo", "person", "zone", "sun"})


def _home(inp: ToolInput) -> Home:
    if inp.services.home is None:
        raise ToolError("this device knows no home: set [home] broker_url (MQTT discovery) or [home] inventory")
    return inp.services.home


def targets(inp: ToolInput, *, domain: str | None = None) -> tuple[Entity, ...]:
    """The entities the target slots name (all of them for "the lights in the kitchen")."""
    from device.home.resolve import resolve

    args = inp.arguments
    return resolve(_home(inp), name=args.get("name"), area=args.get("area"), floor=args.get("floor"),
                   domain=args.get("domain") or domain, device_class=args.get("device_class"),
                   here_area=inp.services.here_area)


def _names(entities: tuple[Entity, ...] | list[Entity]) -> str:
    names = [e.name for e in entities]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else "nothing"


async def _call_each(inp: ToolInput, entities: tuple[Entity, ...],
                     service_for: Callable[[Entity], tuple[str, dict[str, Any]] | None], verb: str) -> ToolOutcome:
    """Call the service `service_for` picks on each entity, after the act policy; the states after."""
    home = _home(inp)
    planned = [(e, s) for e in entities if (s := service_for(e)) is not None]
    if not planned:
        raise ToolError(f"{verb} does not apply to {_names(entities)}")
    for entity, (service, _) in planned:
        decision = inp.services.policy.decide(entity.domain, service, entity.device_class)
        if decision == "refuse":
            raise ToolRefused(f"I did not {verb} the {entity.name}: the device's policy refuses "
                              f"{entity.domain}.{service} (tools.policy)")
        if decision == "confirm" and not inp.dry_run:
            asked = inp.confirm is not None and await inp.confirm(f"{verb.capitalize()} the {entity.name}?")
            if not asked:
                raise ToolRefused(f"I did not {verb} the {entity.name}: that needs your yes first "
                                  f"(tools.policy {entity.domain}.{service} = confirm)")
    if inp.dry_run:
        would = [{"entity_id": e.id, "service": f"{e.domain}.{s}", "data": d} for e, (s, d) in planned]
        return ToolOutcome({"dry_run": True, "would": would}, {"names": _names([e for e, _ in planned])})
    after = [await home.call(e.domain, s, e.id, d) for e, (s, d) in planned]
    return ToolOutcome({"entities": [{"id": e.id, "name": e.name, "state": e.state} for e in after]},
                       {"names": _names(after), "state": after[0].state if after else ""})


# what switching on/off means, said, per domain
_SAID: dict[str, tuple[str, str]] = {"lock": ("lock", "unlock"), "cover": ("open", "close"),
                                     "valve": ("open", "close")}
_DONE = {"lock": "Locked", "unlock": "Unlocked", "open": "Opened", "close": "Closed", "turn on": "Turned on",
         "turn off": "Turned off"}


def _switch(on: bool) -> Callable[[ToolInput], Any]:
    async def execute(inp: ToolInput) -> ToolOutcome:
        entities = tuple(e for e in targets(inp) if e.domain not in _READ_ONLY)

        def service(e: Entity) -> tuple[str, dict[str, Any]] | None:
            pair = _ON_OFF.get(e.domain)
            return (pair[0 if on else 1], {}) if pair else None

        only = {e.domain for e in entities}
        said = _SAID.get(next(iter(only))) if len(only) == 1 else None
        verb = said[0 if on else 1] if said else ("turn on" if on else "turn off")
        outcome = await _call_each(inp, entities, service, verb)
        return ToolOutcome(outcome.result, {**outcome.fields, "done": _DONE[verb]})
    return execute


async def _toggle(inp: ToolInput) -> ToolOutcome:
    entities = tuple(e for e in targets(inp) if e.domain not in _READ_ONLY)

    def service(e: Entity) -> tuple[str, dict[str, Any]] | None:
        if e.domain in ("cover", "lock", "valve"):
            pair = _ON_OFF[e.domain]
            opened = e.state in ("open", "opening", "unlocked")
            return (pair[1] if opened == (e.domain != "lock") else pair[0], {})
        return ("toggle", {}) if e.domain in _ON_OFF else None

    return await _call_each(inp, entities, service, "toggle")


async def _light_set(inp: ToolInput) -> ToolOutcome:
    args = inp.arguments
    data: dict[str, Any] = {}
    if "brightness" in args:
        data["brightness_pct"] = args["brightness"]
    if "color" in args:
        data["color_name"] = str(args["color"]).lower()
    if "temperature" in args:
        data["color_temp_kelvin"] = args["temperature"]
    if not data:
        raise ToolError("HassLightSet needs a brightness, a color or a color temperature")
    outcome = await _call_each(inp, targets(inp, domain="light"),
                               lambda e: ("turn_on", data) if e.domain == "light" else None, "set")
    words = {"brightness_words": f" to {args['brightness']}% brightness" if "brightness" in args else "",
             "color_words": (" and " if "brightness" in args else " to ") + str(args["color"]) if "color" in args
             else ""}
    return ToolOutcome(outcome.result, {**outcome.fields, **words})


async def _climate_set(inp: ToolInput) -> ToolOutcome:
    temperature = inp.arguments["temperature"]
    return await _call_each(inp, targets(inp, domain="climate"),
                            lambda e: ("set_temperature", {"temperature": temperature}) if e.domain == "climate"
                            else None, "set the temperature of")


def _reading(entity: Entity) -> tuple[str, str]:
    """(value, unit) a person would say for this entity."""
    attrs = entity.attributes
    if entity.domain == "climate":
        value = attrs.get("current_temperature", attrs.get("temperature", entity.state))
        return str(value), str(attrs.get("temperature_unit", attrs.get("unit_of_measurement", "°C")))
    if entity.domain == "weather":
        return str(attrs.get("temperature", "")), str(attrs.get("temperature_unit", "°C"))
    return entity.state, str(attrs.get("unit_of_measurement", "") or "")


async def _climate_get(inp: ToolInput) -> ToolOutcome:
    from device.home.resolve import resolve

    home = _home(inp)
    args = inp.arguments
    found: tuple[Entity, ...] = ()
    for domain, device_class in (("climate", None), ("sensor", "temperature")):
        try:
            found = resolve(home, name=args.get("name"), area=args.get("area"), floor=args.get("floor"),
                            domain=domain, device_class=device_class, here_area=inp.services.here_area)
        except UnknownEntity:
            continue  # no thermostat there: a temperature sensor answers as well
        if found:
            break
    if not found:
        raise ToolError("no thermostat or temperature sensor matches")
    entity = found[0]
    value, unit = _reading(entity)
    return ToolOutcome({"entity_id": entity.id, "name": entity.name, "value": value, "unit": unit},
                       {"names": entity.name, "value": value, "unit": unit})


async def _get_state(inp: ToolInput) -> ToolOutcome:
    entities = targets(inp)
    asked = inp.arguments.get("state")
    readings = [(e, *_reading(e)) for e in entities]
    result = {"entities": [{"id": e.id, "name": e.name, "state": e.state} for e in entities]}
    if asked is not None:
        wanted = str(asked).lower()
        matching = [e for e in entities if e.state.lower() == wanted]
        answer = "Yes" if matching and len(matching) == len(entities) else "No"
        detail = ", ".join(f"{e.name} is {e.state}" for e in entities)
        return ToolOutcome({**result, "matches": len(matching)}, say=f"{answer}: {detail}.")
    said = "; ".join(f"{e.name} is {v}{(' ' + u) if u else ''}" for e, v, u in readings)
    return ToolOutcome(result, say=f"{said}.")


async def _set_position(inp: ToolInput) -> ToolOutcome:
    position = inp.arguments["position"]

    def service(e: Entity) -> tuple[str, dict[str, Any]] | None:
        if e.domain == "cover":
            return ("set_cover_position", {"position": position})
        if e.domain == "valve":
            return ("set_valve_position", {"position": position})
        return None

    return await _call_each(inp, targets(inp), service, "set the position of")


async def _fan_speed(inp: ToolInput) -> ToolOutcome:
    pct = inp.arguments["percentage"]
    return await _call_each(inp, targets(inp, domain="fan"),
                            lambda e: ("set_percentage", {"percentage": pct}) if e.domain == "fan" else None,
                            "set the speed of")


def _media(service: str, data: Callable[[ToolInput, Entity], dict[str, Any]] | None = None,
           verb: str = "control") -> Callable[[ToolInput], Any]:
    async def execute(inp: ToolInput) -> ToolOutcome:
        entities = targets(inp, domain="media_player")
        return await _call_each(inp, entities, lambda e: (service, data(inp, e) if data else {})
                                if e.domain == "media_player" else None, verb)
    return execute


def _relative_volume(inp: ToolInput, entity: Entity) -> dict[str, Any]:
    step = inp.arguments["volume_step"]
    current = float(entity.attributes.get("volume_level", 0.5))
    delta = 0.1 if step == "up" else -0.1 if step == "down" else float(step) / 100
    return {"volume_level": round(min(1.0, max(0.0, current + delta)), 2)}


def _simple(domain: str, service: str, verb: str) -> Callable[[ToolInput], Any]:
    async def execute(inp: ToolInput) -> ToolOutcome:
        return await _call_each(inp, targets(inp, domain=domain),
                                lambda e: (service, {}) if e.domain == domain else None, verb)
    return execute


_TARGET = obj(**TARGET)
_MEDIA = obj(name=TEXT, area=TEXT, floor=TEXT)


def home_tools() -> list[Tool]:
    """The built-in device tools, named as Home Assistant names its intents (all of them target the home)."""
    volume_step: Mapping[str, Any] = {"oneOf": [{"enum": ["up", "down"]}, {"type": "number", "minimum": -100,
                                                                             "maximum": 100}]}
    tools = [
        Tool("HassTurnOn", "Turn on (open, lock) a device, or every device of a kind in an area", _TARGET,
             _switch(True), acts=True, template="{done} the {names}."),
        Tool("HassTurnOff", "Turn off (close, unlock) a device, or every device of a kind in an area", _TARGET,
             _switch(False), acts=True, template="{done} the {names}."),
        Tool("HassToggle", "Toggle a device", _TARGET, _toggle, acts=True, template="Toggled the {names}."),
        Tool("HassLightSet", "Set a light's brightness (percent), color or color temperature (kelvin)",
             obj(**TARGET, brightness=PERCENT, color=TEXT, temperature={"type": "number", "minimum": 1000,
                                                                        "maximum": 10000}),
             _light_set, acts=True, template="Set the {names}{brightness_words}{color_words}.", domain="light"),
        Tool("HassClimateSetTemperature", "Set a thermostat's target temperature",
             obj(("temperature",), name=TEXT, area=TEXT, floor=TEXT, temperature=NUMBER), _climate_set, acts=True,
             template="Set the {names} to {temperature} degrees.", domain="climate"),
        Tool("HassClimateGetTemperature", "Read the temperature of a thermostat or a room",
             obj(name=TEXT, area=TEXT, floor=TEXT), _climate_get, acts=False, template="{names} is {value} {unit}.",
             domain="climate"),
        Tool("HassGetState", "Read the state of devices (or ask whether they are in a state)",
             obj(**TARGET, state=TEXT), _get_state, acts=False, template="{names} is {state}."),
        Tool("HassSetPosition", "Set a cover's or valve's position (percent open)",
             obj(("position",), **TARGET, position=PERCENT), _set_position, acts=True,
             template="Set the {names} to {position}%.", domain="cover"),
        Tool("HassFanSetSpeed", "Set a fan's speed (percent)", obj(("percentage",), name=TEXT, area=TEXT, floor=TEXT,
                                                                   percentage=PERCENT),
             _fan_speed, acts=True, template="Set the {names} to {percentage}%.", domain="fan"),
        Tool("HassMediaPause", "Pause media", _MEDIA, _media("media_pause", verb="pause"), acts=True,
             template="Paused the {names}.", domain="media_player"),
        Tool("HassMediaUnpause", "Resume media", _MEDIA, _media("media_play", verb="resume"), acts=True,
             template="Resumed the {names}.", domain="media_player"),
        Tool("HassMediaNext", "Skip to the next track", _MEDIA, _media("media_next_track", verb="skip on"), acts=True,
             template="Skipped to the next track on the {names}.", domain="media_player"),
        Tool("HassMediaPrevious", "Go back to the previous track", _MEDIA,
             _media("media_previous_track", verb="go back on"), acts=True,
             template="Went back a track on the {names}.", domain="media_player"),
        Tool("HassSetVolume", "Set the volume (percent)", obj(("volume_level",), name=TEXT, area=TEXT,
                                                              volume_level=PERCENT),
             _media("volume_set", lambda inp, e: {"volume_level": inp.arguments["volume_level"] / 100},
                    "set the volume of"), acts=True, template="Set the {names} volume to {volume_level}%.",
             domain="media_player"),
        Tool("HassSetVolumeRelative", "Turn the volume up or down", obj(("volume_step",), name=TEXT, area=TEXT,
                                                                        floor=TEXT, volume_step=volume_step),
             _media("volume_set", _relative_volume, "change the volume of"), acts=True,
             template="Turned the {names} {volume_step}.", domain="media_player"),
        Tool("HassMediaPlayerMute", "Mute", _MEDIA, _media("volume_mute", lambda i, e: {"is_volume_muted": True},
                                                          "mute"),
             acts=True, template="Muted the {names}.", domain="media_player"),
        Tool("HassMediaPlayerUnmute", "Unmute", _MEDIA,
             _media("volume_mute", lambda i, e: {"is_volume_muted": False}, "unmute"), acts=True,
             template="Unmuted the {names}.", domain="media_player"),
        Tool("HassMediaSearchAndPlay", "Search for media and play it",
             obj(("search_query",), name=TEXT, area=TEXT, search_query=TEXT, media_class=TEXT),
             _media("play_media", lambda i, e: {"media_content_id": i.arguments["search_query"],
                                                "media_content_type": i.arguments.get("media_class", "music")},
                    "play on"), acts=True, template="Playing {search_query} on the {names}.", domain="media_player"),
        Tool("HassVacuumStart", "Start a vacuum", obj(name=TEXT, area=TEXT, floor=TEXT),
             _simple("vacuum", "start", "start"), acts=True, template="Started the {names}.", domain="vacuum"),
        Tool("HassVacuumReturnToBase", "Send a vacuum back to its dock", obj(name=TEXT, area=TEXT),
             _simple("vacuum", "return_to_base", "send home"), acts=True, template="Sent the {names} back to its dock.",
             domain="vacuum"),
        Tool("HassLawnMowerStartMowing", "Start a lawn mower", obj(name=TEXT),
             _simple("lawn_mower", "start_mowing", "start"), acts=True, template="Started the {names}.",
             domain="lawn_mower"),
        Tool("HassLawnMowerDock", "Send a lawn mower to its dock", obj(name=TEXT),
             _simple("lawn_mower", "dock", "dock"), acts=True, template="Sent the {names} to its dock.",
             domain="lawn_mower"),
    ]
    return [replace(t, home=True) for t in tools]
