"""A personal store on a file under tmp_path, a fixed zone with DST, and a clock the test moves."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from device.personal.store import PersonalStore

ZURICH = ZoneInfo("Europe/Zurich")
KEY = bytes(range(32))


class FakeClock:
    """"Now", moved by the test: `clock.advance(seconds=90)`."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 6, 11, 14, 20, tzinfo=ZURICH))  # a Wednesday


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "personal" / "dev.sqlite"


OpenStore = Callable[..., PersonalStore]


@pytest.fixture
def open_store() -> Iterator[OpenStore]:
    """`open_store(path, key=KEY, clock=None)`: a store in Europe/Zurich, closed when the test ends."""
    opened: list[PersonalStore] = []

    def open_(path: Path, *, key: bytes | None = KEY, clock: Callable[[], datetime] | None = None) -> PersonalStore:
        store = PersonalStore(path, key=key, clock=clock, tz=ZURICH)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def store(db_path: Path, clock: FakeClock, open_store: OpenStore) -> PersonalStore:
    return open_store(db_path, clock=clock)
