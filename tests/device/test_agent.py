"""The agent pipeline with the tiny model and a real echo worker over Mosquitto.

The echo worker returns what it was sent, so the fused answer shows exactly what the cloud saw
(after the device restored the placeholders), and `sent` shows what left the device.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cloud.worker import Worker
from device.agent import Agent, AgentConfig, Answer
from device.escalation import Escalator
from device.redaction import RuleRedactor
from inference.engine import Engine
from protocol.keys import DeviceKeys
from tandem.broker import BrokerProcess

REQUEST = ("Remind Anna Keller (anna.keller@example.com, +41 79 555 12 34) that the boiler service is on "
           "Friday, and explain how a condensing boiler works.")
PII = ["Anna Keller", "anna.keller@example.com", "+41 79 555 12 34"]


def _ask(engine: Engine, broker_url: str | None, keys_root: Path, threshold: float, force: str | None = None,
         streamed: list[tuple[int, str]] | None = None) -> Answer:
    async def go() -> Answer:
        esc = None
        if broker_url is not None:
            esc = Escalator(broker_url=broker_url, keys=DeviceKeys.load(keys_root, "dev-a"))
            await esc.start()
        agent = Agent(engine, RuleRedactor(), AgentConfig(threshold=threshold, probe_tokens=8, local_max_tokens=16,
                                                          timeout_s=10), esc)
        try:
            on_token = (lambda i, t: streamed.append((i, t))) if streamed is not None else None
            return await agent.ask(REQUEST, force=force, on_token=on_token)
        finally:
            if esc is not None:
                await esc.close()

    return asyncio.run(go())


@pytest.fixture(scope="module")
def engine(tiny_model: Path) -> Engine:
    return Engine(tiny_model, threads=1)


def test_uncertain_general_part_escalates_and_personal_part_stays(engine: Engine, mosquitto: BrokerProcess,
                                                                   keys_root: Path, echo_pool: Worker) -> None:
    # the random tiny model is maximally unsure: every non-personal part escalates
    answer = _ask(engine, mosquitto.url, keys_root, threshold=0.5)
    assert answer.route == "split"
    assert [p.route for p in answer.parts] == ["local", "cloud"]
    assert answer.parts[0].reason == "personal data stays on the device"
    assert answer.parts[1].reason == "uncertain" and answer.parts[1].uncertainty >= 0.5
    assert [s["payload"]["prompt"] for s in answer.sent] == ["Explain how a condensing boiler works."]
    assert (answer.sent[0]["payload"]["part"], answer.sent[0]["payload"]["parts"]) == (1, 2)
    assert answer.answer.endswith("Explain how a condensing boiler works.")  # the echo, fused in order
    assert {"redact", "divide", "local_model", "cloud_backend", "cloud_round_trip", "network_and_crypto", "fusion", "total"} <= set(
        answer.timings_ms)


def test_forced_cloud_sends_placeholders_and_restores_values(engine: Engine, mosquitto: BrokerProcess,
                                                             keys_root: Path, echo_pool: Worker) -> None:
    answer = _ask(engine, mosquitto.url, keys_root, threshold=99, force="cloud")
    assert answer.route == "cloud" and len(answer.sent) == 2
    sent = " ".join(s["payload"]["prompt"] for s in answer.sent)
    assert "<PERSON_1>" in sent and "<EMAIL_1>" in sent and "<PHONE_1>" in sent
    assert not any(value in sent for value in PII)
    # the echo came back with placeholders; the user sees the values
    assert all(value in answer.answer for value in PII)
    assert "<PERSON_1>" not in answer.answer


def test_confident_threshold_keeps_everything_local_and_streams(engine: Engine, mosquitto: BrokerProcess,
                                                                keys_root: Path, echo_pool: Worker) -> None:
    streamed: list[tuple[int, str]] = []
    answer = _ask(engine, mosquitto.url, keys_root, threshold=99, streamed=streamed)
    assert answer.route == "local" and answer.sent == []
    assert {i for i, _ in streamed} == {0, 1}
    assert echo_pool.stats.answered == 0 or answer.sent == []


def test_broker_gone_means_local_answer_with_notice(engine: Engine, keys_root: Path,
                                                    own_mosquitto: BrokerProcess) -> None:
    url = own_mosquitto.url
    own_mosquitto.stop()  # no broker at all: the escalator cannot even start

    async def go() -> Answer:
        esc = Escalator(broker_url=url, keys=DeviceKeys.load(keys_root, "dev-a"))
        agent = Agent(engine, RuleRedactor(), AgentConfig(threshold=0.5, probe_tokens=8, local_max_tokens=16), esc)
        return await agent.ask(REQUEST)

    # the escalator was never started: submit fails, the part is answered locally with a notice
    answer = asyncio.run(go())
    assert answer.route == "local"
    assert answer.notices and "answered on the device" in answer.notices[0]
    assert answer.sent == []


def test_no_worker_means_local_answer_with_notice(engine: Engine, keys_root: Path,
                                                  own_mosquitto: BrokerProcess) -> None:
    answer = _ask(engine, own_mosquitto.url, keys_root, threshold=0.5)
    assert answer.route == "local"
    assert any("no worker" in n for n in answer.notices)
    assert len(answer.sent) == 1  # it did leave (sealed), and the user is told it was not answered


def test_a_spent_daily_budget_keeps_steps_on_the_device_and_survives_a_restart(
        engine: Engine, mosquitto: BrokerProcess, keys_root: Path, echo_pool: Worker, tmp_path: Path) -> None:
    from datetime import date

    from device.collab.cloud_policy import CloudBudget

    day = [date(2026, 12, 3)]
    path = tmp_path / "budget.json"

    async def go(question: str) -> Answer:
        esc = Escalator(broker_url=mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"))
        await esc.start()
        agent = Agent(engine, RuleRedactor(), AgentConfig(threshold=0.0, probe_tokens=8, local_max_tokens=8,
                                                          timeout_s=10), esc,
                      budget=CloudBudget(1, path, today=lambda: day[0]))  # a new agent: as after a restart
        try:
            return await agent.ask(question)
        finally:
            await esc.close()

    first = asyncio.run(go("Explain how a condensing boiler works."))
    assert [p.route for p in first.parts] == ["cloud"] and len(first.sent) == 1
    second = asyncio.run(go("Explain how a heat pump works."))
    assert [p.route for p in second.parts] == ["local"] and second.sent == []
    assert any("daily cloud budget (1 escalations) is spent" in n for n in second.notices)
    assert second.answer.strip()  # answered on the device, nothing lost
    day[0] = date(2026, 12, 4)  # a new day, a new budget
    third = asyncio.run(go("Explain how a heat pump works."))
    assert [p.route for p in third.parts] == ["cloud"]


def test_a_cloud_slower_than_the_latency_target_keeps_steps_here_until_a_recheck() -> None:
    from device.collab.cloud_policy import LatencyTarget

    now = [0.0]
    target = LatencyTarget(2.0, recheck_s=60.0, clock=lambda: now[0])
    assert target.allows()
    target.observe(9.0)
    assert not target.allows() and "9.0 s a step, above the latency target of 2 s" in target.notice()
    now[0] = 61.0
    assert target.allows()  # one step goes to measure again
    assert not target.allows()
    for _ in range(10):
        target.observe(0.5)
    assert target.allows()


def test_an_unreadable_budget_file_counts_as_spent_never_as_a_fresh_budget(tmp_path: Path) -> None:
    from device.collab.cloud_policy import CloudBudget

    path = tmp_path / "budget.json"
    path.write_text("{not json")
    assert not CloudBudget(5, path).take()
    with pytest.raises(ValueError, match="0 or more"):
        CloudBudget(-1)


def test_a_local_answer_cut_by_the_token_limit_says_so(engine: Engine, keys_root: Path) -> None:
    agent = Agent(engine, RuleRedactor(), AgentConfig(threshold=99.0, probe_tokens=4, local_max_tokens=5))
    answer = asyncio.run(agent.ask("Explain how a condensing boiler works.", force="local"))
    assert answer.answer.endswith("[... cut at the token limit]")  # the random tiny model never stops by itself


def test_the_user_s_system_prompt_is_redacted_like_the_request(engine: Engine, mosquitto: BrokerProcess,
                                                               keys_root: Path, echo_pool: Worker) -> None:
    async def go() -> Answer:
        esc = Escalator(broker_url=mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"))
        await esc.start()
        agent = Agent(engine, RuleRedactor(), AgentConfig(threshold=0.0, probe_tokens=8, local_max_tokens=8,
                                                          timeout_s=10), esc)
        try:
            return await agent.ask("Explain how a condensing boiler works.", force="cloud",
                                   system="You answer for Anna Keller (anna.keller@example.com), briefly.")
        finally:
            await esc.close()

    answer = asyncio.run(go())
    (sent,) = answer.sent
    assert sent["payload"]["system"] == "You answer for <PERSON_1> (<EMAIL_1>), briefly."
    assert "Anna Keller" not in str(answer.sent) and "anna.keller@example.com" not in str(answer.sent)
