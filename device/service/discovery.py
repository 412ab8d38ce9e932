"""Home Assistant MQTT discovery: the service announces its sensors, retained, under one device.

Every sensor reads a field of the retained JSON state document and goes unavailable with the
availability topic, which the broker sets to "offline" through the service's last will.
See https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery for the conventions: each config
names the entity id it should get (`default_entity_id`, which replaced `object_id` in Home Assistant
2025.10) and the software that announced it (`origin`).
"""

from __future__ import annotations

import re
from typing import Any

from device.service.topics import Topics

ONLINE, OFFLINE = "online", "offline"


def slug(text: str) -> str:
    """`text` as Home Assistant writes an object id: lower case, runs of anything else as one `_`."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "device"


# key -> (name, value field, extra config)
SENSORS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "state": ("State", "state", {"icon": "mdi:robot"}),
    "last_route": ("Last route", "last_route", {"icon": "mdi:call-split"}),
    "spooled": ("Spooled escalations", "spooled", {"icon": "mdi:tray-full", "state_class": "measurement"}),
    "cloud_calls_today": ("Cloud calls today", "cloud_calls_today",
                          {"icon": "mdi:cloud-upload", "state_class": "total_increasing"}),
}


def discovery_configs(topics: Topics, *, profile: str, version: str) -> dict[str, dict[str, Any]]:
    """Config topic -> retained config payload, one per sensor."""
    device = {"identifiers": [f"tandem_{topics.device_id}"], "name": f"tandem {topics.device_id}",
              "manufacturer": "tandem", "model": profile, "sw_version": version}
    origin = {"name": "tandem", "sw_version": version}  # who announced it: Home Assistant logs it
    out = {}
    for key, (name, field, extra) in SENSORS.items():
        out[topics.config(key)] = {
            "name": name,
            "unique_id": f"tandem_{topics.device_id}_{key}",
            # the entity id Home Assistant gives it (2025.10 replaced `object_id`, dropped in 2026.4)
            "default_entity_id": f"sensor.tandem_{slug(topics.device_id)}_{key}",
            "state_topic": topics.state,
            "value_template": f"{{{{ value_json.{field} }}}}",
            "availability_topic": topics.availability,
            "payload_available": ONLINE,
            "payload_not_available": OFFLINE,
            "device": device,
            "origin": origin,
            **extra,
        }
    return out
