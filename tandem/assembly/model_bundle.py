"""Model bundles: built models carried from a bigger machine to a board that cannot build them.

A board installs the `device` extra only: onnxruntime and tokenizers, no torch, so it can run models but
not build or train them. `tandem model export` on the machine that built them (the pool host, which holds
the pool's keys) writes one tar file; `tandem model import` on the board checks it and puts the models
where the device looks for them. The bundle is signed with the pool's Ed25519 key, and the board verifies
it against the pool key it pinned at enrolment (`tandem keys pin`): it trusts exactly the pool it already
trusts with its requests, and nobody else's models.

Layout (an uncompressed tar; int8 weights hardly compress):

    bundle.json   {"format", "created_at", "signer_key_id", "models": [...], "files": [{"path", "sha256",
                  "bytes"}]}: paths relative to the models dir
    bundle.sig    Ed25519 over b"tandem model bundle v1\\n" + the exact bytes of bundle.json
    files/<path>  each listed file, nothing else

On import the signature is checked before anything is written; every member must be a regular file
listed in the manifest with a safe relative path, its bytes and sha256 must match, and every listed file
must be present. Files are staged in a directory inside the models dir and moved into place only when all
of them verified, so a bad or cut bundle leaves the models dir as it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from protocol.errors import TandemError
from quantize.sources import sha256_file

log = logging.getLogger(__name__)

FORMAT = "tandem-model-bundle/1"
DOMAIN = b"tandem model bundle v1\n"
MANIFEST, SIGNATURE = "bundle.json", "bundle.sig"
_CHUNK = 1 << 20


class BundleError(TandemError):
    """A bundle cannot be written or is refused on import; the message says why and what to do."""


@dataclass(frozen=True)
class Exported:
    path: Path
    models: list[str]
    files: int
    bytes: int


@dataclass(frozen=True)
class Imported:
    models: list[str]
    files: int
    bytes: int
    signer_key_id: str


def device_model_dirs(models_dir: Path, device_model: str) -> dict[str, list[Path]]:
    """What the device's default path needs, as built under `models_dir`: name -> paths to carry (a dir
    with its files, or a single file). A model that is not built is missing from the result."""
    from device.redaction.ner import find_ner_model
    from device.redaction.sensitive import find_built as find_sensitive
    from device.tools.parsers.learned import find_intent_model
    from quantize.locate import DEFAULT_FILE, find_built

    out: dict[str, list[Path]] = {}
    built = find_built(device_model, models_dir)
    if built is not None:  # the precision dir, and the file that names it the default
        out[device_model] = [built, built.parent / DEFAULT_FILE]
    for name, found in (("pii-ner", find_ner_model(models_dir)), ("sensitive-context", find_sensitive(models_dir)),
                        ("intent-parser", find_intent_model(models_dir))):
        if found is not None:
            out[name] = [found]
    for route in sorted(Path(models_dir).glob("route-*/model.json")):  # learned routers, when trained
        out[route.parent.name] = [route]
    return out


def export_bundle(models_dir: Path, units: dict[str, list[Path]], out: Path, sign: Callable[[bytes], bytes],
                  signer_key_id: str, progress: Callable[[str], None] | None = None) -> Exported:
    """Write `units` (name -> dirs or files under `models_dir`) to the bundle `out`, signed by `sign`."""
    models_dir = Path(os.path.abspath(models_dir))
    files: list[tuple[str, Path]] = []
    for paths in units.values():
        for p in paths:
            for f in sorted(p.rglob("*")) if p.is_dir() else [p]:
                if f.is_file() and not f.name.endswith((".lock", ".tmp")):
                    files.append((_relative(f, models_dir), f))
    if not files:
        raise BundleError(f"nothing to export: no built model under {models_dir} (build them first: "
                          "`tandem model build ...`, `tandem model train-ner`, ...)")
    entries: list[dict[str, Any]] = []
    for rel, f in files:
        if progress is not None:
            progress(f"hashing {rel}")
        entries.append({"path": rel, "sha256": sha256_file(f), "bytes": f.stat().st_size})
    manifest = json.dumps({"format": FORMAT, "created_at": int(time.time()), "signer_key_id": signer_key_id,
                           "models": sorted(units), "files": entries}, indent=1).encode()
    signature = sign(DOMAIN + manifest)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
        _add_bytes(tar, MANIFEST, manifest)
        _add_bytes(tar, SIGNATURE, signature)
        for rel, f in files:
            if progress is not None:
                progress(f"adding {rel}")
            tar.add(f, arcname=f"files/{rel}", recursive=False)
    partial.replace(out)
    total = sum(int(e["bytes"]) for e in entries)
    log.info("model bundle written models=%d files=%d bytes=%d", len(units), len(entries), total)
    return Exported(out, sorted(units), len(entries), total)


def import_bundle(bundle: Path, models_dir: Path, verify: Callable[[bytes, bytes], None], *,
                  replace: bool = False, progress: Callable[[str], None] | None = None) -> Imported:
    """Check `bundle` (`verify(signature, message)` raises on a bad signature) and install its models
    under `models_dir`. A file that exists with other bytes is refused unless `replace`."""
    models_dir = Path(models_dir)
    try:
        tar = tarfile.open(bundle, "r:")  # noqa: SIM115 - closed below
    except (OSError, tarfile.TarError) as exc:
        raise BundleError(f"{bundle} is not a readable model bundle ({exc}): export it again with "
                          "`tandem model export`") from exc
    with tar:
        entries, manifest = _read_head(tar, bundle, verify)
        models_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".import-", dir=models_dir))
        try:
            seen: set[str] = set()
            for index, member in enumerate(tar):
                if index < 2:  # the manifest and the signature, read and checked above
                    continue
                if member.name in (MANIFEST, SIGNATURE):
                    raise BundleError(f"{bundle} holds a second {member.name}: refused")
                rel = _member_path(member, entries, bundle)
                if rel in seen:
                    raise BundleError(f"{bundle} holds {rel} twice: refused")
                seen.add(rel)
                if progress is not None:
                    progress(f"checking {rel}")
                source = tar.extractfile(member)
                assert source is not None  # a regular file (checked)
                _copy_checked(source, staging / rel, entries[rel], rel, bundle)
            missing = sorted(set(entries) - seen)
            if missing:
                raise BundleError(f"{bundle} is cut: {len(missing)} listed file(s) are missing (first: {missing[0]}); "
                                  "copy it again")
            _install(staging, models_dir, entries, replace)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    total = sum(int(e["bytes"]) for e in entries.values())
    log.info("model bundle imported models=%d files=%d bytes=%d", len(manifest["models"]), len(entries), total)
    return Imported(list(manifest["models"]), len(entries), total, str(manifest["signer_key_id"]))


def pinned_verifier(public: Ed25519PublicKey) -> Callable[[bytes, bytes], None]:
    """`verify(signature, message)` against the pool key this device pinned; BundleError when it fails."""

    def verify(signature: bytes, message: bytes) -> None:
        try:
            public.verify(signature, message)
        except InvalidSignature as exc:
            raise BundleError("the bundle's signature does not check against the pool key this device pinned: it "
                              "was exported by another pool, or changed after export; refused, nothing was "
                              "installed") from exc

    return verify


# -- internals ------------------------------------------------------------------------------------------

def _relative(path: Path, root: Path) -> str:
    """`path` relative to `root` as the device will find it (a symlinked build stays at its link's place)."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError as exc:
        raise BundleError(f"{path} is not under the models dir {root}") from exc


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    import io

    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
    tar.addfile(info, io.BytesIO(data))


def _read_head(tar: tarfile.TarFile, bundle: Path, verify: Callable[[bytes, bytes], None]
               ) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The manifest, verified: its two members come first, the signature checks, the entries are sane."""
    head = [tar.next(), tar.next()]
    if [m.name if m else None for m in head] != [MANIFEST, SIGNATURE] or not all(m and m.isfile() for m in head):
        raise BundleError(f"{bundle} does not start with {MANIFEST} and {SIGNATURE}: not a tandem model bundle")
    manifest_file, signature_file = (tar.extractfile(m) for m in head)  # type: ignore[arg-type]
    assert manifest_file is not None and signature_file is not None
    manifest_bytes, signature = manifest_file.read(1 << 22), signature_file.read(1024)
    verify(signature, DOMAIN + manifest_bytes)
    try:
        manifest = json.loads(manifest_bytes)
        if manifest.get("format") != FORMAT:
            raise BundleError(f"{bundle} is format {manifest.get('format')!r}, this tandem reads {FORMAT}")
        entries = {str(e["path"]): {"sha256": str(e["sha256"]), "bytes": int(e["bytes"])} for e in manifest["files"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise BundleError(f"{bundle}'s manifest is malformed: refused") from exc
    for rel in entries:
        _safe(rel, bundle)
    return entries, manifest


def _safe(rel: str, bundle: Path) -> str:
    p = PurePosixPath(rel)
    if p.is_absolute() or not p.parts or any(part in ("", ".", "..") for part in p.parts) or "\\" in rel:
        raise BundleError(f"{bundle} names an unsafe path ({rel!r}): refused")
    return rel


def _member_path(member: tarfile.TarInfo, entries: dict[str, dict[str, Any]], bundle: Path) -> str:
    if not member.isfile():
        raise BundleError(f"{bundle} holds a {'link' if member.issym() or member.islnk() else 'non-file'} member "
                          f"({member.name!r}): refused")
    if not member.name.startswith("files/"):
        raise BundleError(f"{bundle} holds an unlisted member ({member.name!r}): refused")
    rel = _safe(member.name.removeprefix("files/"), bundle)
    if rel not in entries:
        raise BundleError(f"{bundle} holds a file its manifest does not list ({rel}): refused")
    if member.size != entries[rel]["bytes"]:
        raise BundleError(f"{bundle}: {rel} is {member.size} bytes, the manifest says {entries[rel]['bytes']}: refused")
    return rel


def _copy_checked(source: IO[bytes], target: Path, entry: dict[str, Any], rel: str, bundle: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with open(target, "wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if size != entry["bytes"] or digest.hexdigest() != entry["sha256"]:
        raise BundleError(f"{bundle}: {rel} does not match its sha256 in the signed manifest (changed or "
                          "corrupted in transit): refused, nothing was installed")


def _install(staging: Path, models_dir: Path, entries: dict[str, dict[str, Any]], replace: bool) -> None:
    clashes = [rel for rel in entries if (models_dir / rel).exists() and sha256_file(models_dir / rel) != entries[rel]["sha256"]]
    if clashes and not replace:
        raise BundleError(f"{len(clashes)} file(s) exist with other contents (first: {clashes[0]}): nothing was "
                          "installed; import with --replace to overwrite them")
    for rel in sorted(entries):
        target = models_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / rel, target)
    now = time.time()
    for top in _dirs_of(entries):  # the finders take the newest build: the imported one
        os.utime(models_dir / top, (now, now))


def _dirs_of(entries: Iterable[str]) -> set[str]:
    dirs: set[str] = set()
    for rel in entries:
        parts = PurePosixPath(rel).parts
        for depth in range(2, len(parts)):
            dirs.add("/".join(parts[:depth]))
    return dirs
