"""Tools that read the clock and the weather, broadcast a message, or do nothing (Home Assistant's names)."""

from __future__ import annotations

from device.errors import ToolError
from device.tools.base import Tool, ToolInput, ToolOutcome
from device.tools.schema import TEXT, obj


async def _time(inp: ToolInput) -> ToolOutcome:
    now = inp.services.clock()
    return ToolOutcome({"time": now.strftime("%H:%M")}, {"time": now.strftime("%H:%M")})


async def _date(inp: ToolInput) -> ToolOutcome:
    now = inp.services.clock()
    said = f"{now.strftime('%A')}, {now.day} {now.strftime('%B %Y')}"
    return ToolOutcome({"date": now.date().isoformat()}, {"date": said})


async def _weather(inp: ToolInput) -> ToolOutcome:
    home = inp.services.home
    if home is None:
        raise ToolError("this device knows no weather entity: set [home] broker_url or inventory")
    wanted = inp.arguments.get("name")
    found = [e for e in home.entities() if e.domain == "weather"
             and (wanted is None or str(wanted).lower() in (e.name.lower(), e.id.split(".", 1)[1]))]
    if not found:
        raise ToolError("no weather entity in this home")
    weather = found[0]
    temperature = weather.attributes.get("temperature")
    unit = weather.attributes.get("temperature_unit", "°C")
    said = weather.state.replace("_", " ").replace("partlycloudy", "partly cloudy")
    return ToolOutcome({"entity_id": weather.id, "condition": weather.state, "temperature": temperature},
                       say=f"It is {said}" + (f", {temperature} {unit}." if temperature is not None else "."))


async def _broadcast(inp: ToolInput) -> ToolOutcome:
    if inp.services.notify is None:
        raise ToolError("this device has nowhere to broadcast (start it as `tandem serve`)")
    if not inp.dry_run:
        await inp.services.notify("broadcast", {"text": str(inp.arguments["message"])})
    return ToolOutcome({"broadcast": not inp.dry_run})


async def _nevermind(inp: ToolInput) -> ToolOutcome:
    return ToolOutcome({}, say="OK.")


def info_tools() -> list[Tool]:
    return [
        Tool("HassGetCurrentTime", "The current time", obj(), _time, acts=False, template="It is {time}."),
        Tool("HassGetCurrentDate", "Today's date", obj(), _date, acts=False, template="Today is {date}."),
        Tool("HassGetWeather", "The weather now", obj(name=TEXT), _weather, acts=False, template="{weather}"),
        Tool("HassBroadcast", "Say a message on every speaker of the home", obj(("message",), message=TEXT),
             _broadcast, acts=True, template="Broadcast: {message}."),
        Tool("HassNevermind", "Cancel the current request", obj(), _nevermind, acts=False, template="OK."),
    ]
