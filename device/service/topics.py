"""The service's MQTT topics, and which of them belong to which caller.

A caller asks on `tandem/<device>/ask/<caller>` and is answered under `tandem/<device>/reply/<caller>`.
The broker's ACL (`tandem broker users --caller NAME`) lets an account publish only to the ask topic
that ends in its own user name and read only its own reply prefix, so the last level of the ask topic
*is* the caller's identity: the service subscribes `tandem/<device>/ask/+` and reads it from there.
A reply topic a client asks for (MQTT 5 response topic, 3.1.1 `reply_to`) is used only when it is the
caller's reply prefix or a topic below it, with no wildcard: never another caller's or device's topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CALLER_RE = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)
"""A caller name: a broker account name (the same rule as device ids)."""
MAX_REPLY_TOPIC = 500


@dataclass(frozen=True)
class Topics:
    device_id: str
    discovery_prefix: str = "homeassistant"

    @property
    def base(self) -> str:
        return f"tandem/{self.device_id}"

    @property
    def ask(self) -> str:
        """The subscription: one ask topic per caller, the caller's name as its last level."""
        return f"{self.base}/ask/+"

    @property
    def notify(self) -> str:
        """Reminders, alarms, timers and messages as they fire (not retained; callers may read it)."""
        return f"{self.base}/notify"

    def ask_of(self, caller: str) -> str:
        return f"{self.base}/ask/{caller}"

    def reply_prefix(self, caller: str) -> str:
        """Where replies to `caller` go: this topic (the default) or one below it."""
        return f"{self.base}/reply/{caller}"

    def caller_of(self, topic: str) -> str | None:
        """The caller a request on `topic` came from, or None when the topic is not an ask topic
        of this device or its last level is not a valid caller name."""
        head = f"{self.base}/ask/"
        if not topic.startswith(head):
            return None
        caller = topic[len(head):]
        return caller if CALLER_RE.fullmatch(caller) else None

    def reply_allowed(self, topic: str, caller: str) -> bool:
        """May a reply to `caller` go to `topic`? Only its own prefix or below, no wildcards."""
        prefix = self.reply_prefix(caller)
        if len(topic) > MAX_REPLY_TOPIC or any(c in topic for c in "+#\x00"):
            return False
        return topic == prefix or (topic.startswith(prefix + "/") and "//" not in topic[len(prefix):]
                                   and not topic.endswith("/"))

    @property
    def state(self) -> str:
        return f"{self.base}/state"

    @property
    def availability(self) -> str:
        return f"{self.base}/availability"

    def config(self, key: str) -> str:
        return f"{self.discovery_prefix}/sensor/tandem_{self.device_id}/{key}/config"
