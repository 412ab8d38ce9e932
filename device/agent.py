"""The device agent: redact -> divide -> draft locally or escalate -> fuse -> restore.

For each part of the request the device either answers itself or sends the redacted part,
sealed, to the worker pool. Escalations go out as soon as they are decided, so the device keeps
drafting the next part while the cloud works. A part whose escalation fails (broker down, no
worker, timeout) is answered locally with a notice: nothing the user asked is silently lost.

The returned `Answer` carries the trace the CLI and the TUI show: per part its route and the
uncertainty that decided it, exactly what left the device, and where the time went.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from device.division import Part, divide
from device.errors import EscalationError, VaultError
from device.escalation import Escalator, SentRecord
from device.fusion import PartAnswer, fuse
from device.redaction.model import Redactor
from device.redaction.policy import RedactionPolicy
from device.redaction.stream import PartStreams
from device.redaction.vault import Vault
from device.redaction.vault_store import VaultStore
from device.routing import EntropyRouter, RouteDecision, capability_gap
from inference.chat_format import Message
from inference.engine import Engine, Generation, SamplingParams, TokenEvent
from protocol.messages import SubTask, TaskResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartTrace:
    index: int
    redacted_text: str  # the part as the router saw it (placeholders, no values)
    route: str  # "local" | "cloud"
    reason: str
    uncertainty: float | None
    draft_tokens: int
    task_id: str | None = None
    cloud_model: str | None = None


@dataclass(frozen=True)
class Answer:
    answer: str
    route: str  # "local" | "cloud" | "split"
    sent: list[dict[str, Any]]
    timings_ms: dict[str, float]
    parts: list[PartTrace]
    notices: list[str] = field(default_factory=list)
    redacted: str = ""
    entities: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "route": self.route,
            "sent": self.sent,
            "timings_ms": self.timings_ms,
            "parts": [vars(p) for p in self.parts],
            "notices": self.notices,
            "redacted": self.redacted,
            "entities": self.entities,
        }


@dataclass
class AgentConfig:
    threshold: float
    probe_tokens: int = 48
    local_max_tokens: int = 200
    cloud_max_tokens: int = 320
    timeout_s: float = 180.0
    keep_personal_local: bool = True
    no_repeat_ngram: int = 4  # the device model must not repeat a 4-gram of its own answer (loops)


class Agent:
    def __init__(self, engine: Engine, redactor: Redactor, config: AgentConfig,
                 escalator: Escalator | None = None, policy: RedactionPolicy | None = None,
                 vaults: VaultStore | None = None) -> None:
        self.engine = engine
        self.redactor = redactor
        self.policy = policy or RedactionPolicy()  # parts it holds never escalate, not even forced
        self.config = config
        self.escalator = escalator
        self.router = EntropyRouter(config.threshold)
        self.vault = Vault()  # one conversation
        self.vaults = vaults  # encrypted vaults of named conversations (None: nothing is stored)
        self.conversation: str | None = None  # the named conversation `vault` belongs to
        self._engine_lock = asyncio.Lock()  # one generation at a time on the device model

    def open_conversation(self, conversation: str | None) -> None:
        """Continue `conversation` with its stored vault (fresh when none or expired); None: an
        unnamed conversation whose vault is never written. Raises VaultError for an unreadable file."""
        if conversation is not None and self.vaults is None:
            raise VaultError("this agent stores no conversations: named conversations need a vault store")
        self.vault = self.vaults.load(conversation) if conversation is not None and self.vaults else Vault()
        self.conversation = conversation

    async def ask(self, text: str, *, force: str | None = None,
                  on_token: Callable[[int, str], None] | None = None) -> Answer:
        """Answer `text`. `force`: "local" or "cloud" for every part. `on_token(part, text)` streams."""
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        redaction = self.redactor.redact(text, self.vault)
        if self.conversation is not None and self.vaults is not None:
            self.vaults.save(self.conversation, self.vault)  # before anything escalates under its placeholders
        timings["redact"] = _ms(t0)
        # what the user sees streams through a restorer: a placeholder split over chunks comes out whole
        streams = PartStreams(self.vault, on_token) if on_token is not None else None
        on_token = streams.feed if streams is not None else None
        t = time.perf_counter()
        parts = divide(redaction.text)
        timings["divide"] = _ms(t)

        notices: list[str] = []
        answers: list[PartAnswer] = []
        traces: dict[int, PartTrace] = {}
        sent: list[dict[str, Any]] = []
        waiting: list[tuple[Part, RouteDecision, Generation | None, SentRecord, asyncio.Future[TaskResult]]] = []
        local_ms = 0.0
        t_cloud_start: float | None = None

        for part in parts:
            decision, draft = await self._decide(part, force, on_token)
            local_ms += (draft.prefill_ms + draft.decode_ms) if draft else 0.0
            if decision.route == "local":
                assert draft is not None
                answers.append(PartAnswer(part.index, draft.text, "local"))
                traces[part.index] = PartTrace(part.index, part.text, "local", decision.reason,
                                               decision.uncertainty, len(draft.token_ids))
                continue
            try:
                record, fut = await self._escalate(part, len(parts))
            except EscalationError as exc:
                notices.append(f"part {part.index + 1} answered on the device: {exc}")
                answer, traces[part.index] = await self._fallback(part, decision, draft, on_token, None)
                answers.append(answer)
                continue
            t_cloud_start = t_cloud_start or time.perf_counter()
            sent.append({"task_id": record.task_id, "topic": record.topic, "payload": record.payload,
                         "wire_bytes": record.wire_bytes})
            waiting.append((part, decision, draft, record, fut))

        cloud_backend_ms = 0.0
        t_wait = time.perf_counter()
        for part, decision, draft, record, fut in waiting:
            assert self.escalator is not None
            try:
                result = await self.escalator.wait(record, fut, self.config.timeout_s)
                if result.error:
                    raise EscalationError(f"the worker could not answer: {result.error}")
            except EscalationError as exc:
                notices.append(f"part {part.index + 1} answered on the device: {exc}")
                answer, traces[part.index] = await self._fallback(part, decision, draft, on_token, record.task_id)
                answers.append(answer)
                continue
            cloud_backend_ms += result.timings_ms.get("backend", 0.0)
            if on_token is not None:
                on_token(part.index, result.text)
            answers.append(PartAnswer(part.index, result.text, "cloud"))
            traces[part.index] = PartTrace(part.index, part.text, "cloud", decision.reason, decision.uncertainty,
                                           len(draft.token_ids) if draft else 0, record.task_id, result.model)
        timings["local_model"] = round(local_ms, 1)
        if waiting and t_cloud_start is not None:
            # first publish -> last result; the device drafted other parts meanwhile
            round_trip = (time.perf_counter() - t_cloud_start) * 1000
            timings["cloud_round_trip"] = round(round_trip, 1)
            timings["cloud_backend"] = round(cloud_backend_ms, 1)
            timings["network_and_crypto"] = round(max(0.0, round_trip - cloud_backend_ms), 1)
            timings["waited_for_cloud"] = _ms(t_wait)

        if streams is not None:
            streams.flush()
        t = time.perf_counter()
        final = fuse(answers, self.vault, notices)
        timings["fusion"] = _ms(t)
        timings["total"] = _ms(t0)
        routes = {tr.route for tr in traces.values()}
        route = "split" if len(routes) > 1 else routes.pop()
        return Answer(
            answer=final, route=route, sent=sent, timings_ms=timings,
            parts=[traces[i] for i in sorted(traces)], notices=notices, redacted=redaction.text,
            entities=[{"type": e.type, "start": e.start, "end": e.end, "placeholder": e.placeholder}
                      for e in redaction.entities],
        )

    async def _decide(self, part: Part, force: str | None,
                      on_token: Callable[[int, str], None] | None) -> tuple[RouteDecision, Generation | None]:
        verdict = self.policy.check(part.text, self.vault)
        if not verdict.escalate and force != "local":
            decision, draft = await self._decide(part, "local", on_token)
            return RouteDecision("local", verdict.reason, decision.uncertainty), draft
        if force == "cloud" and self.escalator is not None:
            return RouteDecision("cloud", "forced", None), None
        gap = capability_gap(part.text)
        if gap and force != "local" and self.escalator is not None:
            return RouteDecision("cloud", f"capability:{gap}", None), None
        # a part about the user's private data stays on the device unless forced: even with
        # placeholders, its structure ("remind <PERSON_1> ... on Friday") tells the cloud something
        personal_stays = part.personal and self.config.keep_personal_local
        # draft locally; stop early once the probe says the device is guessing
        probe = self.config.probe_tokens
        cancel = threading.Event()
        entropies: list[float] = []
        escalate_early = force != "local" and self.escalator is not None and not personal_stays
        buffered: list[str] = []

        def watch(ev: TokenEvent) -> None:
            entropies.append(ev.entropy)
            buffered.append(ev.text)
            if escalate_early and len(entropies) == probe and self.router.escalates(entropies):
                cancel.set()
            elif on_token is not None and len(entropies) >= probe:
                # past the probe the part stays local: stream what was held back, then live
                on_token(part.index, "".join(buffered))
                buffered.clear()

        draft = await self._generate(part, watch, cancel)
        if on_token is not None and buffered and draft.finish_reason != "cancelled":
            on_token(part.index, "".join(buffered))
        score = self.router.score(list(draft.entropies[:probe]))
        if force == "local" or not escalate_early:
            reason = ("forced" if force == "local" else "personal data stays on the device" if personal_stays
                      else "no cloud configured")
            return RouteDecision("local", reason, score), draft
        if draft.finish_reason == "cancelled" or self.router.escalates(list(draft.entropies[:probe])):
            return RouteDecision("cloud", "uncertain", score), draft
        return RouteDecision("local", "confident", score), draft

    async def _generate(self, part: Part, watch: Callable[[TokenEvent], None] | None,
                        cancel: threading.Event | None, max_tokens: int | None = None) -> Generation:
        # the device model may see the real values: restore them for the local prompt
        # no system prompt of ours: the model's own default one (from the manifest) answers best
        messages = [Message("user", self.vault.restore(part.text))]
        params = SamplingParams(max_new_tokens=max_tokens or self.config.local_max_tokens,
                                no_repeat_ngram=self.config.no_repeat_ngram)
        async with self._engine_lock:
            return await asyncio.to_thread(self.engine.chat, messages, params, on_token=watch, cancel=cancel)

    async def _fallback(self, part: Part, decision: RouteDecision, draft: Generation | None,
                        on_token: Callable[[int, str], None] | None,
                        task_id: str | None) -> tuple[PartAnswer, PartTrace]:
        """The part could not be escalated or answered by the cloud: answer it here, and say so."""
        answer = await self._local_answer(part, draft, on_token)
        trace = PartTrace(part.index, part.text, "local", f"{decision.reason}; escalation failed",
                          decision.uncertainty, len(draft.token_ids) if draft else 0, task_id)
        return answer, trace

    async def _local_answer(self, part: Part, draft: Generation | None,
                            on_token: Callable[[int, str], None] | None) -> PartAnswer:
        """Fallback when the cloud is unreachable: the finished local draft."""
        if draft is None or draft.finish_reason == "cancelled":
            def stream(ev: TokenEvent) -> None:
                if on_token is not None:
                    on_token(part.index, ev.text)
            draft = await self._generate(part, stream, None)
        return PartAnswer(part.index, self.vault.restore(draft.text), "local")

    async def _escalate(self, part: Part, parts: int) -> tuple[SentRecord, asyncio.Future[TaskResult]]:
        if self.escalator is None:
            raise EscalationError("no cloud configured")
        task = SubTask(prompt=part.text, max_tokens=self.config.cloud_max_tokens, part=part.index, parts=parts)
        record, fut = await self.escalator.submit(task)
        log.info("escalated part=%d task=%s bytes=%d", part.index, record.task_id, record.wire_bytes)
        return record, fut


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)
