"""Apply the hardware profile to the device engine: explicit settings win, the profile fills in.

`threads` and `max_context` come from the profile (`hardware_profile = "auto"` detects it) unless
the config file, a `TANDEM_*` variable or a CLI override set them; `allow_spinning` always comes
from the profile (boards that share their cores turn onnxruntime's spin-waiting off).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from hardware import HardwareProfile, resolve_profile
from hardware.detect import Detection
from tandem.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineOptions:
    threads: int | None
    max_context: int
    allow_spinning: bool
    profile: HardwareProfile
    detection: Detection | None  # None when the profile was named, not detected
    sources: dict[str, str]  # option -> "profile <name>" | "settings"


def engine_options(settings: Settings) -> EngineOptions:
    profile, detection = resolve_profile(settings.hardware_profile)
    explicit = settings.model_fields_set
    sources: dict[str, str] = {}
    if "threads" in explicit and settings.threads is not None:
        threads: int | None = settings.threads
        sources["threads"] = "settings"
    else:
        threads = profile.threads
        sources["threads"] = f"profile {profile.name}"
    if "max_context" in explicit:
        max_context = settings.max_context
        sources["max_context"] = "settings"
    else:
        max_context = profile.max_context
        sources["max_context"] = f"profile {profile.name}"
    log.info("hardware profile=%s threads=%s max_context=%d", profile.name, threads, max_context)
    return EngineOptions(threads, max_context, profile.allow_spinning, profile, detection, sources)
