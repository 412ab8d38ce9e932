"""Hub ids, ``hf:ORG/NAME[@REVISION]``: download a checkpoint at build time, then build it as a local dir.

No model hub is reachable from the machines tandem is built and tested on (FACTS.md), so this path
mostly exists to say so clearly: with ``HF_HUB_OFFLINE=1``, or when the endpoint (``HF_ENDPOINT``,
default ``https://huggingface.co``) does not answer a probe within ``PROBE_TIMEOUT_S``, it raises
:class:`HubUnreachable`, whose message gives the steps that work (download on a connected machine,
copy the directory, build the directory). Where a hub answers, ``huggingface_hub.snapshot_download``
fetches the checkpoint into ``<cache_root>/_hub/<org>--<name>@<revision>/``, and the build continues
as for any local Hugging Face directory. Only ``tandem model build`` (an explicit request) downloads;
nothing at run time does.

A bare ``ORG/NAME`` is not a hub id: it is a relative path, and a mistyped path must not become a
network request (see :mod:`quantize.local_sources`).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from quantize.errors import HubError, HubUnreachable, SourceNotInstalled

logger = logging.getLogger(__name__)

PREFIX = "hf:"
DEFAULT_ENDPOINT = "https://huggingface.co"
PROBE_TIMEOUT_S = 5.0
HUB_DIRNAME = "_hub"
#: Written into a snapshot dir after a complete download (hidden: not part of the content hash).
COMPLETE_FILE = ".tandem-complete"
#: What a build needs from a model repo: config, tokenizer, chat template, safetensors weights.
ALLOW_PATTERNS = ("*.json", "*.safetensors", "*.jinja", "*.txt", "tokenizer.model")
_ID = re.compile(r"^(?P<org>[A-Za-z0-9][\w.-]*)/(?P<name>[A-Za-z0-9][\w.-]*)(?:@(?P<rev>[\w.-]+(?:/[\w.-]+)*))?$")


@dataclass(frozen=True)
class HubId:
    org: str
    name: str
    revision: str = "main"

    @property
    def repo_id(self) -> str:
        return f"{self.org}/{self.name}"

    @property
    def cache_dirname(self) -> str:
        return f"{self.org}--{self.name}@{self.revision.replace('/', '--')}"

    def __str__(self) -> str:
        return f"{PREFIX}{self.repo_id}@{self.revision}"


def is_hub_id(spec: str) -> bool:
    return spec.startswith(PREFIX)


def parse_hub_id(spec: str) -> HubId:
    """``hf:ORG/NAME[@REVISION]`` -> :class:`HubId` (revision ``main`` when none is given)."""
    m = _ID.match(spec[len(PREFIX) :] if is_hub_id(spec) else "")
    if m is None:
        raise HubError(f"{spec!r} is not a hub id: write hf:ORG/NAME or hf:ORG/NAME@REVISION")
    return HubId(m["org"], m["name"], m["rev"] or "main")


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _probe(url: str, timeout: float) -> str | None:
    """None when ``url`` answers (any HTTP status), else why not. Bounded by ``timeout`` in total:
    urllib's own timeout covers each socket operation but not name resolution."""
    outcome: list[str | None] = []

    def attempt() -> None:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
                outcome.append(None)
        except urllib.error.HTTPError:
            outcome.append(None)  # the server answered; a status is an answer
        except (urllib.error.URLError, OSError, ValueError) as exc:
            outcome.append(f"{url} did not answer: {getattr(exc, 'reason', exc)}")

    thread = threading.Thread(target=attempt, name="hub-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    return outcome[0] if outcome else f"{url} did not answer within {timeout:.0f} s"


def ensure_reachable(hub_id: HubId, timeout: float = PROBE_TIMEOUT_S) -> None:
    """Raise :class:`HubUnreachable` unless the hub endpoint answers within ``timeout`` seconds."""
    reason = "HF_HUB_OFFLINE is set" if _offline() else _probe(endpoint(), timeout)
    if reason is not None:
        raise HubUnreachable(str(hub_id), hub_id.repo_id, hub_id.revision, reason)


def fetch(hub_id: HubId, cache_root: Path) -> Path:
    """The local snapshot dir of ``hub_id``: downloaded (or updated) when the hub answers; a complete
    earlier download is used as it is when it does not; else :class:`HubUnreachable`."""
    target = Path(cache_root) / HUB_DIRNAME / hub_id.cache_dirname
    try:
        ensure_reachable(hub_id)
    except HubUnreachable as exc:
        if (target / COMPLETE_FILE).exists():
            logger.warning("%s; using the copy downloaded earlier in %s", exc.reason, target)
            return target
        raise
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise SourceNotInstalled(str(hub_id), ["huggingface_hub"], "pip install huggingface_hub") from None
    logger.info("downloading %s from %s into %s", hub_id, endpoint(), target)
    (target / COMPLETE_FILE).unlink(missing_ok=True)
    try:
        snapshot_download(hub_id.repo_id, revision=hub_id.revision, local_dir=str(target),
                          allow_patterns=list(ALLOW_PATTERNS), endpoint=endpoint())
    except (OSError, ValueError) as exc:  # huggingface_hub's HTTP errors are requests' (OSError) ones
        raise HubError(f"downloading {hub_id} from {endpoint()} failed: {type(exc).__name__}: {exc}") from exc
    (target / COMPLETE_FILE).write_text(f"{hub_id}\n")
    return target
