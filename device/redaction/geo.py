"""GPS coordinates: a latitude/longitude pair pinpoints a home to a few metres.

Accepted: decimal pairs with at least four decimals each ("47.376887, 8.541694", "-33.8688 151.2093"),
with degree signs and hemispheres ("47.3769° N, 8.5417° E"), and degrees-minutes-seconds
("47°22'36.8\"N 8°32'30.1\"E"). Both numbers must be in range. A lone decimal ("pi is 3.14159")
or a version ("1.2.3") is not a coordinate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from device.redaction.detectors import Span

_NUM = r"[-+−]?[0-9]{1,3}\.[0-9]{4,}"  # four decimals: "1.500, 2.000" are amounts
_DEC_RE = re.compile(
    r"(?<![0-9A-Za-z.])(?P<lat>" + _NUM + r")\s*°?\s*(?P<ns>[NS])?"
    r"\s*[,;/ ]\s*"
    r"(?P<lon>" + _NUM + r")\s*°?\s*(?P<ew>[EWO])?(?![0-9A-Za-z]|\.[0-9])"
)
_DMS = r"[0-9]{1,3}\s*°\s*[0-9]{1,2}\s*['′]\s*(?:[0-9]{1,2}(?:\.[0-9]+)?\s*(?:\"|″|''))?\s*"
_DMS_RE = re.compile(r"(?<![0-9])" + _DMS + r"[NS]\s*,?\s*" + _DMS + r"[EWO](?![A-Za-z])")


def find_coordinates(text: str) -> Iterator[Span]:
    for m in _DEC_RE.finditer(text):
        lat, lon = (float(m.group(k).replace("−", "-")) for k in ("lat", "lon"))
        if abs(lat) <= 90 and abs(lon) <= 180:
            yield Span("GPS", m.start(), m.end())
    for m in _DMS_RE.finditer(text):
        yield Span("GPS", m.start(), m.end())
