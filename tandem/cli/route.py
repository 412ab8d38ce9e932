"""`tandem route`: train the pre-generation router, and set a router's threshold for a target.

Both read the labels `tandem eval route` computes and caches (each item answered by the device and
by the cloud: `harness.eval.route.labels`); what is missing is answered first (progress on stderr).
Only the items a router decides in the product count: knowledge and writing requests, not device
commands (those go to the tools whatever a router says).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import Any

import click

from tandem.cli.config import cli_settings

_KEYS = {"entropy": "threshold", "logprob": "logprob_threshold", "pregen": "pregen_threshold",
         "deferral": "deferral_threshold"}


@click.group("route")
def route() -> None:
    """Train the pregen router; calibrate a router's threshold for a cloud share or a quality."""


def _mix_options(f: Any) -> Any:
    f = click.option("--per-source", type=int, default=50, show_default=True,
                     help="Labelled items sampled from each public set (as `tandem eval route`).")(f)
    f = click.option("--seed", type=int, default=7, show_default=True, help="Seed of the sample.")(f)
    f = click.option("--cloud", "cloud_choice", type=click.Choice(["auto", "worker"]), default="auto",
                     show_default=True, help="The cloud model the labels come from (as `tandem eval route`).")(f)
    return f


def _labelled(per_source: int, seed: int, cloud_choice: str, commands: bool) -> tuple[Any, list[Any]]:
    """The built-in mix's labelled items (as `tandem eval route` samples them); `commands`: with the device
    commands (the device's strength a router should learn), else the requests a router decides only."""
    from harness.eval.route.items import default_mix
    from harness.eval.route.labels import RouteLabels

    settings = cli_settings()
    labels = RouteLabels(settings, cloud_choice, progress=lambda line: click.echo(line, err=True))
    items = default_mix(per_source, seed) if commands else default_mix(per_source, seed, commands=0)
    return settings, labels.samples(items)


@route.command("train")
@_mix_options
def train(per_source: int, seed: int, cloud_choice: str) -> None:
    """Train the learned routers on the labels (the cloud right where the device is not; the device
    commands included, the device's strength): `pregen` (the request's words, before any draft) and
    `deferral` (the draft's log-prob quantiles and the request's form). Saved in the model cache; add
    their names to [collab] routers to use them."""
    from device.collab.routers.logistic import fit, save_model
    from harness.eval.route.report import evaluate
    from harness.eval.route.routers import deferral_features, request_features

    settings, found = _labelled(per_source, seed, cloud_choice, commands=True)
    if not found:
        raise click.ClickException("no labelled items: run `tandem eval route` with a cloud model installed")
    labels = [s.cloud_right and not s.device_right for s in found]
    report, _ = evaluate(found, seed)
    # each model on exactly the features its router computes in the product (the deferral router never sees
    # a command's parser verdict: the tool router takes commands first)
    for name, features in (("pregen", request_features), ("deferral", deferral_features)):
        rows = [features(s) for s in found]
        model = replace(fit(rows, labels), trained_on={
            "items": len(found), "positives": sum(labels), "per_source": per_source, "seed": seed,
            "cross_validated_apgr": report["routers"][name]["apgr"]})
        path = save_model(model, settings.models_dir, name)
        click.echo(f"{name} router trained on {len(found)} items ({sum(labels)} the cloud gets right and the device "
                   f"does not); 5-fold APGR {report['routers'][name]['apgr']:.3f} "
                   f"(random {report['routers']['random']['apgr']:.3f}); saved to {path}")


@route.command("calibrate")
@click.option("--router", "router_name", type=click.Choice(sorted(_KEYS)), default="entropy", show_default=True,
              help="The router whose threshold to set.")
@click.option("--cloud-share", type=float, default=None, help="Send this share of requests to the cloud (0..1).")
@click.option("--quality", type=float, default=None,
              help="Reach this accuracy on the labelled items with the fewest cloud calls (0..1).")
@click.option("--write/--no-write", default=True, show_default=True,
              help="Write the threshold into the config file's [escalation] section.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@_mix_options
def calibrate(router_name: str, cloud_share: float | None, quality: float | None, write: bool, as_json: bool,
              per_source: int, seed: int, cloud_choice: str) -> None:
    """The threshold of a router for a target (`--cloud-share X` or `--quality Y`), written to the config."""
    from harness.eval.route.calibrate import CalibrationError, for_quality, for_share
    from tandem.config_writer import ConfigWriteError, set_number
    from tandem.settings import config_file

    if (cloud_share is None) == (quality is None):
        raise click.UsageError("give exactly one of --cloud-share X or --quality Y")
    settings, found = _labelled(per_source, seed, cloud_choice, commands=False)
    scores = _scores(router_name, found, settings)
    device = [s.device_right for s in found]
    cloud = [s.cloud_right for s in found]
    try:
        point = (for_share(cloud_share, scores, device, cloud) if cloud_share is not None
                 else for_quality(float(quality), scores, device, cloud))  # type: ignore[arg-type]
    except CalibrationError as exc:
        raise click.ClickException(str(exc)) from exc
    key = _KEYS[router_name]
    path = config_file()
    if write:
        try:
            set_number(path, "escalation", key, point.threshold)
        except ConfigWriteError as exc:
            raise click.ClickException(str(exc)) from exc
    result = {"router": router_name, "key": f"escalation.{key}", "threshold": round(point.threshold, 6),
              "cloud_share": round(point.cloud_share, 4), "accuracy": round(point.accuracy, 4), "n": point.n,
              "device_accuracy": round(sum(device) / len(device), 4), "cloud_accuracy": round(sum(cloud) / len(cloud), 4),
              "written": str(path) if write else None,
              "in_cascade": router_name in settings.collab.routers}
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"{router_name}: threshold {point.threshold:.4g} sends {100 * point.cloud_share:.1f}% of {point.n} "
               f"labelled requests to the cloud, accuracy {100 * point.accuracy:.1f}% (device alone "
               f"{100 * result['device_accuracy']:.1f}%, cloud alone {100 * result['cloud_accuracy']:.1f}%)")
    click.echo(f"written: [escalation] {key} in {path}" if write else "not written (--no-write)")
    if router_name not in settings.collab.routers:
        click.echo(f"note: {router_name!r} is not in [collab] routers ({', '.join(settings.collab.routers)}); "
                   "add it for this threshold to take effect", file=sys.stderr)


def _scores(router_name: str, found: list[Any], settings: Any) -> list[float]:
    """Each labelled item's score as the router computes it in the product (higher: to the cloud)."""
    probe = settings.escalation.probe_tokens
    if router_name == "entropy":
        from device.collab.routers.entropy import EntropyRouter

        entropy = EntropyRouter(threshold=0.0, probe_tokens=probe)
        return [entropy.score(s.device.entropies[:probe]) for s in found]
    if router_name == "logprob":
        from device.collab.routers.logprob import LogprobRouter

        logprob = LogprobRouter(threshold=0.0, probe_tokens=probe)
        return [logprob.score(s.device.logprobs[:probe]) for s in found]
    from device.collab.routers.logistic import load_model

    model = load_model(settings.models_dir, router_name)
    if router_name == "pregen":
        from device.collab.routers.pregen import PregenRouter

        pregen = PregenRouter(model)
        return [pregen.score(s.item.prompt()) for s in found]
    from device.collab.routers.deferral import DeferralRouter
    from device.collab.steps import Draft

    deferral = DeferralRouter(model, probe_tokens=probe)
    return [deferral.score(s.item.prompt(), Draft(str(s.device.answer), s.device.entropies, s.device.logprobs))
            for s in found]
