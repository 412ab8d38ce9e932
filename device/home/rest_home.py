"""A home that Home Assistant already runs: its REST API with a long-lived access token.

    GET  /api/                              the token works and the API answers
    GET  /api/states                        every entity: state and attributes (`friendly_name` is the name)
    POST /api/template                      floors, areas and which area each entity is in, as JSON
                                            (`floors()`, `areas()`, `area_entities()`: HA 2024.4 and later)
    POST /api/services/<domain>/<service>   a service call; Home Assistant answers with the states it changed
    GET  /api/states/<entity_id>            one entity, after a call that changed nothing visible yet

The service catalogue (`device.home.services`) is checked before anything is sent, as for the other
homes; Home Assistant then does the device work (and its own optimistic assumptions). httpx is
imported when a RestHome starts (it is not in the device extra; a missing httpx says how to add it). Transport errors
become HomeUnavailable, a refused token a HomeError that says how to make one, an unknown entity
UnknownEntity, a refused service call InvalidServiceData with Home Assistant's own words.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from device.errors import HomeError, HomeUnavailable, InvalidServiceData, UnknownEntity
from device.home.inventory_home import unknown_entity
from device.home.model import Area, Entity, Floor
from device.home.services import check_call

if TYPE_CHECKING:
    import httpx

__all__ = ["AREAS_TEMPLATE", "RestHome"]

log = logging.getLogger(__name__)

AREAS_TEMPLATE = (
    '{"floors": [{% for f in floors() %}{"id": {{ f | tojson }}, "name": {{ floor_name(f) | tojson }}}'
    '{% if not loop.last %}, {% endif %}{% endfor %}], '
    '"areas": [{% for a in areas() %}{"id": {{ a | tojson }}, "name": {{ area_name(a) | tojson }}, '
    '"floor": {{ floor_id(a) | tojson }}, "entities": {{ area_entities(a) | tojson }}}'
    '{% if not loop.last %}, {% endif %}{% endfor %}]}'
)
"""Rendered by Home Assistant: its floors and areas, and each area's entities, as one JSON document."""


class RestHome:
    def __init__(self, url: str, token: str, *, transport: httpx.AsyncBaseTransport | None = None,
                 request_timeout_s: float = 10.0) -> None:
        """`url`: Home Assistant's base URL (`http://homeassistant.local:8123`); `token`: a long-lived
        access token (kept out of repr and logs); `transport`: httpx's, for tests (MockTransport)."""
        self.url = url.rstrip("/")
        self._token = token
        self._transport = transport
        self._timeout = request_timeout_s
        self._client: httpx.AsyncClient | None = None
        self._entities: dict[str, Entity] = {}
        self._areas: tuple[Area, ...] = ()
        self._floors: tuple[Floor, ...] = ()
        self._area_of: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"RestHome(url={self.url!r})"

    def floors(self) -> tuple[Floor, ...]:
        return self._floors

    def areas(self) -> tuple[Area, ...]:
        return self._areas

    def entities(self) -> tuple[Entity, ...]:
        return tuple(self._entities.values())

    def entity(self, entity_id: str) -> Entity:
        try:
            return self._entities[entity_id]
        except KeyError:
            raise unknown_entity(entity_id, self._entities) from None

    async def start(self) -> None:
        try:
            import httpx
        except ImportError as exc:
            raise HomeError("the Home Assistant API backend needs httpx: pip install httpx (or use [home] "
                            "broker_url, Home Assistant's MQTT)") from exc

        self._client = httpx.AsyncClient(base_url=self.url, transport=self._transport, timeout=self._timeout,
                                         headers={"Authorization": f"Bearer {self._token}"})
        try:
            await self._request("GET", "/api/")
            await self.refresh()
        except HomeError:
            await self.close()
            raise

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def refresh(self) -> None:
        """Read every state, and the floors and areas, again."""
        try:
            rendered = await self._request("POST", "/api/template", {"template": AREAS_TEMPLATE})
            layout = json.loads(rendered) if isinstance(rendered, str) else {}
        except (InvalidServiceData, ValueError) as exc:  # an older Home Assistant without floors()
            log.warning("Home Assistant did not render the areas template (%s): areas are unknown", exc)
            layout = {}
        self._floors = tuple(Floor(str(f["id"]), str(f["name"])) for f in layout.get("floors", []))
        self._areas = tuple(Area(str(a["id"]), str(a["name"]), a.get("floor")) for a in layout.get("areas", []))
        self._area_of = {eid: str(a["id"]) for a in layout.get("areas", []) for eid in a.get("entities", [])}
        states = await self._request("GET", "/api/states")
        self._entities = {e.id: e for e in (self._entity(s) for s in states if isinstance(s, Mapping))}
        log.info("home (REST) entities=%d areas=%d", len(self._entities), len(self._areas))

    def _entity(self, state: Mapping[str, Any]) -> Entity:
        entity_id = str(state["entity_id"])
        attributes = dict(state.get("attributes") or {})
        name = str(attributes.pop("friendly_name", "") or entity_id.split(".", 1)[1].replace("_", " ").title())
        return Entity(entity_id, name, (), self._area_of.get(entity_id), str(state.get("state", "unknown")), attributes)

    async def call(self, domain: str, service: str, entity_id: str, data: Mapping[str, Any] | None = None,
                   *, timeout_s: float = 2.0) -> Entity:
        entity = self.entity(entity_id)
        checked = check_call(entity, domain, service, data)
        body = {"entity_id": entity_id, **{k: list(v) if isinstance(v, tuple) else v for k, v in checked.items()}}
        log.info("home call %s.%s entity=%s data_keys=%s (REST)", domain, service, entity_id, sorted(checked))
        changed = await self._request("POST", f"/api/services/{domain}/{service}", body)
        for state in changed if isinstance(changed, list) else []:
            if isinstance(state, Mapping) and state.get("entity_id") == entity_id:
                self._entities[entity_id] = self._entity(state)
                return self._entities[entity_id]
        self._entities[entity_id] = self._entity(await self._request("GET", f"/api/states/{entity_id}"))
        return self._entities[entity_id]

    async def _request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        import httpx

        if self._client is None:
            raise HomeUnavailable("the Home Assistant API is not started: await home.start() first")
        try:
            response = await self._client.request(method, path, json=body)
        except httpx.TransportError as exc:
            raise HomeUnavailable(f"cannot reach Home Assistant at {self.url} ({type(exc).__name__}): check "
                                  "[home] api_url and that Home Assistant is running; nothing was sent") from exc
        if response.status_code in (401, 403):
            raise HomeError(f"Home Assistant at {self.url} refused the token (HTTP {response.status_code}): make a "
                            "long-lived access token in your Home Assistant profile and set [home] api_token")
        if response.status_code == 404:
            raise UnknownEntity(f"Home Assistant has no {path.rsplit('/', 1)[-1]!r} ({method} {path}: 404)")
        if response.status_code == 400:
            raise InvalidServiceData(f"Home Assistant refused {method} {path}: {response.text[:200]}")
        if response.status_code >= 300:
            raise HomeUnavailable(f"Home Assistant at {self.url} answered {method} {path} with HTTP "
                                  f"{response.status_code}: try again shortly")
        if "json" in response.headers.get("content-type", ""):
            return response.json()
        return response.text
