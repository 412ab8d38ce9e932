"""Which acts the device may do on its own: per Home Assistant domain and service, allow, confirm or refuse.

Keys, most specific first: `domain.service:device_class` (`cover.open_cover:garage`),
`domain.service` (`lock.unlock`), `domain` (`alarm_control_panel`). Defaults: unlocking or opening a
lock, opening a garage door, gate or door cover, and disarming an alarm need a yes from the user
(`confirm`); config (`[tools.policy]`) changes any of them. A `confirm` with nobody to ask (a CLI
call, a service request without approval) refuses: the device never acts silently on these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

Decision = Literal["allow", "confirm", "refuse"]
DECISIONS: tuple[Decision, ...] = get_args(Decision)

DEFAULTS: dict[str, Decision] = {
    "lock.unlock": "confirm",
    "lock.open": "confirm",
    "cover.open_cover:garage": "confirm",
    "cover.open_cover:gate": "confirm",
    "cover.open_cover:door": "confirm",
    "cover.set_cover_position:garage": "confirm",
    "cover.set_cover_position:gate": "confirm",
    "alarm_control_panel.alarm_disarm": "confirm",
}


@dataclass(frozen=True)
class ActPolicy:
    rules: Mapping[str, Decision] = field(default_factory=dict)
    """Overrides of `DEFAULTS`, same keys."""

    def __post_init__(self) -> None:
        bad = sorted({d for d in self.rules.values() if d not in DECISIONS})
        if bad:
            raise ValueError(f"tools.policy: unknown decisions {bad}; use {', '.join(DECISIONS)}")

    def decide(self, domain: str, service: str, device_class: str | None = None) -> Decision:
        """The user's most specific rule, else the most specific default, else allow."""
        keys = [k for k in (f"{domain}.{service}:{device_class}" if device_class else None, f"{domain}.{service}",
                            domain) if k is not None]
        for rules in (self.rules, DEFAULTS):
            for key in keys:
                if key in rules:
                    return rules[key]
        return "allow"
