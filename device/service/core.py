"""The one agent behind every face of the service, its statistics, and its hot swap on SIGHUP.

Requests from the socket and from MQTT meet here, each with the `Caller` its face established. The
engine answers one at a time (the agent holds its own lock); `swap` waits for the request in flight,
installs a freshly built backend and hands back the old one to close.

A named conversation belongs to the caller that opened it (its owner is sealed in the conversation's
vault): another caller naming it gets an error reply, and the conversation is neither answered under
nor written. Callers whose identity nobody vouches for (an anonymous broker) cannot name one.

Per-request logs hold a sequence number, the route, sizes and timings; strings a client chose (its
id, conversation name, the keys of a malformed request) appear only as `log_tags.tag` hashes or counts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from device.agent import Agent, Answer
from device.cloud_link import CloudLink
from device.collab.executors import Confirm
from device.personal.values import Turn
from device.service.admission import Admission, AdmissionLimits
from device.service.callers import IN_PROCESS, Caller
from device.service.log_tags import tag
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
        if self.agent.tools is not None:
            await self.agent.tools.close()


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
    def __init__(self, backend: Backend, limits: AdmissionLimits | None = None) -> None:
        self.backend = backend
        self.admission = Admission(limits)  # a bounded wait and per-caller rates: refusals come at once
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
            "cloud_resent": link.resent() if link is not None else 0,
            "cloud_calls_today": self.stats.cloud_calls_today,
            "waiting": self.admission.waiting,
            "refused_busy": self.admission.refused["busy"],
            "refused_rate_limited": self.admission.refused["rate_limited"],
            "broker": link.state if link is not None else "off",
            "profile": self.backend.profile,
        }

    def _changed(self) -> None:
        for listener in self.listeners:
            listener()

    def set_state(self, state: str) -> None:
        self.stats.state = state
        self._changed()

    def parse(self, raw: bytes | str, *, request_id: str | None = None) -> tuple[AskRequest | None, AskReply | None]:
        """The request, or (None, an error reply naming the bad fields, never the values sent)."""
        try:
            return AskRequest.model_validate_json(raw), None
        except ValidationError as exc:
            errors = exc.errors()
            fields = sorted({".".join(str(p) for p in e["loc"]) or "body" for e in errors})
            # the keys of a malformed request are the client's strings: only the schema's own names are
            # logged, any other key as a count
            known = sorted({str(e["loc"][0]) if e["loc"] else "body" for e in errors
                            if not e["loc"] or (e["loc"][0] in AskRequest.model_fields and e["type"] != "extra_forbidden")})
            unknown = sum(1 for e in errors if e["type"] == "extra_forbidden")
            log.info("refused request reason=invalid fields=%s unknown_fields=%d", ",".join(known) or "-", unknown)
            # the reply (to the client itself) names fields and problems, never the values sent
            return None, AskReply.failure(f"invalid request ({', '.join(fields)}): send JSON like "
                                          '{"text": "...", "force": null, "id": "..."}',
                                          request_id or peek_id(raw))

    async def handle_raw(self, raw: bytes | str, *, request_id: str | None = None,
                         caller: Caller = IN_PROCESS) -> tuple[AskRequest | None, AskReply]:
        """Parse and answer one request; a bad request gets an error reply, never an exception."""
        request, refused = self.parse(raw, request_id=request_id)
        if request is None:
            assert refused is not None
            return None, refused
        return request, await self.ask(request, caller)

    async def ask(self, request: AskRequest, caller: Caller = IN_PROCESS, *, history: Sequence[Turn] | None = None,
                  on_token: Callable[[int, str], None] | None = None) -> AskReply:
        """Answer `request` for `caller`. `history`: the turns before it as the caller keeps them (the HTTP
        face's clients send their messages), instead of the conversation's stored ones. `on_token(part,
        text)`: streams the answer as it is made (called from the engine's thread)."""
        refusal = self.admission.admit(caller.key)
        if refusal is not None:
            log.info("refused request id=%s reason=%s waiting=%d", tag(request.id), refusal.code,
                     self.admission.waiting)
            return AskReply.failure(refusal.message, request.id, code=refusal.code,
                                    retry_after_s=refusal.retry_after_s)
        try:
            return await self._ask_admitted(request, caller, history, on_token)
        finally:
            self.admission.leave()

    async def _ask_admitted(self, request: AskRequest, caller: Caller, history: Sequence[Turn] | None,
                            on_token: Callable[[int, str], None] | None) -> AskReply:
        async with self._busy:
            self._seq += 1
            seq = self._seq
            agent = self.backend.agent
            if request.conversation is not None and not caller.verified:
                log.info("refused request req=%d id=%s reason=conversation from an unverified caller", seq,
                         tag(request.id))
                return AskReply.failure("named conversations need a caller the broker vouches for: ask with a "
                                        "broker account (`tandem broker users --caller NAME`) or over the "
                                        "service's Unix socket", request.id)
            self.set_state("answering")
            try:
                answer = await self._answer(agent, request, caller, seq, history, on_token)
            except TandemError as exc:
                log.warning("request failed req=%d id=%s error=%s", seq, tag(request.id), type(exc).__name__)
                self.set_state("idle")
                return AskReply.failure(str(exc), request.id)
            if isinstance(answer, AskReply):  # refused
                self.set_state("idle")
                return answer
            self.stats.answered += 1
            self.stats.last_route = answer.route
            self.stats.count_cloud(len(answer.sent))
            log.info("answered req=%d id=%s route=%s parts=%d sent=%d chars_in=%d chars_out=%d total_ms=%.0f", seq,
                     tag(request.id), answer.route, len(answer.parts), len(answer.sent), len(request.text),
                     len(answer.answer), answer.timings_ms.get("total", 0.0))
            self.set_state("idle")
            data = answer.to_json()
            return AskReply(ok=True, id=request.id, answer=answer.answer, route=answer.route, sent=data["sent"],
                            timings_ms=answer.timings_ms, parts=data["parts"], notices=answer.notices,
                            tool_calls=answer.tool_calls, sensitive=answer.sensitive, conversation=answer.conversation)

    async def _answer(self, agent: Agent, request: AskRequest, caller: Caller, seq: int,
                      history: Sequence[Turn] | None = None,
                      on_token: Callable[[int, str], None] | None = None) -> Answer | AskReply:
        """The agent's answer, or an error reply when the conversation belongs to another caller."""
        try:
            # a named conversation continues from its sealed vault and its turns; otherwise nothing carries over
            agent.open_conversation(request.conversation, face=caller.face)
            if request.conversation is not None:
                owner = agent.vault.owner
                if owner is not None and owner != caller.key:
                    log.warning("refused request req=%d id=%s conversation=%s reason=another caller's conversation",
                                seq, tag(request.id), tag(request.conversation))
                    return AskReply.failure("this conversation was opened by another caller: choose another "
                                            "conversation id", request.id)
                agent.vault.owner = caller.key  # bound from its first request on (sealed with the vault)
            return await agent.ask(request.text, force=request.force, confirm=_approvals(request),
                                   dry_run=request.dry_run, request_id=f"{caller.key}:{request.id}" if request.id else None,
                                   system=request.system, history=history, on_token=on_token)
        finally:
            agent.open_conversation(None)  # drop the values from memory once the answer is restored

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
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):  # nested 100k deep: no id to find
        return None
    rid = data.get("id") if isinstance(data, dict) else None
    return rid if isinstance(rid, str) and len(rid) <= 200 else None


def _approvals(request: AskRequest) -> Confirm | None:
    """What the request approved in advance; a service cannot ask its caller back mid-request."""
    if not (request.confirm_sensitive or request.confirm_acts):
        return None

    async def confirm(kind: str, question: str) -> bool:
        return request.confirm_sensitive if kind == "sensitive" else request.confirm_acts

    return confirm
