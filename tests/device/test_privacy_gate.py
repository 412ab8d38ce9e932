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
from device.redaction.sensitive_policy import SensitivePolicy
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


class KeywordSensitivity:
    """A stand-in for the sensitive-context model in these policy tests: tags `health` on "HIV"."""

    def classify(self, text: str, *also: str) -> tuple[str, ...]:
        return ("health",) if any("HIV" in t for t in (text, *also)) else ()


DISCLOSURE = "My HIV test came back positive. Do I have to tell my new employer?"


def _sensitive_agent(engine: Engine, policy: SensitivePolicy) -> Agent:
    return Agent(engine, RuleRedactor(ner=None), CONFIG, sensitive=KeywordSensitivity(), sensitive_policy=policy)


@pytest.mark.parametrize("force", [None, "cloud"])
def test_sensitive_context_stays_home_by_default_even_forced(engine: Engine, mosquitto: BrokerProcess,
                                                             keys_root: Path, echo_pool: Worker,
                                                             force: str | None) -> None:
    answer = _ask(_sensitive_agent(engine, SensitivePolicy()), DISCLOSURE, mosquitto.url, keys_root, force)
    assert answer.sent == [] and answer.sensitive == ["health"]
    assert all(p.route == "local" and p.reason.startswith("sensitive context (health)") for p in answer.parts)
    assert any("generalize" in n for n in answer.notices)


def test_generalize_sends_only_the_rewrite(engine: Engine, mosquitto: BrokerProcess, keys_root: Path,
                                           echo_pool: Worker) -> None:
    agent = _sensitive_agent(engine, SensitivePolicy({"health": "generalize"}))
    answer = _ask(agent, DISCLOSURE, mosquitto.url, keys_root, force="cloud")
    rewrite = "Someone's HIV test came back positive. Do they have to tell their new employer?"
    assert [s["payload"]["prompt"] for s in answer.sent] == [rewrite]
    (part,) = answer.parts
    assert part.redacted_text == rewrite and part.rewritten_from == DISCLOSURE
    assert answer.answer.startswith(rewrite)  # the echo worker's answer is what it was sent


def test_a_request_that_cannot_be_generalised_stays_home(engine: Engine, mosquitto: BrokerProcess,
                                                          keys_root: Path, echo_pool: Worker) -> None:
    agent = _sensitive_agent(engine, SensitivePolicy({"health": "generalize"}))
    answer = _ask(agent, "Mein HIV-Test war positiv. Muss ich das meinem Arbeitgeber sagen?", mosquitto.url,
                  keys_root, force="cloud")
    assert answer.sent == [] and "could not be rewritten" in answer.parts[0].reason


@pytest.mark.parametrize("approve", [False, True])
def test_ask_sends_only_what_the_user_approves(engine: Engine, mosquitto: BrokerProcess, keys_root: Path,
                                               echo_pool: Worker, approve: bool) -> None:
    agent = _sensitive_agent(engine, SensitivePolicy({"health": "ask"}))
    questions: list[str] = []

    async def confirm(kind: str, question: str) -> bool:
        assert kind == "sensitive"
        questions.append(question)
        return approve

    async def go() -> Answer:
        agent.escalator = Escalator(broker_url=mosquitto.url, keys=DeviceKeys.load(keys_root, "dev-a"))
        await agent.escalator.start()
        try:
            return await agent.ask(DISCLOSURE, force="cloud", confirm=confirm)
        finally:
            await agent.escalator.close()

    answer = asyncio.run(go())
    assert len(questions) == 1 and "(health)" in questions[0]
    assert (len(answer.sent) > 0) is approve
    no_one_to_ask = _ask(_sensitive_agent(engine, SensitivePolicy({"health": "ask"})), DISCLOSURE, mosquitto.url,
                         keys_root, force="cloud")
    assert no_one_to_ask.sent == [] and "not approved" in no_one_to_ask.parts[0].reason


DISCLOSURES = [
    "My HIV test came back positive. Do I have to tell my new employer?",
    "I'm gay and my parents are very religious. How do I come out to them?",
    "My husband hits me when he drinks. Where can I get help?",
    "I have a criminal record from 2015. Can I still get a job at a bank?",
    "We are undocumented and our landlord threatens to call immigration. What are our rights?",
    "I owe 40,000 in credit card debt and just lost my job. What should I do first?",
]


@pytest.mark.real_model
def test_with_the_real_classifier_no_disclosure_reaches_the_broker(engine: Engine, mosquitto: BrokerProcess,
                                                                   keys_root: Path, echo_pool: Worker,
                                                                   sensitive_model_dir: Path) -> None:
    from device.redaction.sensitive import SensitiveClassifier
    from tests.mqtt_observer import Observer

    observer = Observer(mosquitto.url)
    try:
        agent = Agent(engine, RuleRedactor(ner=None), CONFIG, sensitive=SensitiveClassifier(sensitive_model_dir))
        for text in DISCLOSURES:
            answer = _ask(agent, text, mosquitto.url, keys_root, force="cloud")  # even forced, the default holds
            assert answer.sensitive and answer.sent == [], text
        control = _ask(agent, "Explain how a condensing boiler works.", mosquitto.url, keys_root, force="cloud")
        assert control.sensitive == [] and len(control.sent) == 1  # the gate holds only disclosures
        observer.wait_for("tandem/v1/task", 1)
        assert len(observer.on("tandem/v1/task")) == 1  # the control's task, and nothing else
    finally:
        observer.close()
