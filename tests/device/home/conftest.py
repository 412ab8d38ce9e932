"""A simulated home on the session's Mosquitto, under a discovery prefix and base topic of its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from harness.sim.home_devices import SimHome
from tandem.broker import BrokerProcess


@pytest.fixture
def sim(mosquitto: BrokerProcess) -> Iterator[SimHome]:
    uid = uuid.uuid4().hex[:8]
    home = SimHome(mosquitto.url, prefix=f"ha-{uid}", base=f"sim-{uid}").start()
    yield home
    home.close()
