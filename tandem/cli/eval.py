"""`tandem eval redact`: recall, precision, untouched and speed on a seeded labelled set, vs Presidio,
the same figures on the hand-written held-out sets (`harness.eval.heldout`) under "heldout", and the
sensitive-context classifier on its hand-written held-out set and a generated one under "sensitive"."""

from __future__ import annotations

import json
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
    with needs_extra("evaluation needs Faker ({module}): pip install 'tandem[eval]'"):
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
    if as_json:
        for r in results:
            click.echo(json.dumps(r))
        return
    click.echo(f"{n} requests, seed {seed}, 8 locales; tandem: {note}"
               + ("" if presidio is not None else "; Presidio not installed (pip install 'tandem[eval]')"))
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
    from harness.eval.sensitive import TARGETS

    click.echo(f"sensitive context: {note}")
    if tagged is None:
        return
    gen = tagged["generated"]
    click.echo(f"{'':32}{'held-out':>12}{'generated':>12}{'target':>10}")
    click.echo(f"{'disclosures found':32}{100 * tagged['recall']:>11.1f}%{100 * gen['recall']:>11.1f}%"
               f"{100 * TARGETS['recall']:>9.1f}%")
    click.echo(f"{'other requests flagged':32}{100 * tagged['false_flags']:>11.1f}%{100 * gen['false_flags']:>11.1f}%"
               f"{100 * TARGETS['false_flags']:>9.1f}%")
    click.echo(f"{'ms per request':32}{tagged['ms_per_request']:>12.2f}{gen['ms_per_request']:>12.2f}")
    click.echo(f"  held-out: {tagged['disclosures']} disclosures, {tagged['negatives']} other requests; per language "
               + ", ".join(f"{lang} {100 * v['recall']:.1f}% / {100 * (v['false_flags'] or 0):.1f}%"
                           for lang, v in tagged["per_language"].items() if v["recall"] is not None)
               + "; flagged per kind " + ", ".join(f"{k} {100 * v:.1f}%" for k, v in tagged["false_flags_per_kind"].items()))
    click.echo("recall per category (held-out, generated):")
    for category, v in tagged["per_category"].items():
        g = gen["per_category"][category]
        click.echo(f"  {category:30}{100 * (v['recall'] or 0):>11.1f}%{100 * (g['recall'] or 0):>11.1f}%   (n={v['n']})")
    if shown:
        for row in shown["misses"]:
            click.echo(f"  missed {row['sensitive']}: {row['text']}")
        for row in shown["flagged"]:
            click.echo(f"  flagged {row['tagged']}: {row['text']}")


_BFCL_DEFAULT = "simple_python,live_simple,multiple,irrelevance,live_irrelevance"


@eval_group.command("bfcl")
@click.option("--categories", default=_BFCL_DEFAULT, show_default=True,
              help="BFCL v4 categories, comma-separated (also live_multiple).")
@click.option("--device-only", is_flag=True, help="Never escalate to the cloud planner (escalated = 0).")
@click.option("--limit", type=int, default=None, help="Only the first N items of each category.")
@click.option("--model", default=None, help="Device model (default: [tools] slm_model).")
@click.option("--min-call-probability", type=float, default=None,
              help="Call a tool only above this model probability (default: [tools] slm_min_call_probability).")
@click.option("--escalate-below", type=float, default=0.5, show_default=True,
              help="With the cloud planner: escalate decisions less sure than this.")
@click.option("--json", "as_json", is_flag=True, help='{"categories": {NAME: {"n", "accuracy", "escalated", ...}}}')
def eval_bfcl(categories: str, device_only: bool, limit: int | None, model: str | None,
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
    with needs_extra("constrained decoding needs {module}: pip install 'tandem[device]'"):
        import llguidance  # noqa: F401
    engine = load_engine(model_dir(name, settings, build=False), threads=opts.threads,
                         allow_spinning=opts.allow_spinning)
    planner = None  # the cloud planner (device/tools/parsers/cloud_planner.py) is wired by the assembly
    results = evaluate(DeviceCaller(engine, min_call_probability=p_min), names, limit=limit,
                       planner=None if device_only else planner, escalate_below=escalate_below)
    table = {k: v.as_dict() for k, v in results.items()}
    out = {"categories": table, "model": name,
           "min_call_probability": p_min, "device_only": device_only or planner is None, "limit": limit}
    if as_json:
        click.echo(json.dumps(out))
        return
    click.echo(f"model {name}, call when p(call) >= {p_min}" + (f", first {limit} per category" if limit else ""))
    click.echo(f"{'category':20}{'n':>6}{'accuracy':>10}{'escalated':>11}{'ms p50':>9}  errors")
    for k, v in table.items():
        errors = ", ".join(f"{e} {c}" for e, c in list(v["errors"].items())[:3])
        click.echo(f"{k:20}{v['n']:>6}{100 * v['accuracy']:>9.1f}%{100 * v['escalated']:>10.1f}%"
                   f"{v['ms_p50']:>9.0f}  {errors}")
