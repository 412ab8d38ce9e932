"""`tandem model train-ner`: train the PII name/address model into the model cache (a few minutes)."""

from __future__ import annotations

import json

import click

from protocol.errors import TandemError


@click.command("train-ner")
@click.option("--seed", type=int, default=None, help="Training seed (default: the recipe's).")
@click.option("--samples", type=int, default=None, help="Synthetic training sentences (default: the recipe's).")
@click.option("--force", is_flag=True, help="Retrain even when this recipe is already built.")
def train_ner(seed: int | None, samples: int | None, force: bool) -> None:
    """Fine-tune MiniLM on synthetic PII, export int8 ONNX to the model cache (keyed by recipe hash)."""
    from dataclasses import replace

    from tandem.cli import _fail, _settings

    settings = _settings()
    try:
        from quantize.ner.build import build_ner
        from quantize.ner.train import Recipe
    except ImportError as exc:
        _fail(TandemError(f"the build tools are missing ({exc.name}): pip install 'tandem[quantize]'"))
    recipe = Recipe()
    if seed is not None:
        recipe = replace(recipe, seed=seed)
    if samples is not None:
        recipe = replace(recipe, samples=samples)
    try:
        out = build_ner(settings.models_dir, recipe, progress=True, force=force)
    except TandemError as exc:
        _fail(exc)
    manifest = json.loads((out / "manifest.json").read_text())
    click.echo(f"{out} ({manifest['size_bytes'] / 1e6:.1f} MB, built in {manifest['build_seconds']:.0f} s)")
