"""Shared fixtures: a real key store under tmp_path with one pool and two enrolled devices."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from protocol.keys import DeviceKeys, PoolKeys, init_keys


@dataclass(frozen=True)
class Store:
    root: Path
    pool: PoolKeys
    dev1: DeviceKeys
    dev2: DeviceKeys


@pytest.fixture
def store(tmp_path: Path) -> Store:
    root = tmp_path / "keys"
    init_keys(root, "dev1")
    init_keys(root, "dev2")
    return Store(root, PoolKeys.load(root), DeviceKeys.load(root, "dev1"), DeviceKeys.load(root, "dev2"))
