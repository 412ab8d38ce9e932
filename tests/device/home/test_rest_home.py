"""RestHome against Home Assistant's REST API, replayed through httpx's MockTransport (data/ha_rest/)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from device.errors import HomeError, HomeUnavailable, InvalidServiceData, UnknownEntity, UnsupportedService
from device.home.resolve import resolve
from device.home.rest_home import RestHome

DATA = Path(__file__).parent / "data" / "ha_rest"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.test-token"


class FakeHomeAssistant:
    """Answers as Home Assistant does, from the files in data/ha_rest/, and records each request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, object]] = []
        self.target = 21.0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, body))
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, text="401: Unauthorized")
        path = request.url.path
        if path == "/api/":
            return httpx.Response(200, json={"message": "API running."})
        if path == "/api/template":
            return httpx.Response(200, text=(DATA / "areas.txt").read_text(), headers={"content-type": "text/plain"})
        if path == "/api/states":
            return httpx.Response(200, json=json.loads((DATA / "states.json").read_text()))
        if path == "/api/services/light/turn_off":
            return httpx.Response(200, json=json.loads((DATA / "light_turn_off.json").read_text()))
        if path == "/api/services/climate/set_temperature":
            self.target = body["temperature"]  # type: ignore[index]
            return httpx.Response(200, json=[])  # nothing visible changed within the call
        if path == "/api/states/climate.living_room":
            state = next(s for s in json.loads((DATA / "states.json").read_text())
                         if s["entity_id"] == "climate.living_room")
            state["attributes"]["temperature"] = self.target
            return httpx.Response(200, json=state)
        if path == "/api/services/light/turn_on":
            return httpx.Response(400, text="400: Bad Request")
        return httpx.Response(404, text="404: Not Found")


def test_states_areas_and_calls_through_the_rest_api() -> None:
    fake = FakeHomeAssistant()
    home = RestHome("http://homeassistant.local:8123/", TOKEN, transport=httpx.MockTransport(fake))

    async def go() -> None:
        await home.start()
        try:
            assert [f.name for f in home.floors()] == ["Ground Floor"]
            assert [(a.id, a.floor) for a in home.areas()] == [("kitchen", "ground_floor"),
                                                                ("living_room", "ground_floor"), ("garden", None)]
            ceiling = home.entity("light.kitchen_ceiling")
            assert (ceiling.name, ceiling.area, ceiling.state, ceiling.attributes["brightness"]) == (
                "Kitchen Ceiling", "kitchen", "on", 180)
            outdoor = home.entity("sensor.outdoor_temperature")
            assert (outdoor.state, outdoor.unit, outdoor.area) == ("7.4", "°C", None)
            assert [e.id for e in resolve(home, area="kitchen", domain="light")] == ["light.kitchen_ceiling"]
            off = await home.call("light", "turn_off", "light.kitchen_ceiling")
            assert off.state == "off" and home.entity("light.kitchen_ceiling").state == "off"
            warm = await home.call("climate", "set_temperature", "climate.living_room", {"temperature": 22.5})
            assert warm.attributes["temperature"] == 22.5
            with pytest.raises(InvalidServiceData, match="Home Assistant refused"):
                await home.call("light", "turn_on", "light.kitchen_ceiling", {"brightness_pct": 50})
            with pytest.raises(UnsupportedService):  # checked before anything is sent
                await home.call("sun", "turn_on", "sun.sun")
            with pytest.raises(UnknownEntity):
                home.entity("light.garage")
        finally:
            await home.close()

    asyncio.run(go())
    calls = [(m, p, b) for m, p, b in fake.requests if p.startswith("/api/services")]
    assert calls == [
        ("POST", "/api/services/light/turn_off", {"entity_id": "light.kitchen_ceiling"}),
        ("POST", "/api/services/climate/set_temperature", {"entity_id": "climate.living_room", "temperature": 22.5}),
        ("POST", "/api/services/light/turn_on", {"entity_id": "light.kitchen_ceiling", "brightness_pct": 50})]
    assert TOKEN not in repr(home)


def test_a_refused_token_says_how_to_make_one() -> None:
    home = RestHome("http://ha:8123", "wrong", transport=httpx.MockTransport(FakeHomeAssistant()))
    with pytest.raises(HomeError, match="long-lived access token"):
        asyncio.run(home.start())


def test_an_unreachable_server_is_home_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    home = RestHome("http://ha:8123", TOKEN, transport=httpx.MockTransport(refuse))
    with pytest.raises(HomeUnavailable, match=r"cannot reach Home Assistant at http://ha:8123"):
        asyncio.run(home.start())
