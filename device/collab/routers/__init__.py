"""Routers by name; `[collab] routers` lists the cascade's members in order.

    tool        a step the planner marked as a tool call goes to the device's tools
    capability  code, exact arithmetic, translation: the cloud, without a local attempt
    personal    a step holding the user's private data stays on the device (`keep_personal_local`)
    entropy     the device drafts; mean token entropy of the draft >= threshold escalates
    logprob     the device drafts; the draft's 10th-percentile token log-probability (negated) >= threshold
                escalates (Gupta et al. 2024: quantiles defer better than the mean)
    deferral    the device drafts; a learned post-hoc deferral rule on the draft's log-prob quantiles,
                entropy, length and the request's form (`tandem route train`; Gupta et al. 2024)
    pregen      before any draft: a classifier of the request's words trained on device/cloud labels
                (`tandem route train`) sends what the device is predicted to get wrong

Each factory takes the `RouterOptions` read from config; built-ins register here like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from device.collab.routers.base import Router, RouterOptions
from device.errors import CollabConfigError

if TYPE_CHECKING:
    from device.collab.routers.logistic import LogisticModel


def _tool(options: RouterOptions) -> Router:
    from device.collab.routers.tool import ToolRouter

    return ToolRouter()


def _capability(options: RouterOptions) -> Router:
    from device.collab.routers.capability import CapabilityRouter

    return CapabilityRouter()


def _personal(options: RouterOptions) -> Router:
    from device.collab.routers.personal import PersonalRouter

    return PersonalRouter(keep_personal_local=options.keep_personal_local)


def _entropy(options: RouterOptions) -> Router:
    from device.collab.routers.entropy import EntropyRouter

    return EntropyRouter(threshold=options.threshold, probe_tokens=options.probe_tokens)


def _logprob(options: RouterOptions) -> Router:
    from device.collab.routers.logprob import LogprobRouter

    return LogprobRouter(threshold=options.logprob_threshold, probe_tokens=options.probe_tokens)


def _learned(options: RouterOptions, name: str) -> LogisticModel:
    from device.collab.routers.logistic import load_model

    if options.models_dir is None:
        raise CollabConfigError(f"the {name} router needs the model cache (models_dir) to find its model")
    return load_model(options.models_dir, name)


def _pregen(options: RouterOptions) -> Router:
    from device.collab.routers.pregen import NAME, PregenRouter

    return PregenRouter(_learned(options, NAME), options.pregen_threshold)


def _deferral(options: RouterOptions) -> Router:
    from device.collab.routers.deferral import NAME, DeferralRouter

    return DeferralRouter(_learned(options, NAME), options.deferral_threshold, probe_tokens=options.probe_tokens)


ROUTERS: dict[str, Callable[[RouterOptions], Router]] = {
    "tool": _tool,
    "capability": _capability,
    "personal": _personal,
    "pregen": _pregen,
    "entropy": _entropy,
    "logprob": _logprob,
    "deferral": _deferral,
}
DEFAULT_CASCADE: tuple[str, ...] = ("tool", "capability", "personal", "entropy")


def check_router_names(names: Sequence[str]) -> None:
    unknown = [n for n in names if n not in ROUTERS]
    if unknown or not names:
        raise CollabConfigError(f"unknown router(s) {unknown} in [collab] routers: use names from "
                                f"{', '.join(ROUTERS)} (in cascade order; at least one)")


def make_router(names: Sequence[str] = DEFAULT_CASCADE, options: RouterOptions | None = None) -> Router:
    """The cascade of the named routers, in order."""
    from device.collab.routers.cascade import CascadeRouter

    check_router_names(names)
    opts = options or RouterOptions()
    return CascadeRouter([ROUTERS[n](opts) for n in names])


__all__ = ["DEFAULT_CASCADE", "ROUTERS", "Router", "RouterOptions", "check_router_names", "make_router"]
