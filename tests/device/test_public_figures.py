"""Names of public figures in a knowledge question may leave; the user's people never do."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cloud.worker import Worker
from device.agent import Agent, AgentConfig, Answer
from device.escalation import Escalator
from device.redaction import RuleRedactor
from device.redaction.policy import RedactionPolicy
from device.redaction.public_figures import public_names
from device.redaction.vault import Vault
from inference.engine import Engine
from protocol.keys import DeviceKeys
from tandem.broker import BrokerProcess


def _step(text: str, *names: str) -> tuple[str, Vault]:
    vault = Vault()
    for name in names:
        text = text.replace(name, vault.placeholder_for("PERSON", name))
    return text, vault


@pytest.mark.parametrize(("text", "names"), [
    ("When was Marie Curie born?", ["Marie Curie"]),
    ("Who played Cleopatra in the film with Richard Burton?", ["Richard Burton"]),
    ("Tell me about Isaac Newton's laws of motion.", ["Isaac Newton"]),
])
def test_knowledge_questions_about_public_figures_keep_their_names(text: str, names: list[str]) -> None:
    redacted, vault = _step(text, *names)
    assert sorted(public_names(redacted, vault).values()) == sorted(names)


@pytest.mark.parametrize(("text", "names", "contacts"), [
    ("Remind Anna Keller that the boiler service is on Friday.", ["Anna Keller"], []),  # not a question
    ("When is Tom Becker's appointment with the dentist?", ["Tom Becker"], []),  # tied: appointment
    ("What should I get my sister Laura Schmidt for her birthday?", ["Laura Schmidt"], []),  # my, sister
    ("Who is Anna Keller?", ["Anna Keller"], ["Anna Keller"]),  # a contact
    ("Who is Keller?", ["Keller"], ["Anna Keller"]),  # part of a contact's name
    ("When was Anna born?", ["Anna"], []),  # a lone first name
    ("What is Einstein famous for?", ["Einstein"], []),  # any single word may be someone the user knows
    ("Is Anna Keller coming?", ["Anna Keller"], []),  # the user's plans
    ("Did Peter Novak email the report?", ["Peter Novak"], []),  # an act towards the person
])
def test_the_users_people_stay_placeholders(text: str, names: list[str], contacts: list[str]) -> None:
    redacted, vault = _step(text, *names)
    assert public_names(redacted, vault, contacts) == {}


def test_another_kind_of_value_keeps_the_whole_step_home() -> None:
    vault = Vault()
    text = (f"When was {vault.placeholder_for('PERSON', 'Marie Curie')} born? Mail it to "
            f"{vault.placeholder_for('EMAIL', 'me@example.com')}")
    assert public_names(text, vault) == {}


def test_the_policy_lets_public_names_pass_and_nothing_else() -> None:
    vault = Vault()
    vault.placeholder_for("PERSON", "Marie Curie")
    vault.placeholder_for("PERSON", "Anna Keller")
    policy = RedactionPolicy()
    assert not policy.check("When was Marie Curie born?", vault).escalate  # a vault value, not allowed
    assert policy.check("When was Marie Curie born?", vault, ["Marie Curie"]).escalate
    assert not policy.check("Did Anna Keller know Marie Curie?", vault, ["Marie Curie"]).escalate


def _ask(engine: Engine, broker_url: str, keys_root: Path, text: str, contacts: list[str]) -> Answer:
    async def go() -> Answer:
        esc = Escalator(broker_url=broker_url, keys=DeviceKeys.load(keys_root, "dev-a"))
        await esc.start()
        agent = Agent(engine, RuleRedactor(), AgentConfig(threshold=99, probe_tokens=8, local_max_tokens=8,
                                                          timeout_s=10), esc, contacts=lambda: contacts)
        try:
            return await agent.ask(text, force="cloud")
        finally:
            await esc.close()

    return asyncio.run(go())


@pytest.fixture(scope="module")
def engine(tiny_model: Path) -> Engine:
    return Engine(tiny_model, threads=1)


def test_the_cloud_gets_the_public_name_and_never_a_contacts(engine: Engine, mosquitto: BrokerProcess,
                                                              keys_root: Path, echo_pool: Worker) -> None:
    public = _ask(engine, mosquitto.url, keys_root, "When was Marie Curie born?", [])
    assert [s["payload"]["prompt"] for s in public.sent] == ["When was Marie Curie born?"]
    assert public.parts[0].route == "cloud"
    contact = _ask(engine, mosquitto.url, keys_root, "When was Anna Keller born?", ["Anna Keller"])
    assert [s["payload"]["prompt"] for s in contact.sent] == ["When was <PERSON_1> born?"]  # forced: a placeholder
    assert "Anna Keller" in contact.answer  # restored on the device
