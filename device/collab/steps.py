"""The values that flow between the collaboration's seams: a plan of steps, a draft, a route, a result.

    text --redact--> redacted --Planner.plan--> Plan(steps)
    per step:  Router.decide(step, draft | None) -> RouteDecision(route, reason, uncertainty)
               route "local" -> the device model, "cloud" -> the escalator, "tool" -> the tool executor
               -> StepResult(index, text, route)
    Fuser.fuse(results, vault) -> the answer the user sees (placeholders restored last, on the device)

Every step's text is redacted: it holds placeholders (`<PERSON_1>`), never values. Route names live
here, once, as `Route`; an answer's overall route adds "split" (`AnswerRoute`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Route = Literal["local", "cloud", "tool"]
"""Where one step is answered: the device model, the worker pool, or a device tool."""
ROUTES: tuple[Route, ...] = get_args(Route)

AnswerRoute = Literal["local", "cloud", "split"]
"""Where a whole request was answered: tool steps count as local (they never leave the device)."""

Force = Literal["local", "cloud"]
"""A route the user imposes on every step (`--force`, ctrl+l / ctrl+o); the privacy policy still holds."""
FORCES: tuple[Force, ...] = get_args(Force)

ROUTE_LABELS: dict[str, str] = {"local": "device", "cloud": "cloud", "tool": "device tool", "split": "split"}
"""How a trace names a route to people."""

PlannedBy = Literal["device", "cloud"]
"""Who planned a tool call: the device's own parsers, or the worker pool (the device executes either)."""

Speaker = Literal["user", "assistant"]
"""Who said an earlier message of the conversation."""
StepKind = Literal["answer", "tool"]
"""What a step asks for: text (`answer`) or an action or lookup a device tool performs (`tool`)."""


@dataclass(frozen=True)
class ToolCall:
    """A call of a device tool, as a parser or the cloud planned it (arguments may hold placeholders)."""

    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    confidence: float = 1.0
    """How sure whoever planned it is (1.0: an exact template match)."""
    planned_by: PlannedBy = "device"
    """Who made the call: a parser on the device, or the cloud planner (`tandem ask --json` shows it)."""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "arguments": dict(self.arguments)}


@dataclass(frozen=True)
class Step:
    """One job of a request, as the planner cut it (redacted text)."""

    index: int
    text: str
    personal: bool = False
    """It holds placeholders: it is about the user's private data."""
    kind: StepKind = "answer"
    depends_on: tuple[int, ...] = ()
    """Indexes of the steps whose results this one needs first."""
    local_text: str | None = None
    """What the device model reads instead of `text` when it answers this step (still redacted): the
    user's own words when `text` is a rewrite meant for the cloud (a generalised request)."""
    call: ToolCall | None = None
    """For a `tool` step: the call the planner recognised (None: the tool executor works it out)."""
    public_names: tuple[str, ...] = ()
    """Names of public figures put back into `text` (a knowledge question may leave with them;
    `device.redaction.public_figures`)."""
    system: str | None = None
    """The user's own system prompt for this request (`tandem ask -s`), redacted like `text`: the device
    model reads it restored, the cloud gets it with placeholders."""
    history: tuple[tuple[Speaker, str], ...] = ()
    """(role, text) of the earlier messages this step follows up on, redacted like `text`: what the cloud
    gets of the conversation (`device.collab.planners.context` decides how much; often nothing)."""


@dataclass(frozen=True)
class Plan:
    """The steps of one request, in the order the user asked for them."""

    steps: tuple[Step, ...]

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a plan has at least one step")
        indexes = [s.index for s in self.steps]
        if indexes != list(range(len(self.steps))):
            raise ValueError(f"plan steps must be numbered 0..n-1 in order, got {indexes}")
        for s in self.steps:
            if any(d >= s.index or d < 0 for d in s.depends_on):
                raise ValueError(f"step {s.index} depends on {s.depends_on}: only earlier steps can be waited for")

    def __len__(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class Draft:
    """What the device model produced for a step so far, as a router reads it."""

    text: str
    entropies: tuple[float, ...]
    """Entropy (nats) of the model's distribution at each generated token."""
    logprobs: tuple[float, ...] = ()
    """Log-probability of each generated token."""
    finished: bool = True
    """False while the model is still generating (a router asked for an early exit)."""


@dataclass(frozen=True)
class RouteDecision:
    route: Route
    reason: str
    """Why, in words the trace shows: "confident", "uncertain", "capability:code", "forced", ..."""
    uncertainty: float | None = None
    """The router's reading of the draft when it read one (e.g. mean entropy, nats)."""


@dataclass(frozen=True)
class StepResult:
    """A step's answer, still redacted (placeholders), and where it came from."""

    index: int
    text: str
    route: Route
    data: dict[str, object] = field(default_factory=dict, compare=False)
    """What an executor wants to pass on besides text (e.g. a tool call and its result)."""


def answer_route(routes: list[Route] | tuple[Route, ...]) -> AnswerRoute:
    """The overall route of a request from its steps' routes (tools are on the device)."""
    where = {"cloud" if r == "cloud" else "local" for r in routes}
    if len(where) > 1:
        return "split"
    return "cloud" if where == {"cloud"} else "local"
