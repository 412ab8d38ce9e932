"""Put the suite's tiny model where `find_built` looks, so CLI tests can name it like a real model."""

from __future__ import annotations

from pathlib import Path

from quantize.build_layout import DEFAULT_FILE, PIPELINE_VERSION


def models_dir_with_tiny(tiny_model: Path, root: Path, name: str = "tiny") -> Path:
    build = root / name / f"000000000000-p{PIPELINE_VERSION}"
    build.mkdir(parents=True)
    (build / "fp32").symlink_to(tiny_model, target_is_directory=True)
    (build / DEFAULT_FILE).write_text("fp32\n")
    return root
