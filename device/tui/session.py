"""What the chat app runs on, and the factory that builds it (real models for the CLI, a tiny one in tests).

The factory runs inside the app (after the first frame is drawn) and reports long work (a first
model build, loading the engine, reaching the broker) through `progress(line)`, which the app
shows on its startup screen. It raises `SessionStartError` with what to do when the device cannot
answer at all (model missing and not buildable).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from device.agent import Agent
from device.cloud_link import CloudLink
from device.errors import DeviceError

Progress = Callable[[str], None]


class SessionStartError(DeviceError):
    """The chat cannot start answering; the message says what to do."""


@dataclass
class ChatSession:
    agent: Agent
    model: str  # device model name
    precision: str  # e.g. "int8"
    profile: str  # hardware profile in effect
    link: CloudLink | None = None  # None: no cloud configured at all
    notices: list[str] = field(default_factory=list)  # shown once in the chat when it opens

    def broker_state(self) -> str:
        return "off" if self.link is None else self.link.state

    def spooled(self) -> int:
        return 0 if self.link is None else self.link.spooled()

    async def close(self) -> None:
        if self.link is not None:
            await self.link.close()
        tools = getattr(self.agent, "tools", None)
        if tools is not None:
            await tools.close()


SessionFactory = Callable[[Progress], Awaitable[ChatSession]]
