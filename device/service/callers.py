"""Who is asking: every request reaches the service with the identity its face established.

- Socket face: the Unix peer credentials (SO_PEERCRED) of the connecting process, i.e. its uid;
  the kernel vouches for it (the socket itself is 0660, so only the service's user and group connect).
- MQTT face: the last level of the ask topic, `tandem/<device>/ask/<caller>`. On a broker with
  accounts the ACL makes it the caller's account name (`verified`); on an anonymous broker anyone can
  publish there, so the name is only a claim (`verified` False).

A named conversation is bound to the caller that opened it (`Caller.key`, kept in the conversation's
sealed vault); only verified callers may open or continue one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    face: str  # "unix" | "mqtt" | "process"
    name: str  # the uid on the socket, the account name on MQTT
    verified: bool  # the broker or the kernel vouches for `name`

    @property
    def key(self) -> str:
        """The owner recorded for a conversation this caller opens."""
        return f"{self.face}:{self.name}"


IN_PROCESS = Caller("process", "self", verified=True)
"""A request made by code in the service's own process (tests, embedding)."""
