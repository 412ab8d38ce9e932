"""`tandem eval redact`: recall, precision, untouched and speed on a seeded labelled set, vs Presidio,
the same figures on the hand-written held-out sets (`harness.eval.heldout`) under "heldout", and the
sensitive-context classifier on its hand-written held-out set and a generated one under "sensitive".
`tandem eval tools`: the command parser on the held-out command sets (`harness.eval.tools`), beside
Home Assistant's matcher."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from tandem.cli.config import cli_settings
from tandem.cli.extras import needs_extra

_ROWS = (
    ("structured", "structured PII found"), ("PERSON", "names found"), ("STREET_ADDRESS", "street addresses found"),
    ("untouched", "PII-free requests untouched"), ("point_kept", "point-carrying words kept"),
    ("precision", "precision"), ("ms_per_request", "ms per request"),
    ("unlisted_names", "names not in the gazetteer found"),
    ("ner_ms_per_200_chars", "NER ms per 200 chars, 1 thread"),
    ("defence_held_pii_free", "PII-free held by defence in depth"),
)
_MS = ("ms_per_request", "ner_ms_per_200_chars")
_HELDOUT_ROWS = (
    ("structured", "structured PII found"), ("obfuscated", "obfuscated PII caught"), ("PERSON", "names found"),
    ("STREET_ADDRESS", "street addresses found"), ("untouched", "PII-free requests untouched"),
    ("defence_held_pii_free", "PII-free held by defence in depth"),
)


@click.group("eval")
def eval_group() -> None:
    """Measure the device's components on generated, labelled data."""


@eval_group.command("redact")
@click.option("--n", "n", type=int, default=1000, show_default=True, help="Requests in the labelled set.")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the set (values and templates).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per system.")
@click.option("--no-presidio", is_flag=True, help="Skip Presidio even when it is installed.")
def eval_redact(n: int, seed: int, as_json: bool, no_presidio: bool) -> None:
    """Score tandem's redactor (and Presidio with spaCy en_core_web_sm, when installed)."""
    with needs_extra("evaluation needs Faker ({module}): pip install 'tandem-edge[eval]'"):
        from harness.eval.redaction import (
            TARGETS,
            eval_set,
            ner_ms_per_200_chars,
            presidio_redactor,
            score,
            tandem_redactor,
        )
    settings = cli_settings()
    samples = eval_set(n, seed)
    run, note = tandem_redactor(settings.models_dir)
    results = [score("tandem", samples, run).as_dict()]
    presidio = None if no_presidio else presidio_redactor()
    if presidio is not None:
        results.append(score("presidio", samples, presidio).as_dict())
    ner_ms = ner_ms_per_200_chars(settings.models_dir)
    for r in results:  # the device's NER model alone; Presidio has no such part
        r["ner_ms_per_200_chars"] = ner_ms if r["system"] == "tandem" else None
    _add_heldout(results, settings.models_dir, presidio, samples)
    from harness.eval import sensitive

    tagged, sensitive_note = sensitive.figures(settings.models_dir, sensitive.device_redact(settings.models_dir),
                                               n_generated=n, seed=seed)
    shown = None if tagged is None else {k: tagged.pop(k) for k in ("misses", "flagged")}
    for r in results:  # Presidio has no sensitive-context part either
        r["sensitive"] = tagged if r["system"] == "tandem" else None
    from harness.eval import public_figures

    device_redact = public_figures.device_redact(settings.models_dir)
    figures = {split: public_figures.score(device_redact, split).as_dict() for split in ("tuning", "heldout", "fresh")}
    for r in results:  # which names may leave in a knowledge question (device only)
        r["public_figures"] = figures if r["system"] == "tandem" else None
    if as_json:
        for r in results:
            click.echo(json.dumps(r))
        return
    click.echo(f"{n} requests, seed {seed}, 8 locales; tandem: {note}"
               + ("" if presidio is not None else "; Presidio not installed (pip install 'tandem-edge[eval]')"))
    click.echo(f"{'':32}" + "".join(f"{r['system']:>12}" for r in results) + f"{'target':>10}")
    for key, label in _ROWS:
        values = [r["recall"].get(key, r.get(key)) if key in ("PERSON", "STREET_ADDRESS") else r[key] for r in results]
        target = TARGETS.get(key)
        cells = "".join(f"{'-':>12}" if v is None else f"{v:>12.2f}" if key in _MS else f"{100 * v:>11.1f}%"
                        for v in values)
        click.echo(f"{label:32}{cells}{'' if target is None else f'{100 * target:>9.1f}%'}")
    click.echo("recall per type:")
    for kind in sorted(results[0]["recall"]):
        click.echo(f"  {kind:30}" + "".join(f"{100 * r['recall'].get(kind, 0):>11.1f}%" for r in results))
    _print_heldout(results)
    _sensitive_table(tagged, sensitive_note, shown)
    click.echo("public figures may leave, the user's people never (hand-written; tuning / held-out split):")
    for split, f in figures.items():
        click.echo(f"  {split:8} public names kept {100 * f['public_right']:5.1f}% of {f['n_public']}, "
                   f"personal names stayed home {100 * f['personal_right']:5.1f}% of {f['n_personal']}")


def _add_heldout(results: list[dict[str, Any]], models_dir: Any, presidio: Any, samples: list[Any]) -> None:
    """Score each system on the hand-written held-out sets, under its "heldout" key; for tandem also the
    share of the generated set's PII-free requests that the policy's defence in depth keeps home."""
    from harness.eval.heldout import score_heldout, tandem_heldout

    run, holds = tandem_heldout(models_dir)
    clean = [s.text for s in samples if not s.spans]
    for r in results:
        r["defence_held_pii_free"] = None
        if r["system"] == "tandem":
            r["heldout"] = score_heldout("tandem", run, holds).as_dict()
            held = sum(holds(text, run(text, None)) for text in clean)
            r["defence_held_pii_free"] = round(held / max(1, len(clean)), 4)
        elif presidio is not None:  # Presidio reads no region and has no policy
            r["heldout"] = score_heldout(r["system"], lambda text, _region: presidio(text)).as_dict()


def _print_heldout(results: list[dict[str, Any]]) -> None:
    from harness.eval.heldout import TARGETS

    first = results[0]["heldout"]
    counts = ", ".join(f"{n} {name}" for name, n in first["requests"].items())
    click.echo(f"held-out sets written by hand ({counts}):")
    click.echo(f"{'':32}" + "".join(f"{r['system']:>12}" for r in results) + f"{'target':>10}")
    for key, label in _HELDOUT_ROWS:
        values = [r["heldout"][key] for r in results]
        cells = "".join(f"{'-':>12}" if v is None else f"{100 * v:>11.1f}%" for v in values)
        target = TARGETS.get(key)
        click.echo(f"{label:32}{cells}{'' if target is None else f'{100 * target:>9.1f}%'}")
    click.echo(f"{'requests with PII missed':32}" + "".join(f"{r['heldout']['missed_requests']:>12}" for r in results))
    click.echo(f"{'  of them escalated anyway':32}" + "".join(f"{r['heldout']['leaked_requests']:>12}" for r in results))
    click.echo("obfuscated cases caught per kind:")
    for kind in first["obfuscated_kinds"]:
        click.echo(f"  {kind:30}" + "".join(f"{r['heldout']['obfuscated_kinds'][kind]:>12}" for r in results))


def _sensitive_table(tagged: dict | None, note: str, shown: dict | None) -> None:
    """The sensitive-context rows: held-out (hand-written) beside generated, per category, the misses."""
    from harness.eval.sensitive import LATER, TARGETS

    click.echo(f"sensitive context: {note}")
    if tagged is None:
        return
    gen = tagged["generated"]
    sets = [("held-out", tagged), *[(f"held-out {n}", tagged[key]) for n, key in enumerate(LATER, start=2) if key in tagged],
            ("generated", gen)]
    click.echo(f"{'':32}" + "".join(f"{name:>12}" for name, _ in sets) + f"{'target':>10}")
    for key, label in (("recall", "disclosures found"), ("false_flags", "other requests flagged")):
        click.echo(f"{label:32}" + "".join(f"{100 * f[key]:>11.1f}%" for _, f in sets) + f"{100 * TARGETS[key]:>9.1f}%")
    click.echo(f"{'ms per request':32}" + "".join(f"{f['ms_per_request']:>12.2f}" for _, f in sets))
    for name, f in sets[:-1]:
        click.echo(f"  {name}: {f['disclosures']} disclosures, {f['negatives']} other requests; per language "
                   + ", ".join(f"{lang} {100 * v['recall']:.1f}% / {100 * (v['false_flags'] or 0):.1f}%"
                               for lang, v in f["per_language"].items() if v["recall"] is not None)
                   + "; flagged per kind " + ", ".join(f"{k} {100 * v:.1f}%" for k, v in f["false_flags_per_kind"].items()))
    public = tagged.get("public")
    if public:
        click.echo(f"  public text ({public['set']}, first {public['n']} word problems about invented people): "
                   f"{100 * (public['flagged'] or 0):.1f}% flagged")
    click.echo("recall per category (held-out, generated):")
    for category, v in tagged["per_category"].items():
        g = gen["per_category"][category]
        click.echo(f"  {category:30}{100 * (v['recall'] or 0):>11.1f}%{100 * (g['recall'] or 0):>11.1f}%   (n={v['n']})")
    if shown:
        for row in shown["misses"]:
            click.echo(f"  missed {row['sensitive']}: {row['text']}")
        for row in shown["flagged"]:
            click.echo(f"  flagged {row['tagged']}: {row['text']}")


@eval_group.command("route")
@click.option("--items", "items_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help='A JSONL file of {"text", "kind", "gold", ...} items instead of the built-in mix (the learned '
                   'routers are then trained on the built-in mix and score these items unseen).')
@click.option("--per-source", type=int, default=50, show_default=True,
              help="Items sampled from each public set (ARC-Easy, MMLU, GSM8K, NQ-open) and from the commands.")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the sample and the random router.")
@click.option("--cloud", "cloud_choice", type=click.Choice(["auto", "worker"]), default="auto", show_default=True,
              help="auto: the largest cloud model installed (as `tandem demo`); worker: the configured worker backend.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Where to write the PNG (default: route.png in the answer cache).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def eval_route(items_file: str | None, per_source: int, seed: int, cloud_choice: str, plot_path: str | None,
               as_json: bool) -> None:
    """Routers measured the RouteLLM way: APGR, CPT(50%), CPT(80%) against a random router."""
    import sys
    from pathlib import Path

    from harness.eval.route.items import default_mix, load_items
    from harness.eval.route.labels import RouteLabels
    from harness.eval.route.plot import plot
    from harness.eval.route.report import evaluate

    settings = cli_settings()
    items = load_items(Path(items_file)) if items_file else default_mix(per_source, seed)
    labels = RouteLabels(settings, cloud_choice, progress=lambda line: click.echo(line, err=True))
    answered = labels.samples

    found = answered(items)
    train = None
    if items_file:  # items the routers never saw: the learned ones are trained on the built-in mix
        keys = {i.key for i in items}
        train = [s for s in answered(default_mix(per_source, seed)) if s.item.key not in keys]
    report, curves = evaluate(found, seed, train)
    report["learned_routers"] = (f"trained on the built-in mix ({len(train)} items)" if train is not None
                                 else "5-fold cross-validated on these items")
    report["device_model"], report["cloud_model"] = labels.device_name, labels.cloud_name
    report["left_out"] = len(items) - len(found)
    png = Path(plot_path) if plot_path else labels.cache.root / "route.png"
    report["plot"] = str(plot(curves, png, f"{len(found)} items: device {labels.device_name} / "
                                           f"cloud {labels.cloud_name}"))
    if as_json:
        click.echo(json.dumps(report))
        return
    click.echo(f"{report['n']} items ({report['left_out']} left out: no cloud answer of their kind); "
               f"device {100 * report['device_accuracy']:.1f}%, cloud {100 * report['cloud_accuracy']:.1f}%",
               file=sys.stdout)
    click.echo(f"{'router':14}{'APGR':>8}{'CPT(50%)':>10}{'CPT(80%)':>10}")
    for name, r in report["routers"].items():
        click.echo(f"{name:14}{r['apgr']:>8.3f}{100 * r['cpt50']:>9.1f}%{100 * r['cpt80']:>9.1f}%")
    for source, r in report["sources"].items():
        click.echo(f"  {source:10} n={r['n']:<4} device {100 * r['device']:5.1f}%  cloud {100 * r['cloud']:5.1f}%")
    click.echo(f"plot: {report['plot']}")


@eval_group.command("plan")
@click.option("--items", "items_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="A JSONL set in the shape of harness/eval/data/plan_requests.jsonl (default: that set).")
@click.option("--planner", "planner_name", default=None, help="The planner (default: the config's [collab] planner).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: {\"splits\": {SPLIT: figures}}.")
def eval_plan(items_file: Path | None, planner_name: str | None, as_json: bool) -> None:
    """Score the planner on the labelled single and compound requests: kept whole, split exactly right."""
    from device.collab.planners import make_planner
    from device.tools import load_registry
    from device.tools.parsers.rewrite import as_device_call
    from harness.eval import plan as plan_eval
    from harness.eval.route.labels import fixture_parser

    settings = cli_settings()
    registry = load_registry(entry_points=False)
    parser = fixture_parser(settings)

    def recognise(text: str) -> Any:
        call = parser.parse(text)
        call = as_device_call(call) if call is not None else None
        return call if call is not None and call.name in registry else None

    planner = make_planner(planner_name or settings.collab.planner, recognise)
    cases = plan_eval.load_cases(items_file) if items_file else plan_eval.load_cases()
    splits = {name: plan_eval.score(planner, [c for c in cases if c.split == name])
              for name in sorted({c.split for c in cases})}
    if as_json:
        click.echo(json.dumps({"planner": planner.name, "splits": splits}))
        return
    for name, fig in splits.items():
        click.echo(f"{name}: {fig['n']} requests ({fig['n_single']} single, {fig['n_compound']} compound)")
        for key, label in (("exact", "split exactly right"), ("singles_kept_whole", "single requests kept whole"),
                           ("compounds_exact", "compound requests split right"),
                           ("depends_exact", "compounds with the right dependencies")):
            value = fig[key]
            click.echo(f"  {label:40}{'-' if value is None else f'{100 * value:.1f}%':>8}")
        for row in fig["wrong"]:
            click.echo(f"  wrong: {row['text']}\n    -> {row['steps']} depends {row['depends']}")


_TOOLS_ROWS = (("exact", "intent + every slot right"), ("intent_accuracy", "intent right"),
               ("not_recognised", "commands not recognised"), ("false_triggers", "non-commands that fired"))


@eval_group.command("tools")
@click.option("--inventory", "inventory", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The home the sets speak of (default: the sets' own, harness/eval/data/tools_home.yaml).")
@click.option("--sets", "sets", default="ha_style,paraphrase,non_commands,paraphrase2,non_commands2", show_default=True,
              help="Comma-separated held-out sets.")
@click.option("--parser", "parser", default=None,
              help="The device's command parser (default: the config's [tools] parser).")
@click.option("--no-reference", is_flag=True, help="Skip Home Assistant's matcher.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: {\"sets\": {SET: figures}}.")
def eval_tools(inventory: Path | None, sets: str, parser: str | None, no_reference: bool, as_json: bool) -> None:
    """Score the device's command parser on the held-out command sets, with Home Assistant's own
    matcher (hassil + home-assistant-intents) measured in the same run as the reference."""
    from device.tools import load_registry
    from device.tools.parsers import PARSERS
    from harness.eval import tools
    from tandem.assembly.parser_setup import command_parser

    names = [s.strip() for s in sets.split(",") if s.strip()]
    unknown = [s for s in names if s not in tools.SETS]
    if unknown or not names:
        raise click.BadParameter(f"unknown set(s) {', '.join(unknown) or '(none)'}: pick from {', '.join(tools.SETS)}",
                                 param_hint="--sets")
    settings = cli_settings()
    name = parser or settings.tools.parser
    if name not in PARSERS:  # before any set is read or any model loaded
        raise click.BadParameter(f"unknown command parser {name!r}: pick from {', '.join(sorted(PARSERS))}",
                                 param_hint="--parser")
    reference = None
    if not no_reference:
        with needs_extra("Home Assistant's matcher is missing ({module}): pip install 'tandem-edge[eval]'"):
            import hassil  # noqa: F401
            import home_assistant_intents  # noqa: F401
        from harness.eval.tools_reference import HassilReference

        reference = HassilReference
    home = inventory or tools.HOME
    known = frozenset(t.name for t in load_registry(toml_file=settings.tools.file))
    result = tools.evaluate(names, lambda vocabulary: command_parser(settings, vocabulary, name, known), reference, home,
                            progress=lambda line: click.echo(line, err=True))
    report = {"parser": name, "reference": None if reference is None else "hassil", "inventory": str(home),
              "sets": result}
    if as_json:
        click.echo(json.dumps(report))
        return
    _tools_table(report)


def _tools_table(report: dict[str, Any]) -> None:
    from harness.eval.tools import TARGETS

    name = report["parser"]
    click.echo(f"held-out command sets over {report['inventory']}; device parser {name!r} beside Home Assistant's "
               "matcher (hassil)")
    for set_name, figures in report["sets"].items():
        ref = figures["reference"]
        target = TARGETS.get(set_name)
        click.echo(f"{set_name} ({figures['n']} sentences)" + (f", target {100 * target:.0f}% exact" if target else ""))
        click.echo(f"  {'':32}{name:>12}{'hassil':>12}")
        for key, label in _TOOLS_ROWS:
            cells = "".join(f"{'-':>12}" if f is None or f[key] is None else f"{100 * f[key]:>11.1f}%"
                            for f in (figures, ref))
            click.echo(f"  {label:32}{cells}")
        for key in ("ms_p50", "ms_p90"):
            cells = "".join(f"{'-':>12}" if f is None or f[key] is None else f"{f[key]:>12.2f}" for f in (figures, ref))
            click.echo(f"  {key.replace('_', ' '):32}{cells}")
        click.echo("  exact per intent:")
        for intent, f in figures["per_intent"].items():
            r = None if ref is None else ref["per_intent"].get(intent)
            click.echo(f"    {intent:30}{100 * (f['exact'] or 0):>11.1f}%"
                       + (f"{'-':>12}" if r is None else f"{100 * (r['exact'] or 0):>11.1f}%") + f"   (n={f['n']})")
        if figures["misses"]:
            click.echo(f"  some misses of {name!r}:")
        for miss in figures["misses"][:6]:
            got = miss["got"] and f"{miss['got']['intent']} {json.dumps(miss['got']['slots'])}"
            click.echo(f"    [{miss['kind']}] {miss['text']!r} -> {got}")


_BFCL_DEFAULT = "simple_python,live_simple,multiple,irrelevance,live_irrelevance"


@eval_group.command("bfcl")
@click.option("--categories", default=_BFCL_DEFAULT, show_default=True,
              help="BFCL v4 categories, comma-separated (also live_multiple).")
@click.option("--device-only", is_flag=True, help="Never escalate to the cloud planner (escalated = 0).")
@click.option("--limit", type=int, default=None, help="Only the first N items of each category.")
@click.option("--every", type=click.IntRange(min=1), default=1, show_default=True,
              help="Only every N-th item (a sample spread over each category's file).")
@click.option("--model", default=None, help="Device model (default: [tools] slm_model).")
@click.option("--min-call-probability", type=float, default=None,
              help="Call a tool only above this model probability (default: [tools] slm_min_call_probability).")
@click.option("--escalate-below", type=float, default=0.5, show_default=True,
              help="With the cloud planner: escalate decisions less sure than this.")
@click.option("--json", "as_json", is_flag=True, help='{"categories": {NAME: {"n", "accuracy", "escalated", ...}}}')
def eval_bfcl(categories: str, device_only: bool, limit: int | None, every: int, model: str | None,
              min_call_probability: float | None, escalate_below: float, as_json: bool) -> None:
    """Function calling on the Berkeley Function Calling Leaderboard (bfcl-eval's data, AST-scored)."""
    from harness.eval.bfcl import DeviceCaller, evaluate
    from harness.eval.bfcl_data import CATEGORIES
    from inference.engine import load_engine
    from tandem.assembly.engine_options import engine_options
    from tandem.assembly.runtime import model_dir

    names = [c.strip() for c in categories.split(",") if c.strip()]
    unknown = [c for c in names if c not in CATEGORIES]
    if unknown:
        raise click.BadParameter(f"unknown {', '.join(unknown)}; known: {', '.join(CATEGORIES)}",
                                 param_hint="--categories")
    settings = cli_settings()
    name = model or settings.tools.slm_model
    p_min = settings.tools.slm_min_call_probability if min_call_probability is None else min_call_probability
    opts = engine_options(settings)
    with needs_extra("constrained decoding needs {module}: pip install 'tandem-edge[device]'"):
        import llguidance  # noqa: F401
    engine = load_engine(model_dir(name, settings, build=False), threads=opts.threads,
                         allow_spinning=opts.allow_spinning)
    planner, cloud_model = (None, None) if device_only else _bfcl_cloud_planner(settings)

    def progress(category: str, done: int, total: int, item: Any) -> None:
        if done == total or done % 10 == 0:
            click.echo(f"bfcl {category}: {done}/{total}", err=True)

    results = evaluate(DeviceCaller(engine, min_call_probability=p_min), names, limit=limit, every=every,
                       planner=None if device_only else planner, escalate_below=escalate_below, on_item=progress)
    table = {k: v.as_dict() for k, v in results.items()}
    out = {"categories": table, "model": name, "cloud_model": cloud_model, "min_call_probability": p_min,
           "escalate_below": None if device_only or planner is None else escalate_below,
           "device_only": device_only or planner is None, "limit": limit, "every": every}
    if as_json:
        click.echo(json.dumps(out))
        return
    sample = (f", every {every}th item" if every > 1 else "") + (f", first {limit} per category" if limit else "")
    click.echo(f"model {name}, call when p(call) >= {p_min}" + sample
               + ("" if out["device_only"] else f"; below {escalate_below} sure: {cloud_model} plans"))
    click.echo(f"{'category':20}{'n':>6}{'accuracy':>10}{'escalated':>11}{'ms p50':>9}  errors")
    for k, v in table.items():
        errors = ", ".join(f"{e} {c}" for e, c in list(v["errors"].items())[:3])
        click.echo(f"{k:20}{v['n']:>6}{100 * v['accuracy']:>9.1f}%{100 * v['escalated']:>10.1f}%"
                   f"{v['ms_p50']:>9.0f}  {errors}")


def _bfcl_cloud_planner(settings: Any) -> tuple[Any, str]:
    """The worker's model as BFCL's planner, in-process (`tandem.assembly.remote_planner`): the same
    planning a worker does for a sub-task that offers tools, without a broker round trip per item."""
    from inference.constrained import PlannedCall
    from tandem.assembly.remote_planner import remote_planner

    plan_remote, cloud_model = remote_planner(settings)

    def planner(text: str, tools: Any) -> PlannedCall | None:
        from cloud.errors import BackendError

        try:
            call = plan_remote(text, [{"name": t.name, "description": t.description, "parameters": dict(t.parameters)}
                                      for t in tools])
        except BackendError:
            return None  # the worker could not plan: a miss, as a device would see it
        return None if call is None else PlannedCall(call.name, dict(call.arguments), 1.0, 1.0)

    return planner, cloud_model


@eval_group.command("compound")
@click.option("--n", "count", type=int, default=20, show_default=True, help="Pairs of a device part and a question.")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the pairing.")
@click.option("--routers", default=None,
              help='The routing cascade for this run, comma-separated (default: the config\'s [collab] routers).')
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def eval_compound(count: int, seed: int, routers: str | None, as_json: bool) -> None:
    """Compound requests (a private device job + a knowledge question): tandem against sending the whole
    request to the cloud, and every private value looked for in what the cloud got and on the broker."""
    import asyncio

    from harness.eval import compound
    from harness.eval.compound_run import run_compound

    settings = cli_settings()
    if routers:
        settings = settings.model_copy(update={"collab": settings.collab.model_copy(
            update={"routers": [r.strip() for r in routers.split(",") if r.strip()]})})
    chosen = compound.pairs(count, seed)
    tandem_rows, whole_rows = asyncio.run(run_compound(settings, chosen, progress=lambda line: click.echo(line, err=True)))
    report = compound.summary(tandem_rows, whole_rows)
    report["routers"] = list(settings.collab.routers)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    t, w = report["tandem"], report["whole_to_cloud"]
    click.echo(f"{report['n']} compound requests (routers: {', '.join(report['routers'])})")
    click.echo(f"{'':18}{'both right':>12}{'device part':>13}{'question':>10}")
    for label, r in (("tandem", t), ("whole to cloud", w)):
        click.echo(f"{label:18}{100 * r['both_right']:>11.1f}%{100 * r['device_part']:>12.1f}%{100 * r['question']:>9.1f}%")
    click.echo(f"private values sent to the pool: {t['leaks_to_pool']}; seen on the broker: {t['leaks_on_wire']}")
    click.echo(f"answers that echo the request: tandem {100 * t['answers_with_echoes']:.1f}%, "
               f"whole to cloud {100 * w['answers_with_echoes']:.1f}%")
    for row in report["items"]:
        if not (row["device_right"] and row["question_right"]) or row["leaked"]:
            click.echo(f"  {row['routes']} device {'ok' if row['device_right'] else 'WRONG'}, question "
                       f"{'ok' if row['question_right'] else 'WRONG'}{' LEAKED ' + str(row['leaked']) if row['leaked'] else ''}: "
                       f"{row['text']}")
