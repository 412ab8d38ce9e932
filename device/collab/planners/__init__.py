"""Planners by name (`[collab] planner` in config). Built-ins register here like any other.

    rules   clause and sentence boundaries followed by a new imperative (`device.collab.planners.rules`)
"""

from __future__ import annotations

from collections.abc import Callable

from device.collab.planners.base import Planner
from device.errors import CollabConfigError


def _rules() -> Planner:
    from device.collab.planners.rules import RulesPlanner

    return RulesPlanner()


PLANNERS: dict[str, Callable[[], Planner]] = {"rules": _rules}


def make_planner(name: str) -> Planner:
    try:
        factory = PLANNERS[name]
    except KeyError:
        raise CollabConfigError(f"unknown planner {name!r}: set [collab] planner to one of "
                                f"{', '.join(sorted(PLANNERS))}") from None
    return factory()


__all__ = ["PLANNERS", "Planner", "make_planner"]
