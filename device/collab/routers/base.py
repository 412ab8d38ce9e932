"""The router seam: where one step is answered (`Route`: the device, the cloud, a device tool).

RouteLLM's shape: a router reads a step (and, if it needs one, the device model's draft of it) and
decides. Routers compose in a cascade (`device.collab.routers.cascade`), in config order; the
first that decides wins, so each router speaks only about what it knows:

- `decide(step, None)` is asked before the device drafts. A router that reads only the request
  (capability rules, a pre-generation classifier) decides or abstains (None) here.
- A router that reads the draft (`needs_draft` true) abstains until it has one: `decide(step,
  draft)` is asked once the device drafted the step, and also part-way through (`draft.finished`
  false, after `probe_tokens` tokens) so that a step the device is guessing at escalates early.
- `uncertainty(draft)` is the router's reading of a draft for the trace, or None if it reads none.

Routers decide where a step is answered *best*. Hard rules stay with the agent around them: the
privacy policy (a step whose private values cannot be removed never leaves), the user forcing a
route, and a cloud that is not reachable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from device.collab.steps import Draft, RouteDecision, Step


class Router(Protocol):
    @property
    def name(self) -> str:
        """The registry name."""
        ...

    @property
    def needs_draft(self) -> bool:
        """True when this router reads the device's draft (the agent drafts before asking it)."""
        ...

    @property
    def probe_tokens(self) -> int | None:
        """Tokens of a draft after which this router can already decide (early exit); None: never early."""
        ...

    def decide(self, step: Step, draft: Draft | None) -> RouteDecision | None:
        """A decision, or None to leave it to the next router (or to ask again with a draft)."""
        ...

    def uncertainty(self, draft: Draft) -> float | None:
        """This router's reading of `draft` (shown in the trace), or None."""
        ...


def still_probing(draft: Draft, probe_tokens: int | None, drafted: int) -> bool:
    """A draft asked about part-way (`finished` false) that has not reached the probe yet: too little
    drafted to judge, ask again later."""
    return not draft.finished and probe_tokens is not None and drafted < probe_tokens


def threshold_decision(score: float, threshold: float, how: str = "") -> RouteDecision:
    """A draft reader's verdict: `score >= threshold` escalates ("uncertain"), else the step stays
    ("confident"); `how` names the reading in the reason ("learned deferral")."""
    suffix = f" ({how})" if how else ""
    if score >= threshold:
        return RouteDecision("cloud", f"uncertain{suffix}", score)
    return RouteDecision("local", f"confident{suffix}", score)


@dataclass(frozen=True)
class RouterOptions:
    """What the built-in routers read from config (`[escalation]`)."""

    threshold: float = 1.6
    """Mean per-token entropy (nats) of the draft's first `probe_tokens` at or above which a step escalates."""
    probe_tokens: int = 48
    keep_personal_local: bool = True
    logprob_threshold: float = 2.5
    """The `logprob` router's cut: the draft's 10th-percentile token log-probability, negated (nats)."""
    deferral_threshold: float | None = None
    """The `deferral` router's cut (None: the one its model file holds)."""
    pregen_threshold: float | None = None
    """The `pregen` router's cut (None: the one its model file holds, written by `tandem route calibrate`)."""
    models_dir: Path | None = None
    """Where the `pregen` router's model lives (`<models_dir>/route-pregen/model.json`)."""
