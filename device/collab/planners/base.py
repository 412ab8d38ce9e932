"""The planner seam: cut one redacted request into the steps it really holds.

A planner keeps a request whole unless it holds separate jobs ("remind <PERSON_1> about Friday,
and explain how a heat pump works" is two; "<question> Options: A) ... D)" is one). Each step says
whether it is personal (holds placeholders), what it asks for (`kind`) and which earlier steps it
waits for (`depends_on`). Implementations register by name in `device.collab.planners.PLANNERS`.
"""

from __future__ import annotations

from typing import Protocol

from device.collab.steps import Plan


class Planner(Protocol):
    @property
    def name(self) -> str:
        """The registry name."""
        ...

    def plan(self, text: str) -> Plan:
        """The steps of `text` (redacted: placeholders, no values); at least one."""
        ...
