"""Admission: a flood gets "busy" or "rate limited" at once, never an unbounded queue, and one caller's
flood does not cost another caller its turn; the event loop stays live while a request is redacted."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from device.agent import Agent, AgentConfig
from device.redaction import RuleRedactor
from device.service import AskService, Backend
from device.service.admission import Admission, AdmissionLimits
from device.service.callers import Caller
from device.service.messages import AskReply, AskRequest
from harness.chaos.service_role import DelayEngine


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_caller_gets_its_burst_then_its_rate() -> None:
    clock = Clock()
    gate = Admission(AdmissionLimits(max_waiting=100, rate_per_s=2.0, burst=3), clock)
    assert [gate.admit("a") for _ in range(3)] == [None, None, None]
    refused = gate.admit("a")
    assert refused is not None and refused.code == "rate_limited" and refused.retry_after_s == pytest.approx(0.5)
    assert gate.admit("b") is None  # another caller has its own tokens
    clock.now += 0.5
    assert gate.admit("a") is None and gate.admit("a") is not None
    assert gate.refused == {"busy": 0, "rate_limited": 2}


def test_busy_when_the_wait_is_full_and_a_refusal_costs_no_token() -> None:
    gate = Admission(AdmissionLimits(max_waiting=2, rate_per_s=1.0, burst=5), Clock())
    assert gate.admit("a") is None and gate.admit("b") is None
    busy = gate.admit("c")
    assert busy is not None and busy.code == "busy" and gate.waiting == 2
    gate.leave()
    for _ in range(4):  # c's five tokens are all still there
        assert gate.admit("c") is None
        gate.leave()
    assert gate.admit("c") is None


def test_forged_caller_names_cannot_grow_memory() -> None:
    gate = Admission(AdmissionLimits(max_waiting=10_000, max_callers=50), Clock())
    for i in range(5000):
        gate.admit(f"forged-{i}")
    assert len(gate._buckets) == 50


def _service(delay_s: float, limits: AdmissionLimits, redactor: Any = None) -> AskService:
    agent = Agent(DelayEngine(delay_s), redactor or RuleRedactor(ner=None),  # type: ignore[arg-type]
                  AgentConfig(threshold=99, probe_tokens=1), None)
    return AskService(Backend(agent, profile="x86-dev"), limits)


def test_a_flood_is_answered_at_once_and_another_caller_still_gets_in() -> None:
    service = _service(0.2, AdmissionLimits(max_waiting=4, rate_per_s=1.0, burst=20))
    flooder, probe = Caller("mqtt", "flood", verified=False), Caller("unix", "1000", verified=True)

    async def go() -> tuple[list[AskReply], AskReply, float, float]:
        started = time.perf_counter()
        flood = [asyncio.ensure_future(service.ask(AskRequest(text=f"request {i}", id=str(i)), flooder))
                 for i in range(500)]
        await asyncio.sleep(0.05)
        refused_by = time.perf_counter() - started  # the refusals are already out
        done_early = sum(f.done() for f in flood)
        reply = await service.ask(AskRequest(text="probe", id="p"), probe)
        probed = time.perf_counter() - started
        replies = await asyncio.gather(*flood)
        assert done_early >= 500 - 4 - 1, done_early
        assert refused_by < 1.0
        return replies, reply, probed, time.perf_counter() - started

    replies, probe_reply, probed, _ = asyncio.run(go())
    assert len(replies) == 500 and sorted(r.id for r in replies) == sorted(str(i) for i in range(500))
    answered = [r for r in replies if r.ok]
    codes = {r.code for r in replies if not r.ok}
    assert 1 <= len(answered) <= 4 + 1 and codes <= {"busy", "rate_limited"}
    assert all(r.retry_after_s is not None and r.error for r in replies if not r.ok)
    # the probe waited behind at most the admitted few, not behind 500
    assert probe_reply.ok or probe_reply.code == "busy"
    assert probed < 0.2 * 7
    assert service.admission.waiting == 0 and service.snapshot()["refused_busy"] > 0


class SlowRedactor(RuleRedactor):
    def redact(self, text: str, vault: Any = None) -> Any:
        time.sleep(0.3)  # the NER model on a busy board
        return super().redact(text, vault)


def test_redaction_runs_off_the_event_loop(tmp_path: Path) -> None:
    service = _service(0.0, AdmissionLimits(), SlowRedactor(ner=None))

    async def go() -> int:
        ticks = 0
        stop = asyncio.Event()

        async def tick() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        ticker = asyncio.ensure_future(tick())
        reply = await service.ask(AskRequest(text="hello there"))
        stop.set()
        await ticker
        assert reply.ok
        return ticks

    assert asyncio.run(go()) >= 20  # the loop kept turning while the request was redacted
