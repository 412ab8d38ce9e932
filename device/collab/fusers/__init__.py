"""Fusers by name (`[collab] fuser` in config).

    compose the steps' answers in request order without echoes of the request or repeats, values
            restored last (`device.collab.fusers.compose`; the default)
    concat  the steps' answers in request order as they came, values restored last (`device.collab.fusers.concat`)
"""

from __future__ import annotations

from collections.abc import Callable

from device.collab.fusers.base import Fuser
from device.errors import CollabConfigError


def _concat() -> Fuser:
    from device.collab.fusers.concat import ConcatFuser

    return ConcatFuser()


def _compose() -> Fuser:
    from device.collab.fusers.compose import ComposeFuser

    return ComposeFuser()


FUSERS: dict[str, Callable[[], Fuser]] = {"compose": _compose, "concat": _concat}


def make_fuser(name: str) -> Fuser:
    try:
        factory = FUSERS[name]
    except KeyError:
        raise CollabConfigError(f"unknown fuser {name!r}: set [collab] fuser to one of "
                                f"{', '.join(sorted(FUSERS))}") from None
    return factory()


__all__ = ["FUSERS", "Fuser", "make_fuser"]
