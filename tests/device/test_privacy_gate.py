"""The agent's privacy gate: what no router and no forced route can send (tiny model, real broker)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cloud.worker import Worker
from device.agent import Agent, AgentConfig, Answer
from device.escalation import Escalator
from device.redaction import RuleRedactor
from device.redaction.policy import RedactionPolicy
from inference.engine import Engine
from protocol.keys import DeviceKeys
from tandem.broker import BrokerProcess

CONFIG = AgentConfig(threshold=0.5, probe_tokens=4, local_max_tokens=8, timeout_s=10)
HOLD = "nothing left this device: its PII name/address model is not built"


@pytest.fixture(scope="module")
def engine(tiny_model: Path) -> Engine:
    return Engine(tiny_model, threads=1)


def _ask(agent: Agent, text: str, broker_url: str, keys_root: Path, force: str | None = None) -> Answer:
    async def go() -> Answer:
        agent.escalator = Escalator(broker_url=broker_url, keys=DeviceKeys.load(keys_root, "dev-a"))
        await agent.escalator.start()
        try:
            return await agent.ask(text, force=force)  # type: ignore[arg-type]
        finally:
            await agent.escalator.close()

    return asyncio.run(go())


@pytest.mark.parametrize("force", [None, "cloud"])
def test_without_the_name_model_nothing_leaves_even_forced(engine: Engine, mosquitto: BrokerProcess,
                                                           keys_root: Path, echo_pool: Worker,
                                                           force: str | None) -> None:
    agent = Agent(engine, RuleRedactor(ner=None), CONFIG, policy=RedactionPolicy(hold_all=HOLD))
    answer = _ask(agent, "Explain tides. Then explain waves.", mosquitto.url, keys_root, force)
    assert answer.sent == [] and answer.route == "local"
    assert [p.reason for p in answer.parts] == [HOLD, HOLD]
    assert answer.notices == [HOLD] and answer.answer.endswith(f"[note] {HOLD}")


def test_the_same_request_escalates_with_the_model(engine: Engine, mosquitto: BrokerProcess, keys_root: Path,
                                                   echo_pool: Worker) -> None:
    agent = Agent(engine, RuleRedactor(ner=None), CONFIG, policy=RedactionPolicy())
    answer = _ask(agent, "Explain tides. Then explain waves.", mosquitto.url, keys_root)
    assert len(answer.sent) == 2 and answer.notices == []
