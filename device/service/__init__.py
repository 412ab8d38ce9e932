"""`tandem serve`: the device's agent as an unattended service.

Local programs ask over a Unix socket (newline-delimited JSON; the caller is the peer's uid) or an
MQTT command topic per caller (`tandem/<device>/ask/<caller>`, MQTT 5 response topic + correlation
data, or a JSON fallback for 3.1.1), answered only under that caller's reply prefix. The service
publishes its state the way home hubs read it: Home Assistant MQTT discovery and a retained
availability topic backed by a last will. Logs carry sequence numbers, routes and timings, never
text, and nothing a client chose except as a keyed hash.

Modules: `messages` (request/reply schema), `callers` (who asks), `topics` (topic names and which
belong to which caller), `core` (the one agent behind every face, conversation binding, its stats,
hot swap on reload), `exposure` (is the command broker open to strangers), `log_tags`, `discovery`
(Home Assistant payloads), `mqtt_face`, `socket_face`.
"""

from device.service.core import AskService, Backend, ServiceStats
from device.service.messages import AskReply, AskRequest

__all__ = ["AskReply", "AskRequest", "AskService", "Backend", "ServiceStats"]
