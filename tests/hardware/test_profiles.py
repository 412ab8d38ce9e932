from __future__ import annotations

import pytest

from hardware import ProfileError, list_profiles, load_profile


def test_every_shipped_profile_loads() -> None:
    names = list_profiles()
    assert {"raspberry-pi-4", "raspberry-pi-5", "jetson-orin-nano", "x86-dev"} <= set(names)
    for name in names:
        profile = load_profile(name)
        assert profile.name == name
        assert profile.threads >= 1 and profile.execution_providers[-1] == "CPUExecutionProvider"


def test_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(ProfileError, match="raspberry-pi-5"):
        load_profile("toaster")
