"""How the device and the cloud share a request: plan, route, execute, fuse.

    redacted request
      -> Planner.plan(text) -> Plan: steps (index, text, personal, kind, depends_on)   planners/
      -> per step: Router.decide(step, draft | None) -> RouteDecision                  routers/
           "local": the device model   "cloud": the escalator   "tool": a ToolExecutor  executors.py
      -> Fuser.fuse(step results, vault) -> the answer, values restored on the device   fusers/

Each seam is one small typed interface with a plain registry (`PLANNERS`, `ROUTERS`, `FUSERS`)
chosen by name in config (`[collab]`); `device.agent.Agent` drives them. The agent keeps the hard
rules around the routers: the redaction policy's holds, a route the user forces, and a cloud that
does not answer (the step is answered on the device, with a notice).
"""

from __future__ import annotations

from device.collab.executors import ToolExecutor
from device.collab.fusers import FUSERS, Fuser, make_fuser
from device.collab.planners import PLANNERS, Planner, make_planner
from device.collab.routers import DEFAULT_CASCADE, ROUTERS, Router, RouterOptions, make_router
from device.collab.steps import (
    FORCES,
    ROUTE_LABELS,
    ROUTES,
    AnswerRoute,
    Draft,
    Force,
    Plan,
    Route,
    RouteDecision,
    Step,
    StepKind,
    StepResult,
    answer_route,
)

__all__ = [
    "DEFAULT_CASCADE", "FORCES", "FUSERS", "PLANNERS", "ROUTERS", "ROUTES", "ROUTE_LABELS", "AnswerRoute", "Draft",
    "Force", "Fuser", "Plan",
    "Planner", "Route", "RouteDecision", "Router", "RouterOptions", "Step", "StepKind", "StepResult",
    "ToolExecutor", "answer_route", "make_fuser", "make_planner", "make_router",
]
