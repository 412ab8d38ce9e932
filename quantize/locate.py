"""Find an already built model dir without importing any build dependency.

Used by ``tandem.assembly.runtime`` on the device side of the CLI: it must answer "is NAME built?" with the
standard library only, so the device never needs torch or transformers to start.
"""

from __future__ import annotations

from pathlib import Path

from quantize.build_layout import DEFAULT_FILE, MANIFEST_FILE, PIPELINE_VERSION


def find_built(name: str, models_dir: Path, precision: str | None = None) -> Path | None:
    """The newest built dir of ``name`` (its ``default`` precision unless one is named), or None."""
    base = Path(models_dir) / name
    if not base.is_dir():
        return None
    roots = sorted(
        (d for d in base.iterdir() if d.is_dir() and d.name.endswith(f"-p{PIPELINE_VERSION}")),
        key=lambda d: d.stat().st_mtime,
        reverse=True,
    )
    for root in roots:
        wanted = precision
        if wanted is None:
            default = root / DEFAULT_FILE
            if not default.exists():
                continue
            wanted = default.read_text().strip()
        candidate = root / wanted
        if (candidate / MANIFEST_FILE).exists():
            return candidate
    return None


def built_names(models_dir: Path) -> list[str]:
    """Names with a built default under ``models_dir`` (registered or built from a path), sorted."""
    base = Path(models_dir)
    if not base.is_dir():
        return []
    return sorted(d.name for d in base.iterdir()
                  if d.is_dir() and not d.name.startswith("_") and find_built(d.name, base) is not None)
