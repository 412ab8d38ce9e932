"""Home Assistant MQTT discovery: the service announces its sensors, retained, under one device.

Every sensor reads a field of the retained JSON state document and goes unavailable with the
availability topic, which the broker sets to "offline" through the service's last will.
See https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery for the conventions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ONLINE, OFFLINE = "online", "offline"


@dataclass(frozen=True)
class Topics:
    device_id: str
    discovery_prefix: str = "homeassistant"

    @property
    def base(self) -> str:
        return f"tandem/{self.device_id}"

    @property
    def ask(self) -> str:
        return f"{self.base}/ask"

    @property
    def reply(self) -> str:
        """Default reply topic for requests that name none (MQTT 3.1.1 without `reply_to`)."""
        return f"{self.base}/reply"

    @property
    def state(self) -> str:
        return f"{self.base}/state"

    @property
    def availability(self) -> str:
        return f"{self.base}/availability"

    def config(self, key: str) -> str:
        return f"{self.discovery_prefix}/sensor/tandem_{self.device_id}/{key}/config"


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
    out = {}
    for key, (name, field, extra) in SENSORS.items():
        out[topics.config(key)] = {
            "name": name,
            "unique_id": f"tandem_{topics.device_id}_{key}",
            "object_id": f"tandem_{topics.device_id}_{key}",
            "state_topic": topics.state,
            "value_template": f"{{{{ value_json.{field} }}}}",
            "availability_topic": topics.availability,
            "payload_available": ONLINE,
            "payload_not_available": OFFLINE,
            "device": device,
            **extra,
        }
    return out
