"""Where tandem keeps files: one place, so the CLI, the service and the tests agree.

Everything rebuildable (model builds, assembled GGUFs) goes under the cache dir; keys and
config under the config dir. `XDG_*` variables are honoured; `TANDEM_*` settings override.
"""

from __future__ import annotations

import os
from pathlib import Path


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / fallback


def cache_dir() -> Path:
    return _xdg("XDG_CACHE_HOME", ".cache") / "tandem"


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / "tandem"


def state_dir() -> Path:
    return _xdg("XDG_STATE_HOME", ".local/state") / "tandem"


def default_models_dir() -> Path:
    return cache_dir() / "models"


def default_keys_dir() -> Path:
    return config_dir() / "keys"


def default_config_file() -> Path:
    return config_dir() / "config.toml"
