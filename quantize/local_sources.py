"""What ``tandem model build`` can build from: a registered name, a GGUF file, a checkpoint dir, a hub id.

:func:`resolve_source` turns what the user typed into a :class:`BuildSource`: the model's name (its
cache dir ``<cache_root>/<name>/``, and what ``TANDEM_DEVICE_MODEL`` / ``TANDEM_CLOUD_MODEL`` select), a
digest (the build key) and either a GGUF file or a transformers checkpoint directory. In order:

1. a name registered in :mod:`quantize.sources` (a path that happens to have that name: ``./NAME``);
2. ``hf:ORG/NAME[@REVISION]``: downloaded into the cache by :mod:`quantize.hub`, then as 4.;
3. an existing file: a GGUF, keyed by the sha256 of its bytes: the key the registry pins, so a copy
   of a registered model's file takes that model's name and cache dir (no rebuild);
4. an existing directory: a Hugging Face checkpoint (``config.json``, safetensors or ``.bin``
   weights, ``tokenizer.json``), keyed by a hash over its files' relative paths, sizes and bytes in
   sorted order (hidden files, e.g. ``.cache/`` from ``huggingface-cli download``, left out).

A bare ``ORG/NAME`` that is not an existing path is not taken for a hub id: a mistyped relative path
must not turn into a network request; the error says to write ``hf:ORG/NAME``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quantize.errors import LocalSourceError, ModelNameError, UnknownModelError
from quantize.sources import SOURCES, ModelSource, locate_gguf

logger = logging.getLogger(__name__)

#: Hash progress bars appear for inputs at least this large.
PROGRESS_MIN_BYTES = 64 << 20
GGUF_MAGIC = b"GGUF"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_TOKENIZER_HINT = (
    "python -c \"from transformers import AutoTokenizer as T; T.from_pretrained('{d}').save_pretrained('{d}')\""
)


@dataclass(frozen=True)
class BuildSource:
    """One resolved build input: exactly one of ``gguf_path`` and ``hf_dir`` is set."""

    name: str
    #: Build key: sha256 of the GGUF, or the content hash of the checkpoint dir.
    digest: str
    #: The manifest's ``source`` record.
    record: dict[str, Any] = field(compare=False)
    gguf_path: Path | None = None
    hf_dir: Path | None = None

    @property
    def label(self) -> str:
        return self.gguf_path.name if self.gguf_path is not None else str(self.hf_dir)


# -- names ----------------------------------------------------------------------------------------


def slug(text: str) -> str:
    """A cache name from a file, dir or repo name: lowercase, runs of other characters as ``-``."""
    return re.sub(r"[^a-z0-9._]+", "-", text.lower()).strip("-._")[:100] or "model"


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ModelNameError(
            f"model name {name!r} cannot name a cache dir: use letters, digits, '.', '_' and '-', starting "
            f"with a letter or digit (e.g. --name {slug(name)})"
        )
    return name


def _not_registered(name: str) -> None:
    if name in SOURCES:
        raise ModelNameError(
            f"{name!r} is the name of a registered model, built from its own PyPI GGUF; choose another --name"
        )


# -- hashing --------------------------------------------------------------------------------------


def _bar(total: int, desc: str, progress: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, leave=False,
                disable=not progress or total < PROGRESS_MIN_BYTES)


def _feed(h: Any, path: Path, bar: Any, chunk: int = 1 << 22) -> None:
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
            bar.update(len(block))


def file_sha256(path: Path, progress: bool = True) -> str:
    """sha256 of ``path``, streamed, with a progress bar for large files."""
    h = hashlib.sha256()
    with _bar(path.stat().st_size, f"sha256 {path.name}", progress) as bar:
        _feed(h, path, bar)
    return h.hexdigest()


def dir_files(root: Path) -> list[Path]:
    """The files of ``root`` that make up its content, sorted by relative path; hidden ones left out."""
    files = [p for p in root.rglob("*") if p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(root).parts)]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def dir_sha256(root: Path, progress: bool = True) -> str:
    """A hash over each file's relative path, size and bytes, in sorted order."""
    files = dir_files(root)
    h = hashlib.sha256()
    with _bar(sum(p.stat().st_size for p in files), f"hashing {root.name}/", progress) as bar:
        for path in files:
            h.update(f"{path.relative_to(root).as_posix()}\0{path.stat().st_size}\0".encode())
            _feed(h, path, bar)
    return h.hexdigest()


# -- the four kinds of source ---------------------------------------------------------------------


def registered_record(source: ModelSource, digest: str) -> dict[str, Any]:
    return {
        "package": source.package_label,
        "version": source.version,
        "gguf_sha256": digest,
        "upstream": source.upstream,
        "licence": source.licence,
    }


def registered_source(name: str, cache_root: Path) -> BuildSource:
    path, digest = locate_gguf(name, cache_root)
    return BuildSource(name, digest, registered_record(SOURCES[name], digest), gguf_path=path)


def gguf_source(path: Path, name: str | None = None, progress: bool = True) -> BuildSource:
    """A local GGUF file; the name and record of the registered model whose pinned sha256 it has."""
    path = path.absolute()
    with open(path, "rb") as f:
        if f.read(4) != GGUF_MAGIC:
            raise LocalSourceError(
                f"{path} is not a GGUF file (no GGUF magic); give a .gguf file or a Hugging Face checkpoint dir"
            )
    digest = file_sha256(path, progress)
    same = next((s for s in SOURCES.values() if s.gguf_sha256 == digest), None)
    if same is not None:
        if name is not None and name != same.name:
            _not_registered(name)
            logger.warning("%s holds the weights of registered model %s; it gets its own build as %s",
                           path.name, same.name, name)
        return BuildSource(check_name(name or same.name), digest, registered_record(same, digest), gguf_path=path)
    final = check_name(name or slug(path.stem))
    _not_registered(final)
    record = {"package": None, "version": None, "gguf_sha256": digest,
              "upstream": f"local GGUF file {path.name}", "licence": None, "path": str(path)}
    return BuildSource(final, digest, record, gguf_path=path)


def check_hf_dir(path: Path) -> None:
    """Raise :class:`LocalSourceError` naming what a checkpoint dir lacks."""
    missing = [f for f in ("config.json", "tokenizer.json") if not (path / f).is_file()]
    if not any(path.glob("*.safetensors")) and not any(path.glob("pytorch_model*.bin")):
        missing.append("weights (*.safetensors or pytorch_model*.bin)")
    if not missing:
        return
    hint = ""
    ggufs = sorted(path.glob("*.gguf"))
    if ggufs:
        hint = f"; it holds {ggufs[0].name}: build that file instead"
    elif "tokenizer.json" in missing and len(missing) == 1:
        hint = f"; write tokenizer.json with: {_TOKENIZER_HINT.format(d=path)}"
    raise LocalSourceError(
        f"{path} is not a Hugging Face checkpoint dir: no {', '.join(missing)}{hint}"
    )


def hf_dir_source(
    path: Path, name: str | None = None, progress: bool = True, origin: dict[str, Any] | None = None
) -> BuildSource:
    """A local transformers checkpoint dir; ``origin`` (hub id, revision) goes into the record."""
    path, origin = path.resolve(), origin or {}
    check_hf_dir(path)
    final = check_name(name or slug(str(origin.get("hub", path.name)).rsplit("/", 1)[-1]))
    _not_registered(final)
    digest = dir_sha256(path, progress)
    record = {"package": None, "version": None, "gguf_sha256": None,
              "upstream": origin.get("hub") or f"local Hugging Face dir {path.name}", "licence": None,
              "path": str(path), "content_sha256": digest, **origin}
    return BuildSource(final, digest, record, hf_dir=path)


def resolve_source(spec: str, cache_root: Path, name: str | None = None, progress: bool = True) -> BuildSource:
    """What to build for ``spec`` (see the module docstring for the order)."""
    from quantize import hub

    if name is not None:
        check_name(name)  # before hashing or downloading anything
    if spec in SOURCES:
        if name not in (None, spec):
            raise ModelNameError(f"{spec!r} is a registered model and keeps its name; --name is for paths "
                                 "and hub ids")
        return registered_source(spec, Path(cache_root))
    if hub.is_hub_id(spec):
        hub_id = hub.parse_hub_id(spec)
        snapshot = hub.fetch(hub_id, Path(cache_root))
        origin = {"hub": hub_id.repo_id, "revision": hub_id.revision, "endpoint": hub.endpoint()}
        return hf_dir_source(snapshot, name, progress, origin)
    path = Path(spec).expanduser()
    if path.is_file():
        return gguf_source(path, name, progress)
    if path.is_dir():
        return hf_dir_source(path, name, progress)
    hint = f"; for a model on the Hugging Face hub write hf:{spec}" if re.fullmatch(r"[\w.-]+/[\w.-]+", spec) else ""
    raise UnknownModelError(
        f"unknown model {spec!r}: not a registered name ({', '.join(sorted(SOURCES))}) nor an existing "
        f".gguf file or Hugging Face checkpoint dir{hint}"
    )
