"""The device agent: redact -> plan -> route each step (device model, cloud, tool) -> fuse -> restore.

The agent drives the collaboration's seams (`device.collab`: a planner, a router, a fuser) and
its executors (the device model, the escalator to the worker pool, and a tool executor). For
each step of the plan the device answers itself, runs a tool, or sends the redacted step, sealed,
to the worker pool. Escalations go out as soon as they are decided, so the device keeps drafting
the next step while the cloud works. A step whose escalation fails (broker down, no worker,
timeout) or whose tool refuses is answered locally with a notice: nothing the user asked is
silently lost.

Around the router the agent keeps the hard rules: the redaction policy's holds (a step whose
private values cannot be removed never leaves, not even forced), a route the user forces, and a
cloud that is not configured or not reachable.

The returned `Answer` carries the trace the CLI and the TUI show: per part its route and the
uncertainty that decided it, exactly what left the device, and where the time went.

A conversation's turns are kept on the device (`memory`, the personal store: sealed, expiring with the
vault). The device model reads the recent turns; a step gets the redacted turns it follows up on only when
the planner's context rule says it needs them (`device.collab.planners.context`), and a follow-up of a
turn that stayed on the device for its sensitive context stays on the device too.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from device.collab.cloud_policy import CloudBudget, LatencyTarget
from device.collab.executors import Confirm, ToolContext, ToolExecutor, ToolPlanner
from device.collab.fusers import Fuser, make_fuser
from device.collab.fusers.base import append_notices
from device.collab.planners import Planner, make_planner
from device.collab.planners.context import turns_needed
from device.collab.routers import DEFAULT_CASCADE, Router, RouterOptions, make_router
from device.collab.steps import (
    AnswerRoute,
    Draft,
    Force,
    Plan,
    Route,
    RouteDecision,
    Speaker,
    Step,
    StepResult,
    answer_route,
)
from device.errors import EscalationError, PersonalStoreError, ToolError, VaultError
from device.escalation import Escalator, SentRecord
from device.personal.values import Turn
from device.redaction.generalize import generalize
from device.redaction.model import PLACEHOLDER_RE, Redaction, Redactor
from device.redaction.policy import RedactionPolicy
from device.redaction.public_figures import public_names
from device.redaction.sensitive_policy import DisclosureClassifier, SensitivePolicy
from device.redaction.stream import PartStreams
from device.redaction.vault import Vault
from device.redaction.vault_store import DEFAULT_TTL_S, VaultStore
from inference.chat_format import Message
from inference.engine import Engine, Generation, SamplingParams, TokenEvent
from inference.errors import ContextTooLong
from protocol.messages import HistoryMessage, SubTask, TaskResult

log = logging.getLogger(__name__)

CUT_MARK = "[... cut at the token limit]"
"""Ends a local answer the device model did not finish (`local_max_tokens`)."""

LOCAL_TURNS = 4
"""The device model reads at most so many earlier exchanges of the conversation..."""
LOCAL_CONTEXT_CHARS = 4000
"""...and at most so many characters of them (a board's context window is small)."""
CONTEXT_MESSAGE_CHARS = 2000
"""An earlier message longer than this is cut to its start when it serves as context."""

_WINDOW: ContextVar[tuple[Message, ...]] = ContextVar("tandem_conversation_window", default=())
"""The earlier turns the device model reads in this `ask` (restored values: never leaves the device)."""


class ConversationMemory(Protocol):
    """Where a conversation's turns are kept (`device.personal.store.PersonalStore`)."""

    def turns(self, conversation: str, *, last: int | None = None) -> list[Turn]: ...

    def add_turn(self, conversation: str, turn: Turn, *, face: str, owner: str | None = None,
                 ttl_s: float = ...) -> Turn: ...


@dataclass(frozen=True)
class PartTrace:
    index: int
    redacted_text: str  # the step as the router saw it (placeholders, no values)
    route: Route
    reason: str
    uncertainty: float | None
    draft_tokens: int
    task_id: str | None = None
    cloud_model: str | None = None
    rewritten_from: str | None = None  # the user's request (redacted) when `redacted_text` is its generalisation
    tool_call: dict[str, Any] | None = None  # a tool step's call and result: {"name", "arguments", "result"}


@dataclass(frozen=True)
class Answer:
    answer: str
    route: AnswerRoute
    sent: list[dict[str, Any]]
    timings_ms: dict[str, float]
    parts: list[PartTrace]
    notices: list[str] = field(default_factory=list)
    redacted: str = ""
    entities: list[dict[str, Any]] = field(default_factory=list)
    sensitive: list[str] = field(default_factory=list)  # categories of sensitive context the request disclosed
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # {"name", "arguments", "result"} per tool step
    conversation: str | None = None  # the conversation this turn was kept in (None: not kept)

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
            "sensitive": self.sensitive,
            "tool_calls": self.tool_calls,
            "conversation": self.conversation,
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
    """One conversation's agent. Seams left as None get the built-ins: the `rules` planner, the
    default cascade of routers (from `config`), the `concat` fuser; `tools` None: tool steps are
    answered by the device model."""

    def __init__(self, engine: Engine, redactor: Redactor, config: AgentConfig,
                 escalator: Escalator | None = None, policy: RedactionPolicy | None = None,
                 vaults: VaultStore | None = None, *, planner: Planner | None = None,
                 router: Router | None = None, fuser: Fuser | None = None,
                 tools: ToolExecutor | None = None, sensitive: DisclosureClassifier | None = None,
                 sensitive_policy: SensitivePolicy | None = None, tool_planner: ToolPlanner | None = None,
                 contacts: Callable[[], Iterable[str]] | None = None, public_figures: bool = True,
                 budget: CloudBudget | None = None, latency: LatencyTarget | None = None,
                 memory: ConversationMemory | None = None) -> None:
        self.engine = engine  # the local executor
        self.budget = budget  # at most so many escalations a day (None: no limit)
        self.offline_reason: str | None = None
        """Why there is no escalator when there should be one ("broker unreachable ..."), set by whoever
        manages the link (`device.cloud_link.CloudLink`, `tandem ask`); None: no cloud is configured."""
        self.latency = latency  # keep steps here while the cloud is slower than this (None: no target)
        self.redactor = redactor
        self.policy = policy or RedactionPolicy()  # steps it holds never escalate, not even forced
        self.config = config
        self.escalator = escalator  # the cloud executor (None: no cloud; set and cleared by CloudLink)
        self.tools = tools  # the tool executor
        self.tool_planner = tool_planner  # plans in the cloud the commands the device cannot parse (None: never)
        self.planner = planner or make_planner("rules")
        self.router = router or make_router(DEFAULT_CASCADE, RouterOptions(
            threshold=config.threshold, probe_tokens=config.probe_tokens,
            keep_personal_local=config.keep_personal_local))
        self.fuser = fuser or make_fuser("compose")
        self.sensitive = sensitive  # tags what a request discloses (health, religion, ...); None: not checked
        self.sensitive_policy = sensitive_policy or SensitivePolicy()
        self.contacts = contacts  # the user's contacts' names: never taken for public figures
        self.public_figures = public_figures  # False: every name stays a placeholder
        self.vault = Vault()  # one conversation
        self.vaults = vaults  # encrypted vaults of named conversations (None: nothing is stored)
        self.conversation: str | None = None  # the named conversation `vault` belongs to
        self.memory = memory  # keeps the turns of named conversations (None: turns live in `turns` only)
        self.turns: list[Turn] = []  # this conversation's turns so far (the recent ones, when loaded)
        self.face = "api"  # which face the conversation came through (listed by `tandem logs`)
        self._engine_lock = asyncio.Lock()  # one generation at a time on the device model

    def open_conversation(self, conversation: str | None, *, face: str | None = None) -> None:
        """Continue `conversation` with its stored vault (fresh when none or expired) and its recent turns;
        None: an unnamed conversation whose vault and turns are never written. `face`: the face it comes
        through ("chat", "ask", "socket", "mqtt", "http"). Raises VaultError for an unreadable vault file,
        PersonalStoreError for an unreadable turn."""
        if conversation is not None and self.vaults is None:
            raise VaultError("this agent stores no conversations: named conversations need a vault store")
        self.vault = self.vaults.load(conversation) if conversation is not None and self.vaults else Vault()
        self.turns = (self.memory.turns(conversation, last=LOCAL_TURNS)
                      if conversation is not None and self.memory is not None else [])
        self.conversation = conversation
        if face is not None:
            self.face = face

    async def ask(self, text: str, *, force: Force | None = None,
                  on_token: Callable[[int, str], None] | None = None,
                  confirm: Confirm | None = None, dry_run: bool = False,
                  request_id: str | None = None, system: str | None = None,
                  history: Sequence[Turn] | None = None) -> Answer:
        """Answer `text`. `force`: "local" or "cloud" for every step. `on_token(step, text)` streams.
        `confirm(kind, question)`: asks the user ("sensitive" context, an "act" that needs a yes); None: nobody.
        `dry_run`: tools show their calls and act on nothing. `request_id`: the same on a retry of the same
        request, so acts are not repeated (a fresh one when None). `system`: the user's system prompt for
        every step (redacted like the request; the device model reads it restored). `history`: the turns
        before this one when the caller keeps them (an OpenAI client sends its messages); None: this
        conversation's own `turns`, which the answer then extends."""
        context = list(history) if history is not None else list(self.turns)
        _WINDOW.set(_window(context))
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        # CPU work (the NER model, the classifier) and file writes run off the event loop: every face stays live
        redaction, redacted_system = await asyncio.to_thread(self._redact, text, system)
        timings["redact"] = _ms(t0)
        # what the user sees streams through a restorer: a placeholder split over chunks comes out whole
        streams = PartStreams(self.vault, on_token) if on_token is not None else None
        on_token = streams.feed if streams is not None else None
        t = time.perf_counter()
        told = redaction.text if redacted_system is None else f"{redacted_system}\n{redaction.text}"
        own = text if system is None else f"{system}\n{text}"  # the user's own words: the redactor may swallow a disclosure
        sensitive = (tuple(await asyncio.to_thread(self.sensitive.classify, told, own))
                     if self.sensitive is not None else ())
        hold, rewrite = await self._sensitive_gate(redaction.text, sensitive, confirm)
        timings["sensitive"] = _ms(t)
        t = time.perf_counter()
        if rewrite is not None:  # only the generalised request may leave; the device model reads the user's own
            plan = Plan((Step(0, rewrite, bool(PLACEHOLDER_RE.search(rewrite)), local_text=redaction.text),))
        else:
            plan = self._with_public_names(self.planner.plan(redaction.text))
        if redacted_system is not None:
            plan = Plan(tuple(replace(step, system=redacted_system) for step in plan.steps))
        if context and hold is None and rewrite is None and force != "local" and self.escalator is not None:
            plan, hold = await asyncio.to_thread(self._with_history, plan, context)
        timings["divide"] = _ms(t)

        run = _Run(len(plan), confirm=confirm, dry_run=dry_run, request_id=request_id or uuid.uuid4().hex)
        for notice in (self.policy.hold_all, hold):
            if notice is not None:
                run.notices.append(notice)
        for step in plan.steps:
            if step.depends_on:
                await self._settle(run, step.depends_on, on_token)
            if force != "local" and hold is None:
                step = await self._plan_in_cloud(run, step)
            decision, draft = await self._route(step, force, on_token, hold)
            run.local_ms += (draft.prefill_ms + draft.decode_ms) if draft else 0.0
            if decision.route == "tool":
                await self._run_tool(run, step, decision, on_token)
            elif decision.route == "local":
                assert draft is not None
                self._done(run, step, decision, StepResult(step.index, draft.text, "local"), draft)
            else:
                await self._send(run, step, decision, draft, on_token)
        await self._settle(run, tuple(run.waiting), on_token)

        timings["local_model"] = round(run.local_ms, 1)
        if run.cloud_started is not None:
            # first publish -> last result; the device drafted other steps meanwhile
            round_trip = (time.perf_counter() - run.cloud_started) * 1000
            timings["cloud_round_trip"] = round(round_trip, 1)
            timings["cloud_backend"] = round(run.cloud_backend_ms, 1)
            timings["network_and_crypto"] = round(max(0.0, round_trip - run.cloud_backend_ms), 1)
            timings["waited_for_cloud"] = round(run.waited_ms, 1)
        if streams is not None:
            streams.flush()
        t = time.perf_counter()
        final = append_notices(self.fuser.fuse(list(run.results.values()), self.vault), run.notices)
        timings["fusion"] = _ms(t)
        traces = [run.traces[i] for i in sorted(run.traces)]
        route = answer_route([tr.route for tr in traces])
        turn = Turn(user=text, answer=final, route=route, system=system, shareable=hold is None and rewrite is None,
                    parts=tuple({"route": tr.route, "reason": tr.reason, "redacted_text": tr.redacted_text}
                                for tr in traces))
        if history is None:
            self.turns = [*self.turns, turn][-LOCAL_TURNS:]
        kept = await self._keep(turn)
        if kept is not None:  # the turn could not be written: the answer stands, the user is told
            run.notices.append(kept)
            final = append_notices(final, [kept])
        timings["total"] = _ms(t0)
        return Answer(
            answer=final, route=route, sent=run.sent, timings_ms=timings,
            parts=traces, notices=run.notices, redacted=redaction.text,
            entities=[{"type": e.type, "start": e.start, "end": e.end, "placeholder": e.placeholder}
                      for e in redaction.entities],
            sensitive=list(sensitive),
            tool_calls=[tr.tool_call for tr in traces if tr.tool_call is not None],
            conversation=self.conversation if self.memory is not None else None,
        )

    def _redact(self, text: str, system: str | None) -> tuple[Redaction, str | None]:
        """The request and the system prompt redacted; a named conversation's vault saved before anything
        escalates under its placeholders."""
        redaction = self.redactor.redact(text, self.vault)
        redacted_system = self.redactor.redact(system, self.vault).text if system and system.strip() else None
        if self.conversation is not None and self.vaults is not None:
            self.vaults.save(self.conversation, self.vault)
        return redaction, redacted_system

    async def _keep(self, turn: Turn) -> str | None:
        """Write `turn` to the conversation's memory; a notice when that failed, else None."""
        if self.conversation is None or self.memory is None:
            return None
        ttl_s = self.vaults.ttl_s if self.vaults is not None else DEFAULT_TTL_S
        try:
            await asyncio.to_thread(self.memory.add_turn, self.conversation, turn, face=self.face,
                                    owner=self.vault.owner, ttl_s=ttl_s)
        except PersonalStoreError as exc:
            log.warning("turn not kept error=%s", type(exc).__name__)
            return f"this turn was not kept in the conversation's history: {exc}"
        return None

    def _with_history(self, plan: Plan, context: Sequence[Turn]) -> tuple[Plan, str | None]:
        """The plan with each follow-up step given the redacted turns it needs (`Step.history`), or the
        plan as it was and why nothing of this request may leave: a follow-up of a turn that stayed on the
        device (sensitive context), or of one whose values cannot be redacted."""
        steps = []
        for step in plan.steps:
            wanted = turns_needed(step.text, len(context)) if step.kind == "answer" else 0
            if not wanted:
                steps.append(step)
                continue
            chosen = context[-wanted:]
            if not all(t.shareable for t in chosen):
                return plan, ("this follows up on a turn that stayed on the device for its sensitive context, "
                              "so it stays on the device too")
            messages: list[tuple[Speaker, str]] = []
            for t in chosen:
                speakers: tuple[tuple[Speaker, str], ...] = (("user", t.user), ("assistant", _context_text(t.answer)))
                for role, said in speakers:
                    redacted = self.redactor.redact(said, self.vault).text
                    if not self.policy.check(redacted, self.vault).escalate:
                        return plan, ("this follows up on a turn whose private values cannot be redacted, so it "
                                      "stays on the device")
                    if role == "user" and self._discloses(redacted, said):  # a caller's own history is checked too
                        return plan, ("this follows up on a turn that disclosed sensitive context, so it stays on "
                                      "the device")
                    messages.append((role, redacted))
            personal = step.personal or any(PLACEHOLDER_RE.search(m) for _, m in messages)
            steps.append(replace(step, history=tuple(messages), personal=personal))
        return Plan(tuple(steps)), None

    def _with_public_names(self, plan: Plan) -> Plan:
        """Knowledge questions that name public figures may leave with the names (not the user's private
        data); every other step keeps its placeholders. See `device.redaction.public_figures`."""
        if not self.public_figures:
            return plan
        contacts = self.contacts() if self.contacts is not None else ()
        steps = []
        for step in plan.steps:
            names = public_names(step.text, self.vault, contacts) if step.kind == "answer" and step.personal else {}
            if names:
                text = step.text
                for placeholder, name in names.items():
                    text = text.replace(placeholder, name)
                step = replace(step, text=text, personal=False, local_text=step.local_text or step.text,
                               public_names=tuple(names.values()))
            steps.append(step)
        return Plan(tuple(steps))

    def _discloses(self, redacted: str, said: str) -> bool:
        """`redacted` (or `said`, its words as written) discloses sensitive context that the policy keeps
        from the cloud as it is."""
        return self.sensitive is not None and self.sensitive_policy.action(
            tuple(self.sensitive.classify(redacted, said))) is not None

    async def _sensitive_gate(self, redacted: str, sensitive: tuple[str, ...],
                              confirm: Confirm | None) -> tuple[str | None, str | None]:
        """(why nothing may leave, or None; the generalised request that may, or None)."""
        action = self.sensitive_policy.action(sensitive)
        if action is None:
            return None, None
        named = ", ".join(sensitive)
        if action == "generalize":
            rewrite = generalize(redacted)
            if rewrite is not None:
                return None, rewrite
            return (f"sensitive context ({named}) stays on the device: the request could not be rewritten "
                    "in general terms"), None
        if action == "ask":
            question = (f"This request tells something about you ({named}). May a redacted copy go to the "
                        "cloud if the device is unsure?")
            if confirm is not None and await confirm("sensitive", question):
                return None, None
            return f"sensitive context ({named}) stays on the device: sending it was not approved", None
        return (f"sensitive context ({named}) stays on the device (policy `local`; `generalize` lets a "
                "general version of the question go to the cloud)"), None

    # -- routing ---------------------------------------------------------------------------------

    async def _route(self, step: Step, force: Force | None, on_token: Callable[[int, str], None] | None,
                     hold: str | None = None) -> tuple[RouteDecision, Generation | None]:
        """Where `step` is answered, and the device's draft when it made one (a local answer needs it).
        `hold`: why nothing of this request may leave (sensitive context), whatever is forced."""
        if step.kind == "tool" and self.tools is not None:
            # a tool runs on the device whatever is forced or held: nothing of it leaves
            decision = self.router.decide(step, None)
            if decision is not None and decision.route == "tool":
                return decision, None
        if force == "local":
            draft = await self._draft(step, on_token)
            return RouteDecision("local", "forced", self._uncertainty(draft)), draft
        if hold is not None:
            draft = await self._draft(step, on_token)
            return RouteDecision("local", hold, self._uncertainty(draft)), draft
        verdict = self.policy.check(step.text, self.vault, step.public_names)
        if not verdict.escalate:  # the privacy policy holds it: no router and no force can send it
            draft = await self._draft(step, on_token)
            return RouteDecision("local", verdict.reason, self._uncertainty(draft)), draft
        cloud = self.escalator is not None
        if force == "cloud" and cloud:
            return RouteDecision("cloud", "forced", None), None
        decision = self.router.decide(step, None)
        if decision is not None:
            if decision.route == "tool" or (decision.route == "cloud" and cloud):
                return decision, None
            draft = await self._draft(step, on_token)
            reason = decision.reason if decision.route == "local" else self._no_cloud()
            return RouteDecision("local", reason, self._uncertainty(draft)), draft
        # the router reads a draft: draft, and let it stop the draft early once it knows
        early: list[RouteDecision] = []
        draft = await self._draft(step, on_token, early if cloud else None)
        if not cloud:
            return RouteDecision("local", self._no_cloud(), self._uncertainty(draft)), draft
        if early:  # the draft was stopped: the router had decided on the probe
            return early[0], draft
        decision = self.router.decide(step, _as_draft(draft)) or RouteDecision(
            "local", "no router escalated it", self._uncertainty(draft))
        return decision, draft

    def _no_cloud(self) -> str:
        return self.offline_reason or "no cloud configured"

    def _uncertainty(self, draft: Generation) -> float | None:
        return self.router.uncertainty(_as_draft(draft))

    async def _plan_in_cloud(self, run: _Run, step: Step) -> Step:
        """`step` as a tool step with the call the cloud planned, when the device could not parse what
        looks like a command (or parsed it unsure) and the cloud may see the step; else `step` as it is.
        Only the redacted text (home names masked too) and the tools' schemas leave; nothing runs there."""
        planner = self.tool_planner
        if planner is None or self.escalator is None or self.tools is None or step.kind not in ("answer", "tool"):
            return step
        local = step.call if step.kind == "tool" else None
        if (step.kind == "tool" and local is None) or not planner.wanted(step.text, local):
            return step
        if (step.personal and self.config.keep_personal_local) or not self.policy.check(step.text, self.vault).escalate:
            return step  # the user's private data stays here, placeholders or not (`keep_personal_local`)
        try:
            call, record = await planner.plan(step.text, self.escalator, self.vault)
        except (EscalationError, ToolError) as exc:
            run.notices.append(f"part {step.index + 1}: the cloud could not plan it, the device went on: {exc}")
            return step
        run.sent.append({"task_id": record.task_id, "topic": record.topic, "payload": record.payload,
                         "wire_bytes": record.wire_bytes})
        if call is None:
            return step  # the cloud sees no command (a low-confidence local call stays as it was)
        return replace(step, kind="tool", call=call)

    # -- the device model ------------------------------------------------------------------------

    async def _draft(self, step: Step, on_token: Callable[[int, str], None] | None,
                     early: list[RouteDecision] | None = None) -> Generation:
        """Draft `step` on the device model. With `early`, the router is asked once the probe is
        drafted; if it escalates, drafting stops and its decision is put in `early`. Streaming holds
        the probe back (it may never be shown) and goes live after it."""
        probe = self.router.probe_tokens or 0
        cancel = threading.Event()
        entropies: list[float] = []
        logprobs: list[float] = []
        texts: list[str] = []
        buffered: list[str] = []

        def watch(ev: TokenEvent) -> None:
            entropies.append(ev.entropy)
            logprobs.append(ev.logprob)
            texts.append(ev.text)
            buffered.append(ev.text)
            if early is not None and probe and len(entropies) == probe:
                decision = self.router.decide(step, Draft("".join(texts), tuple(entropies), tuple(logprobs),
                                                          finished=False))
                if decision is not None and decision.route == "cloud":
                    early.append(decision)
                    cancel.set()
                    return
            if on_token is not None and len(entropies) >= probe:
                # past the probe the step stays local: stream what was held back, then live
                on_token(step.index, "".join(buffered))
                buffered.clear()

        draft = await self._generate(step, watch, cancel)
        if on_token is not None and buffered and draft.finish_reason != "cancelled":
            on_token(step.index, "".join(buffered))
        return draft

    async def _generate(self, step: Step, watch: Callable[[TokenEvent], None] | None,
                        cancel: threading.Event | None, max_tokens: int | None = None) -> Generation:
        # the device model may see the real values: restore them for the local prompt
        # no system prompt of ours: the model's own default one (from the manifest) answers best; the user's
        # own (`system`) replaces it
        asked = [Message("user", self.vault.restore(step.local_text or step.text))]
        if step.system:
            asked.insert(0, Message("system", self.vault.restore(step.system)))
        params = SamplingParams(max_new_tokens=max_tokens or self.config.local_max_tokens,
                                no_repeat_ngram=self.config.no_repeat_ngram)
        window = list(_WINDOW.get())
        async with self._engine_lock:
            while True:
                messages = [*asked[:-1], *window, asked[-1]]
                try:
                    return await asyncio.to_thread(self.engine.chat, messages, params, on_token=watch, cancel=cancel)
                except ContextTooLong:
                    if not window:
                        raise
                    del window[:2]  # the oldest exchange goes: the request itself must fit (checked before generating)

    # -- executors -------------------------------------------------------------------------------

    def _done(self, run: _Run, step: Step, decision: RouteDecision, result: StepResult,
              draft: Generation | None, task_id: str | None = None, cloud_model: str | None = None) -> None:
        result = replace(result, data={**result.data, "asked": step.text})  # the fuser drops echoes of it
        if result.route == "local" and draft is not None and draft.finish_reason == "length":
            # cut by the token limit: say so rather than end mid-word
            result = replace(result, text=result.text.rstrip() + f" {CUT_MARK}")
        run.results[step.index] = result
        call = result.data.get("call") if result.route == "tool" else None
        run.traces[step.index] = PartTrace(step.index, step.text, result.route, decision.reason,
                                           decision.uncertainty, len(draft.token_ids) if draft else 0,
                                           task_id, cloud_model, step.local_text,
                                           dict(call) if isinstance(call, dict) else None)

    async def _run_tool(self, run: _Run, step: Step, decision: RouteDecision,
                        on_token: Callable[[int, str], None] | None) -> None:
        try:
            if self.tools is None:
                raise ToolError("no tool executor on this device")
            context = ToolContext(restore=self.vault.restore,
                                  prior={i: run.results[i] for i in step.depends_on if i in run.results},
                                  confirm=_bound(run.confirm, "act"), dry_run=run.dry_run,
                                  request_id=f"{run.request_id}:{step.index}")
            result = await self.tools.run(step, context)
        except ToolError as exc:
            run.notices.append(f"part {step.index + 1} answered by the device model: {exc}")
            await self._fallback(run, step, decision, None, on_token, None, "tool failed")
            return
        if on_token is not None:
            on_token(step.index, result.text)
        self._done(run, step, decision, result, None)

    async def _send(self, run: _Run, step: Step, decision: RouteDecision, draft: Generation | None,
                    on_token: Callable[[int, str], None] | None) -> None:
        """Escalate `step` now; its result is collected by `_settle`. The cloud policy (a daily budget, a
        latency target) may keep it here, with a notice."""
        held = None
        if self.latency is not None and decision.reason != "forced" and not self.latency.allows():
            held = self.latency.notice()
        elif self.budget is not None and not self.budget.take():
            held = self.budget.notice()
        if held is not None:
            run.notices.append(f"part {step.index + 1}: {held}")
            await self._fallback(run, step, decision, draft, on_token, None, "cloud policy")
            return
        try:
            record, fut = await self._escalate(step, run.steps)
        except EscalationError as exc:
            run.notices.append(f"part {step.index + 1} answered on the device: {exc}")
            await self._fallback(run, step, decision, draft, on_token, None)
            return
        run.cloud_started = run.cloud_started or time.perf_counter()
        run.sent.append({"task_id": record.task_id, "topic": record.topic, "payload": record.payload,
                         "wire_bytes": record.wire_bytes})
        run.waiting[step.index] = (step, decision, draft, record, fut)
        run.submitted[step.index] = time.perf_counter()

    async def _settle(self, run: _Run, indexes: tuple[int, ...],
                      on_token: Callable[[int, str], None] | None) -> None:
        """Wait for the escalated steps among `indexes`, in order; a failed one is answered locally."""
        t_wait = time.perf_counter()
        for index in sorted(indexes):
            if index not in run.waiting:
                continue
            step, decision, draft, record, fut = run.waiting.pop(index)
            assert self.escalator is not None
            try:
                result = await self.escalator.wait(record, fut, self.config.timeout_s)
                if result.error:
                    raise EscalationError(f"the worker could not answer: {result.error}")
            except EscalationError as exc:
                run.notices.append(f"part {step.index + 1} answered on the device: {exc}")
                await self._fallback(run, step, decision, draft, on_token, record.task_id)
                continue
            run.cloud_backend_ms += result.timings_ms.get("backend", 0.0)
            if self.latency is not None and index in run.submitted:
                self.latency.observe(time.perf_counter() - run.submitted[index])
            if on_token is not None:
                on_token(step.index, result.text)
            self._done(run, step, decision, StepResult(step.index, result.text, "cloud"), draft,
                       record.task_id, result.model)
        run.waited_ms += (time.perf_counter() - t_wait) * 1000

    async def _fallback(self, run: _Run, step: Step, decision: RouteDecision, draft: Generation | None,
                        on_token: Callable[[int, str], None] | None, task_id: str | None,
                        failed: str = "escalation failed") -> None:
        """The step could not be escalated, answered by the cloud or done by a tool: answer it here."""
        if draft is None or draft.finish_reason == "cancelled":
            def stream(ev: TokenEvent) -> None:
                if on_token is not None:
                    on_token(step.index, ev.text)
            draft = await self._generate(step, stream, None)
        result = StepResult(step.index, self.vault.restore(draft.text), "local")
        self._done(run, step, RouteDecision("local", f"{decision.reason}; {failed}", decision.uncertainty),
                   result, draft, task_id)

    async def _escalate(self, step: Step, steps: int) -> tuple[SentRecord, asyncio.Future[TaskResult]]:
        if self.escalator is None:
            raise EscalationError(self._no_cloud())
        history = tuple(HistoryMessage(role=role, content=text) for role, text in step.history) or None
        task = SubTask(prompt=step.text, system=step.system, max_tokens=self.config.cloud_max_tokens, part=step.index,
                       parts=steps, history=history)
        record, fut = await self.escalator.submit(task)
        log.info("escalated part=%d task=%s bytes=%d", step.index, record.task_id, record.wire_bytes)
        return record, fut


@dataclass
class _Run:
    """The state of one `ask` as its steps are executed."""

    steps: int
    confirm: Confirm | None = None
    dry_run: bool = False
    request_id: str = ""
    results: dict[int, StepResult] = field(default_factory=dict)
    traces: dict[int, PartTrace] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    waiting: dict[int, tuple[Step, RouteDecision, Generation | None, SentRecord, asyncio.Future[TaskResult]]] = field(
        default_factory=dict)
    local_ms: float = 0.0
    cloud_backend_ms: float = 0.0
    waited_ms: float = 0.0
    cloud_started: float | None = None
    submitted: dict[int, float] = field(default_factory=dict)
    """When each escalated step was sent (perf_counter), for the latency target."""


def _bound(confirm: Confirm | None, kind: str) -> Callable[[str], Awaitable[bool]] | None:
    if confirm is None:
        return None

    async def ask(question: str) -> bool:
        return await confirm(kind, question)

    return ask


def _context_text(answer: str) -> str:
    """An earlier answer as context: without the device's own notes to the user, cut when long."""
    kept = "\n".join(line for line in answer.splitlines() if not line.startswith("[note] ")).strip()
    kept = kept.replace(CUT_MARK, "").rstrip()
    return kept if len(kept) <= CONTEXT_MESSAGE_CHARS else kept[:CONTEXT_MESSAGE_CHARS].rstrip() + " ..."


def _window(context: Sequence[Turn]) -> tuple[Message, ...]:
    """The most recent exchanges the device model reads (values restored), within its budget."""
    messages: list[Message] = []
    used = 0
    for turn in reversed(context[-LOCAL_TURNS:]):
        pair = [Message("user", turn.user), Message("assistant", _context_text(turn.answer))]
        size = sum(len(m.content) for m in pair)
        if used + size > LOCAL_CONTEXT_CHARS:
            break
        messages[:0] = pair
        used += size
    return tuple(messages)


def _as_draft(generation: Generation) -> Draft:
    return Draft(generation.text, generation.entropies, generation.logprobs, finished=True)


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)
