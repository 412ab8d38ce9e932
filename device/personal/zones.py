"""Which time zone the device lives in: a real zone (with its DST rules), never a fixed offset.

"Friday at 9" must mean 09:00 on the wall clock of the home, also in the week the clocks change.
`datetime.now().astimezone()` gives only today's offset (+01:00), which is wrong for a date past a
DST change, so the zone comes from config (`[personal] timezone`, an IANA name such as
"Europe/Zurich"), else `$TZ`, else the system's `/etc/localtime` (read as a whole zone file).
"""

from __future__ import annotations

import os
from datetime import timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from device.errors import PersonalError

LOCALTIME = Path("/etc/localtime")


def zone(name: str | None = None) -> tzinfo:
    """The zone called `name` (IANA), or the system's when None."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise PersonalError(f"unknown time zone {name!r}: use an IANA name such as 'Europe/Zurich' "
                                "(see /usr/share/zoneinfo)") from exc
    return local_zone()


def local_zone() -> tzinfo:
    """The system's zone: `$TZ` (an IANA name), else `/etc/localtime`, else UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass  # a POSIX TZ string ("CET-1CEST"): fall back to the zone file below
    try:
        target = os.readlink(LOCALTIME)
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        try:
            return ZoneInfo(target.rsplit("zoneinfo/", 1)[1])
        except (ZoneInfoNotFoundError, ValueError):
            pass  # a link into an unusual tree: read the file itself below
    try:
        with LOCALTIME.open("rb") as f:
            return ZoneInfo.from_file(f, key="localtime")
    except (OSError, ValueError):
        return timezone.utc
