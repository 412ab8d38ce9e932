"""The one agent behind every face of the service, its statistics, and its hot swap on SIGHUP.

Requests from the socket and from MQTT meet here. The engine answers one at a time (the agent
holds its own lock); `swap` waits for the request in flight, installs a freshly built backend and
hands back the old one to close. Per-request logs hold an id, the route, sizes and timings only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from device.agent import Agent
from device.cloud_link import CloudLink
from device.service.messages import AskReply, AskRequest
from protocol.errors import TandemError

log = logging.getLogger(__name__)


@dataclass
class Backend:
    """What a reload replaces: the agent and its cloud link (None: no cloud)."""

    agent: Agent
    link: CloudLink | None = None
    profile: str = "?"

    async def close(self) -> None:
        if self.link is not None:
            await self.link.close()


@dataclass
class ServiceStats:
    state: str = "starting"  # "starting" | "idle" | "answering"
    last_route: str = "none"
    cloud_calls_today: int = 0
    answered: int = 0
    day: dt.date = field(default_factory=dt.date.today)

    def count_cloud(self, calls: int, today: dt.date | None = None) -> None:
        today = today or dt.date.today()
        if today != self.day:  # a new day: the counter starts over
            self.day, self.cloud_calls_today = today, 0
        self.cloud_calls_today += calls


class AskService:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.stats = ServiceStats()
        self.listeners: list[Callable[[], None]] = []  # told on the loop when the state changes
        self._busy = asyncio.Lock()  # one request at a time, and swap waits for it
        self._seq = 0

    def snapshot(self) -> dict[str, Any]:
        """The retained state document (Home Assistant sensors read fields of it)."""
        self.stats.count_cloud(0)  # roll the day over even when idle
        link = self.backend.link
        return {
            "state": self.stats.state,
            "last_route": self.stats.last_route,
            "spooled": link.spooled() if link is not None else 0,
            "cloud_calls_today": self.stats.cloud_calls_today,
            "broker": link.state if link is not None else "off",
            "profile": self.backend.profile,
        }

    def _changed(self) -> None:
        for listener in self.listeners:
            listener()

    def set_state(self, state: str) -> None:
        self.stats.state = state
        self._changed()

    async def handle_raw(self, raw: bytes | str, *, request_id: str | None = None) -> tuple[AskRequest | None, AskReply]:
        """Parse and answer one request; a bad request gets an error reply, never an exception."""
        try:
            request = AskRequest.model_validate_json(raw)
        except ValidationError as exc:
            fields = sorted({".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()})
            log.info("refused request reason=invalid fields=%s", ",".join(fields))
            # errors name fields and problems, never the values sent
            return None, AskReply.failure(f"invalid request ({', '.join(fields)}): send JSON like "
                                          '{"text": "...", "force": null, "id": "..."}',
                                          request_id or peek_id(raw))
        return request, await self.ask(request)

    async def ask(self, request: AskRequest) -> AskReply:
        async with self._busy:
            self._seq += 1
            rid = request.id or f"r{self._seq}"
            self.set_state("answering")
            agent = self.backend.agent
            try:
                # a named conversation continues from its sealed vault; otherwise no values carry over
                agent.open_conversation(request.conversation)
                answer = await agent.ask(request.text, force=request.force)
            except TandemError as exc:
                log.warning("request failed id=%s error=%s", rid, type(exc).__name__)
                self.set_state("idle")
                return AskReply.failure(str(exc), request.id)
            finally:
                agent.open_conversation(None)  # drop the values from memory once the answer is restored
            self.stats.answered += 1
            self.stats.last_route = answer.route
            self.stats.count_cloud(len(answer.sent))
            log.info("answered id=%s route=%s parts=%d sent=%d chars_in=%d chars_out=%d total_ms=%.0f", rid,
                     answer.route, len(answer.parts), len(answer.sent), len(request.text), len(answer.answer),
                     answer.timings_ms.get("total", 0.0))
            self.set_state("idle")
            data = answer.to_json()
            return AskReply(ok=True, id=request.id, answer=answer.answer, route=answer.route, sent=data["sent"],
                            timings_ms=answer.timings_ms, parts=data["parts"], notices=answer.notices)

    async def swap(self, build: Callable[[], Awaitable[Backend]]) -> None:
        """Build a new backend, then install it between requests; the old one is closed."""
        new = await build()
        async with self._busy:
            old, self.backend = self.backend, new
        await old.close()
        self._changed()


def peek_id(raw: bytes | str) -> str | None:
    """The `id` of a request that failed validation, so the client can still match the error."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    rid = data.get("id") if isinstance(data, dict) else None
    return rid if isinstance(rid, str) and len(rid) <= 200 else None
