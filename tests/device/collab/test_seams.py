"""The collaboration's seams on their own: plans, the cascade's order and abstentions, registries."""

from __future__ import annotations

import pytest

from device.collab import (
    DEFAULT_CASCADE,
    FUSERS,
    PLANNERS,
    ROUTERS,
    Draft,
    Plan,
    RouterOptions,
    Step,
    StepResult,
    answer_route,
    make_fuser,
    make_planner,
    make_router,
)
from device.collab.routers.cascade import CascadeRouter
from device.collab.routers.entropy import EntropyRouter
from device.collab.routers.personal import PersonalRouter
from device.errors import CollabConfigError
from device.redaction.vault import Vault
from tandem.settings import Settings

OPTIONS = RouterOptions(threshold=1.0, probe_tokens=4, keep_personal_local=True)


def _draft(entropies: list[float], finished: bool = True) -> Draft:
    return Draft("x" * len(entropies), tuple(entropies), finished=finished)


def test_rules_planner_keeps_a_question_whole_and_splits_two_jobs() -> None:
    planner = make_planner("rules")
    one = planner.plan("What is the capital of France?")
    assert [s.text for s in one.steps] == ["What is the capital of France?"] and one.steps[0].kind == "answer"
    two = planner.plan("Remind <PERSON_1> about Friday, and explain how a heat pump works.")
    assert [(s.index, s.personal, s.depends_on) for s in two.steps] == [(0, True, ()), (1, False, ())]


def test_plan_refuses_misnumbered_steps_and_forward_dependencies() -> None:
    with pytest.raises(ValueError, match="numbered"):
        Plan((Step(1, "a"),))
    with pytest.raises(ValueError, match="earlier steps"):
        Plan((Step(0, "a", depends_on=(1,)), Step(1, "b")))
    with pytest.raises(ValueError, match="at least one"):
        Plan(())


def test_cascade_decides_before_a_draft_when_a_request_router_knows() -> None:
    router = make_router(DEFAULT_CASCADE, OPTIONS)
    assert router.needs_draft and router.probe_tokens == 4
    code = router.decide(Step(0, "Write a Python function that parses dates."), None)
    assert code is not None and (code.route, code.reason) == ("cloud", "capability:code")
    personal = router.decide(Step(0, "Remind <PERSON_1> about Friday.", personal=True), None)
    assert personal is not None and (personal.route, personal.reason) == ("local", "personal data stays on the device")
    tool = router.decide(Step(0, "Turn off the kitchen light.", kind="tool"), None)
    assert tool is not None and tool.route == "tool"


def test_cascade_asks_for_a_draft_then_reads_it() -> None:
    router = make_router(DEFAULT_CASCADE, OPTIONS)
    step = Step(0, "Explain how a heat pump works.")
    assert router.decide(step, None) is None  # no request router decided: draft first
    assert router.decide(step, _draft([0.5, 0.5], finished=False)) is None  # probe not drafted yet
    early = router.decide(step, _draft([2.0, 2.0, 2.0, 2.0], finished=False))
    assert early is not None and (early.route, early.reason, early.uncertainty) == ("cloud", "uncertain", 2.0)
    calm = router.decide(step, _draft([0.2, 0.2, 0.2, 0.2, 9.0]))  # only the probe counts
    assert calm is not None and calm.route == "local" and calm.uncertainty == pytest.approx(0.2)
    assert router.uncertainty(_draft([0.5, 1.5])) == 1.0


def test_cascade_order_is_the_config_order() -> None:
    step = Step(0, "Translate <PERSON_1>'s note into German.", personal=True)
    capability_first = make_router(["capability", "personal"], OPTIONS).decide(step, None)
    personal_first = make_router(["personal", "capability"], OPTIONS).decide(step, None)
    assert capability_first is not None and capability_first.route == "cloud"
    assert personal_first is not None and personal_first.route == "local"


def test_cascade_without_a_draft_router_keeps_undecided_steps_local() -> None:
    router = CascadeRouter([PersonalRouter()])
    assert not router.needs_draft and router.probe_tokens is None
    decision = router.decide(Step(0, "Explain tides."), None)
    assert decision is not None and decision.route == "local" and decision.uncertainty is None


def test_personal_router_follows_keep_personal_local() -> None:
    step = Step(0, "Write to <PERSON_1>.", personal=True)
    assert PersonalRouter(keep_personal_local=False).decide(step, None) is None
    assert EntropyRouter(threshold=1.0).decide(step, None) is None  # reads only drafts


def test_registries_refuse_unknown_names_with_the_known_ones() -> None:
    assert set(DEFAULT_CASCADE) <= set(ROUTERS) and "rules" in PLANNERS and "concat" in FUSERS
    with pytest.raises(CollabConfigError, match="rules"):
        make_planner("llm")
    with pytest.raises(CollabConfigError, match="entropy"):
        make_router(["entropy", "oracle"], OPTIONS)
    with pytest.raises(CollabConfigError, match="concat"):
        make_fuser("mixture")


def test_settings_choose_seams_by_registry_name(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().collab.routers == list(DEFAULT_CASCADE)
    monkeypatch.setenv("TANDEM_COLLAB__ROUTERS", '["personal", "entropy"]')
    assert Settings().collab.routers == ["personal", "entropy"]
    monkeypatch.setenv("TANDEM_COLLAB__ROUTERS", '["personal", "crystal-ball"]')
    with pytest.raises(ValueError, match="unknown router 'crystal-ball'"):
        Settings()


def test_concat_fuser_orders_results_and_restores_values_last() -> None:
    vault = Vault()
    ph = vault.placeholder_for("PERSON", "Anna Keller")
    text = make_fuser("concat").fuse([StepResult(1, "Heat pumps move heat.", "cloud"),
                                      StepResult(0, f"Reminder for {ph} set.", "tool")], vault)
    assert text == "Reminder for Anna Keller set.\n\nHeat pumps move heat."


def test_answer_route_counts_tools_as_local() -> None:
    assert answer_route(["tool", "local"]) == "local"
    assert answer_route(["tool", "cloud"]) == "split"
    assert answer_route(["cloud", "cloud"]) == "cloud"
