"""`device.personal`'s public names are a decision: this list changes only on purpose."""

from __future__ import annotations

import device.personal


def test_public_names() -> None:
    assert sorted(device.personal.__all__) == sorted([
        "SHOPPING_LIST", "Contact", "DurationMatch", "Fired", "ListItem", "Message", "Note", "Notify", "PersonalStore", "Reminder",
        "Scheduler", "Timer", "WhenMatch", "find_duration", "find_when", "local_zone", "parse_duration", "parse_when", "zone",
    ])
    for name in device.personal.__all__:
        assert getattr(device.personal, name) is not None
