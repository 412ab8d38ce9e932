"""The `logprob` and `pregen` routers, the threshold calibration and the config writer behind
`tandem route calibrate`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from device.collab.routers import RouterOptions, make_router
from device.collab.routers.deferral import DeferralRouter, draft_features, request_form
from device.collab.routers.logistic import fit, load_model, save_model
from device.collab.routers.logprob import LogprobRouter, quantile
from device.collab.routers.pregen import PregenRouter, request_features
from device.collab.steps import Draft, Step
from device.errors import CollabConfigError
from harness.eval.route.calibrate import CalibrationError, for_quality, for_share
from tandem.config_writer import ConfigWriteError, set_number
from tests.conftest import real_models_dir


def test_one_unlikely_token_escalates_where_the_mean_would_not() -> None:
    router = LogprobRouter(threshold=3.0, probe_tokens=None)
    confident = Draft("Paris.", (0.1,) * 10, (-0.05,) * 10)
    guessed = Draft("It was 1847.", (0.1,) * 10, (-0.05,) * 9 + (-6.0,))  # mean -0.65, 10th percentile -0.6
    assert router.decide(Step(0, "q"), confident).route == "local"  # type: ignore[union-attr]
    assert LogprobRouter(threshold=0.5, probe_tokens=None).decide(Step(0, "q"), guessed).route == "cloud"  # type: ignore[union-attr]
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5 and quantile([], 0.1) == 0.0
    # part-way: it waits for the probe before it judges (early exit once it has it)
    early = LogprobRouter(threshold=0.5, probe_tokens=4)
    assert early.decide(Step(0, "q"), Draft("It", (0.1,), (-6.0,), finished=False)) is None
    assert early.decide(Step(0, "q"), Draft("It was", (0.1,) * 4, (-6.0,) * 4, finished=False)).route == "cloud"  # type: ignore[union-attr]


def test_pregen_learns_which_requests_the_device_gets_wrong(tmp_path: Path) -> None:
    hard = [f"Solve step by step: {a} trains leave at {b} km/h, when do they meet?" for a, b in zip(range(20), range(30, 50))]
    easy = [f"Turn the lamp {w} please" for w in ("on", "off", "up", "down")] * 5
    model = fit([request_features(t) for t in hard + easy], [True] * len(hard) + [False] * len(easy))
    assert model.score(request_features("Solve step by step: 3 trains leave at 80 km/h, when do they meet?")) > 0.5
    assert model.score(request_features("Turn the lamp on please")) < 0.5
    save_model(model, tmp_path, "pregen")
    router = make_router(["pregen"], RouterOptions(models_dir=tmp_path))
    decision = router.decide(Step(0, "Solve step by step: 9 trains leave at 70 km/h, when do they meet?"), None)
    assert decision is not None and decision.route == "cloud"
    # below the threshold it leaves the step to the draft readers (and, alone, to the device)
    assert PregenRouter(load_model(tmp_path, "pregen")).decide(Step(0, "Turn the lamp off please"), None) is None
    assert router.decide(Step(0, "Turn the lamp off please"), None).route == "local"  # type: ignore[union-attr]


def test_deferral_reads_the_draft_and_the_request_s_form(tmp_path: Path) -> None:
    assert request_form("Which gas? Options: A) x B) y. Reply with the letter.")[0] == 1.0
    assert request_form("Tom has 3 apples and buys 4. How many does he have?")[1:3] == [1.0, 1.0]
    sure = ("What is the capital of France?", (-0.01,) * 6)
    unsure = ("What is the capital of France?", (-0.01,) * 4 + (-5.0, -4.0))
    rows = [draft_features(t, lp, (0.1,) * len(lp), 48) for t, lp in [sure] * 10 + [unsure] * 10]
    save_model(fit(rows, [False] * 10 + [True] * 10), tmp_path, "deferral")
    router = make_router(["deferral"], RouterOptions(models_dir=tmp_path))
    assert router.needs_draft and router.decide(Step(0, sure[0]), None) is None  # it waits for a draft
    confident = router.decide(Step(0, sure[0]), Draft("Paris.", (0.1,) * 6, sure[1]))
    guessing = router.decide(Step(0, unsure[0]), Draft("Lyon.", (0.1,) * 6, unsure[1]))
    assert confident is not None and confident.route == "local"
    assert guessing is not None and guessing.route == "cloud"
    assert DeferralRouter(load_model(tmp_path, "deferral"), probe_tokens=8).decide(
        Step(0, sure[0]), Draft("Pa", (0.1,) * 2, (-0.01,) * 2, finished=False)) is None  # before its probe


def test_learned_routers_without_their_model_say_how_to_build_it(tmp_path: Path) -> None:
    for name in ("pregen", "deferral"):
        with pytest.raises(CollabConfigError, match="tandem route train"):
            make_router([name], RouterOptions(models_dir=tmp_path))
    (tmp_path / "route-pregen").mkdir()
    (tmp_path / "route-pregen" / "model.json").write_text(json.dumps({"weights": [1.0]}))
    with pytest.raises(CollabConfigError, match="unreadable"):
        make_router(["pregen"], RouterOptions(models_dir=tmp_path))


def test_calibration_for_a_share_and_for_a_quality() -> None:
    scores = [0.9, 0.8, 0.7, 0.2, 0.1]
    device = [False, False, True, True, True]
    cloud = [True, True, True, False, True]
    half = for_share(0.4, scores, device, cloud)
    assert (half.threshold, half.cloud_share, half.accuracy) == (0.8, 0.4, 1.0)
    assert for_share(0.0, scores, device, cloud).cloud_share == 0.0
    best = for_quality(1.0, scores, device, cloud)
    assert best.cloud_share == 0.4 and best.accuracy == 1.0
    with pytest.raises(CalibrationError, match="the best is 100.0%"):
        for_quality(1.01, scores, device, cloud)


def test_the_config_writer_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# mine\ndevice_id = \"kitchen\"\n\n[escalation]\n# the knob\nthreshold = 1.6\n\n[collab]\n"
                    "routers = [\"tool\", \"entropy\"]\n")
    set_number(path, "escalation", "threshold", 2.25)
    set_number(path, "escalation", "logprob_threshold", 3.5)
    set_number(path, "worker", "echo_delay_s", 0.5)
    text = path.read_text()
    assert "# mine" in text and "# the knob" in text
    data = tomllib.loads(text)
    assert data["escalation"] == {"threshold": 2.25, "logprob_threshold": 3.5}
    assert data["collab"]["routers"] == ["tool", "entropy"] and data["worker"]["echo_delay_s"] == 0.5
    broken = tmp_path / "broken.toml"
    broken.write_text("[escalation\nthreshold = 1\n")
    with pytest.raises(ConfigWriteError, match="not valid TOML"):
        set_number(broken, "escalation", "threshold", 2.0)
    assert broken.read_text() == "[escalation\nthreshold = 1\n"  # left as it was


@pytest.mark.real_model
def test_route_calibrate_writes_the_threshold_for_a_cloud_share(tmp_path: Path) -> None:
    """The CLI end to end on a few real labels: the device model drafts, the echo backend is the cloud."""
    config = tmp_path / "config.toml"
    env = dict(os.environ, TANDEM_CONFIG=str(config), XDG_CACHE_HOME=str(tmp_path / "cache"),
               TANDEM_WORKER_BACKEND="echo", TANDEM_MODELS_DIR=str(real_models_dir()))
    out = subprocess.run([sys.executable, "-m", "tandem.cli", "route", "calibrate", "--router", "logprob",
                          "--cloud-share", "0.5", "--per-source", "1", "--cloud", "worker", "--json"],
                         capture_output=True, text=True, timeout=600, env=env, check=False)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["n"] == 4 and result["cloud_share"] == 0.5 and result["key"] == "escalation.logprob_threshold"
    assert tomllib.loads(config.read_text())["escalation"]["logprob_threshold"] == pytest.approx(result["threshold"],
                                                                                                  rel=1e-5)


@pytest.mark.real_model
def test_route_train_saves_both_learned_routers_and_calibrate_reads_them(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    for entry in real_models_dir().iterdir():  # the real models, and a fresh place for the routers' models
        (models / entry.name).symlink_to(entry)
    env = dict(os.environ, TANDEM_CONFIG=str(tmp_path / "config.toml"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               TANDEM_WORKER_BACKEND="echo", TANDEM_MODELS_DIR=str(models))
    run = [sys.executable, "-m", "tandem.cli", "route"]
    out = subprocess.run([*run, "train", "--per-source", "2", "--cloud", "worker"], capture_output=True, text=True,
                         timeout=600, env=env, check=False)
    assert out.returncode == 0, out.stderr
    assert "pregen router trained on 10 items" in out.stdout and "deferral router trained" in out.stdout
    for name in ("pregen", "deferral"):
        assert load_model(models, name).trained_on["items"] == 10  # type: ignore[index]
    out = subprocess.run([*run, "calibrate", "--router", "deferral", "--quality", "0", "--per-source", "2",
                          "--cloud", "worker", "--json", "--no-write"], capture_output=True, text=True, timeout=600,
                         env=env, check=False)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["n"] == 8 and result["cloud_share"] == 0.0 and result["written"] is None
