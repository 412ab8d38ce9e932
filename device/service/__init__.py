"""`tandem serve`: the device's agent as an unattended service.

Local programs ask over a Unix socket (newline-delimited JSON) or a local MQTT command topic
(`tandem/<device>/ask`, MQTT 5 response topic + correlation data, or a JSON fallback for 3.1.1).
The service publishes its state the way home hubs read it: Home Assistant MQTT discovery and a
retained availability topic backed by a last will. Logs carry ids, routes and timings, never text.

Modules: `messages` (request/reply schema), `core` (the one agent behind every face, its stats,
hot swap on reload), `discovery` (Home Assistant payloads), `mqtt_face`, `socket_face`.
"""

from device.service.core import AskService, Backend, ServiceStats
from device.service.messages import AskReply, AskRequest

__all__ = ["AskReply", "AskRequest", "AskService", "Backend", "ServiceStats"]
