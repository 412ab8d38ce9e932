"""Keep the agent's way to the cloud attached while the broker answers, and retry while it does not.

Both faces of the device (the chat UI and the headless service) start with the broker possibly
down. The agent then answers on the device (its escalator is None, and routing says "broker
unreachable (<url>)"), and this link retries in the background; once a fresh escalator connects it is
attached to the agent and the next turn may escalate again. After the first connection paho
reconnects by itself, and `state` reports that.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from device.agent import Agent
from device.errors import BrokerUnavailable
from device.escalation import Escalator

log = logging.getLogger(__name__)


class CloudLink:
    """The escalator's lifecycle for one agent: connect, retry, report, close."""

    def __init__(self, agent: Agent, make_escalator: Callable[[], Escalator], *, broker_url: str,
                 retry_s: float = 10.0) -> None:
        self.agent = agent
        self.broker_url = broker_url
        self.retry_s = retry_s
        self.last_error: str | None = None
        self._make = make_escalator
        self._escalator: Escalator | None = None
        self._retry: asyncio.Task[None] | None = None
        self.on_change: Callable[[], None] | None = None  # called on the loop when `state` changes

    @property
    def state(self) -> str:
        """"connected", "reconnecting" (lost after it was up), or "down" (never reached, retrying)."""
        if self._escalator is None:
            return "down"
        return "connected" if _is_connected(self._escalator) else "reconnecting"

    @property
    def escalator(self) -> Escalator | None:
        return self._escalator

    def resent(self) -> int:
        """Escalations re-sent because their result was overdue (a broker drop, a lost worker), this link."""
        return 0 if self._escalator is None else self._escalator.resent

    def spooled(self) -> int:
        """Escalations accepted but not yet answered (the escalator's spool); 0 without an escalator."""
        if self._escalator is None:
            return 0
        return self._escalator.spool.counts()["pending"]

    async def start(self) -> bool:
        """Try once now; on failure keep retrying in the background. True when connected."""
        if await self._try():
            return True
        self._retry = asyncio.create_task(self._retry_loop(), name="cloud-link-retry")
        return False

    async def _try(self) -> bool:
        escalator = self._make()
        try:
            await escalator.start()
        except BrokerUnavailable as exc:
            self.last_error = str(exc)
            self.agent.offline_reason = f"broker unreachable ({self.broker_url})"
            await escalator.close()  # releases its spool; the next attempt builds a fresh one
            log.info("broker unreachable url=%s; answering on the device, retry in %.0f s", self.broker_url,
                     self.retry_s)
            return False
        self._escalator = escalator
        self.agent.escalator = escalator
        self.agent.offline_reason = None
        self.last_error = None
        log.info("cloud link up url=%s", self.broker_url)
        if self.on_change is not None:
            self.on_change()
        return True

    async def _retry_loop(self) -> None:
        while True:
            await asyncio.sleep(self.retry_s)
            if await self._try():
                return

    async def close(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retry
        if self._escalator is not None:
            if self.agent.escalator is self._escalator:
                self.agent.escalator = None
            await self._escalator.close()
            self._escalator = None


def _is_connected(escalator: Escalator) -> bool:
    # Escalator has no public connection state yet; its paho client knows (read-only use).
    return bool(escalator._client.is_connected())
