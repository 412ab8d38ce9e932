"""Planners by name (`[collab] planner` in config). Built-ins register here like any other.

    rules   clause and sentence boundaries followed by a new imperative (`device.collab.planners.rules`)
"""

from __future__ import annotations

from collections.abc import Callable

from device.collab.planners.base import Planner
from device.collab.steps import ToolCall
from device.errors import CollabConfigError

Recognise = Callable[[str], ToolCall | None]


def _rules(recognise: Recognise | None) -> Planner:
    from device.collab.planners.rules import RulesPlanner

    return RulesPlanner(recognise=recognise)


PLANNERS: dict[str, Callable[[Recognise | None], Planner]] = {"rules": _rules}


def make_planner(name: str, recognise: Recognise | None = None) -> Planner:
    """The planner `name`; `recognise`: text -> the tool call the device can carry out for it, or None."""
    try:
        factory = PLANNERS[name]
    except KeyError:
        raise CollabConfigError(f"unknown planner {name!r}: set [collab] planner to one of "
                                f"{', '.join(sorted(PLANNERS))}") from None
    return factory(recognise)


__all__ = ["PLANNERS", "Planner", "make_planner"]
