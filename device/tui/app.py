"""The chat app. `make_app(settings, agent_factory=...)` is what the CLI and the tests build.

Concurrency: Textual's event loop is the agent's loop. Each turn runs `agent.ask` as a worker;
tokens arrive from the engine's thread and hop onto the loop with `call_soon_threadsafe`, in order,
before the turn's result does. Every key works without a mouse and fits 80x24.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar, Protocol

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Footer, Input

from device.agent import Answer
from device.collab.steps import Force
from device.personal.conversations import new_conversation_id
from device.redaction.vault import Vault
from device.tui.screens import ConfirmScreen, StartupScreen, VaultScreen
from device.tui.session import ChatSession, SessionFactory
from device.tui.trace_view import Usage, render_turn
from device.tui.widgets import ChatLog, ChatMessage, StatusBar, StatusInfo, TracePanel
from protocol.errors import TandemError


class ChatSettings(Protocol):
    """What the app reads from settings (tandem.settings.Settings fits)."""

    device_id: str
    broker_url: str


class ChatApp(App[None]):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "tandem"
    ENABLE_COMMAND_PALETTE = False  # ctrl+p stays free; every action has its own key
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l,f2", "force('local')", "Local next", priority=True),
        Binding("ctrl+o,f3", "force('cloud')", "Cloud next", priority=True),
        Binding("ctrl+g,f4", "vault", "Vault", priority=True),
        Binding("ctrl+n,f5", "new_conversation", "New chat", priority=True),
        Binding("ctrl+t,f6", "zoom_trace", "Trace", priority=True),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]
    CHAT_ACTIONS = frozenset({"force", "vault", "new_conversation", "zoom_trace"})

    def __init__(self, settings: ChatSettings, agent_factory: SessionFactory) -> None:
        super().__init__()
        self.settings = settings
        self.factory = agent_factory
        self.session: ChatSession | None = None
        self.start_error: str | None = None
        self.force_next: Force | None = None
        self.busy = False
        self.usage = Usage()
        self.turns = 0
        self.placeholders: dict[str, str] = {}  # placeholder -> entity type, this conversation
        self._last_broker: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield ChatLog(id="chat")
            yield TracePanel(id="trace")
        yield Input(placeholder="Ask something, Enter to send", id="prompt")
        yield StatusBar(id="status")
        yield Footer()

    # -- start ------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        # however the zoomed trace closes (ctrl+t, Esc), the keys go back to the prompt
        self.watch(self.screen, "maximized", self._maximized_changed, init=False)
        self.query_one(TracePanel).border_title = "what left the device"
        self.query_one(TracePanel).clear()
        self.refresh_status()
        self.set_interval(1.0, self.refresh_status)
        self.push_screen(StartupScreen())
        self.run_worker(self._start(), group="start", exclusive=True)

    async def _start(self) -> None:
        loop = asyncio.get_running_loop()
        screen = self.screen
        assert isinstance(screen, StartupScreen)

        def progress(line: str) -> None:  # from any thread: the build's reader, the loader
            loop.call_soon_threadsafe(screen.add_line, line)

        chat = self.query_one(ChatLog)
        try:
            self.session = await self.factory(progress)
        except TandemError as exc:
            self.start_error = str(exc)
            self.pop_screen()
            chat.add("error", f"{exc}")
        else:
            self.pop_screen()
            for notice in self.session.notices:
                chat.add("notice", notice)
            if self.session.link is not None:
                self.session.link.on_change = self._link_changed
            chat.add("notice", f"Ready: {self.session.model} ({self.session.precision}) answers on this "
                     "device; uncertain parts go to the cloud redacted and sealed.")
        self.refresh_status()
        self.focus_prompt()

    def focus_prompt(self) -> None:
        """Give the keys back to the prompt, so what the user types next is never lost.

        Not while the trace is zoomed: there the keys scroll it, and closing it comes back here.
        """
        prompt = self.query_one(Input)
        if prompt.screen.maximized is None:
            prompt.focus()

    def _maximized_changed(self, maximized: Widget | None) -> None:
        if maximized is None:
            self.focus_prompt()

    def _link_changed(self) -> None:
        self.query_one(ChatLog).add("notice", "The broker answers again: uncertain parts may go to the cloud.")
        self.refresh_status()

    async def on_unmount(self) -> None:
        if self.session is not None:
            await self.session.close()

    # -- status -----------------------------------------------------------------------------------

    def refresh_status(self) -> None:
        session = self.session
        broker = session.broker_state() if session else "off"
        if self._last_broker == "connected" and broker == "reconnecting" and self.is_running:
            self.query_one(ChatLog).add("notice", "Lost the broker: answering on the device until it is back.")
        self._last_broker = broker
        info = StatusInfo(
            model=session.model if session else ("model missing" if self.start_error else "starting"),
            precision=session.precision if session else "",
            profile=session.profile if session else "?",
            broker=broker, spooled=session.spooled() if session else 0,
            usage=self.usage.short(), next_route=self.force_next, busy=self.busy,
        )
        self.query_one(StatusBar).show(info)

    # -- turns ------------------------------------------------------------------------------------

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        chat = self.query_one(ChatLog)
        if self.session is None:
            chat.add("error", f"Cannot answer: {self.start_error or 'still starting'}")
            return
        if self.busy:
            self.notify("Still answering the last question.", severity="warning")
            return
        event.input.value = ""
        force, self.force_next = self.force_next, None
        chat.add("user", text)
        reply = chat.add("assistant", "…")
        self.busy = True
        self.refresh_status()
        self.run_worker(self._ask(text, force, reply), group="ask", exclusive=True)

    async def _ask(self, text: str, force: Force | None, reply: ChatMessage) -> None:
        assert self.session is not None
        loop = asyncio.get_running_loop()
        streamed: dict[int, str] = {}

        def stream(part: int, chunk: str) -> None:
            if reply.final:
                return
            streamed[part] = streamed.get(part, "") + chunk
            reply.set_text("\n\n".join(streamed[i] for i in sorted(streamed)).strip() or "…")

        def on_token(part: int, chunk: str) -> None:  # engine thread or loop: keep the order
            loop.call_soon_threadsafe(stream, part, chunk)

        chat = self.query_one(ChatLog)
        try:
            answer = await self.session.agent.ask(text, force=force, on_token=on_token, confirm=self._confirm)
        except TandemError as exc:
            reply.set_text("(no answer)", final=True)
            chat.add("error", str(exc))
        else:
            reply.set_text(answer.answer, final=True)
            for notice in answer.notices:
                chat.add("notice", notice)
            self._record(answer, force)
        finally:
            self.busy = False
            self.refresh_status()
            chat.scroll_end(animate=False)
            self.focus_prompt()

    async def _confirm(self, kind: str, question: str) -> bool:
        """Ask the user (a modal yes/no); runs inside the turn's worker."""
        return await self.push_screen_wait(ConfirmScreen(question))

    def _record(self, answer: Answer, force: Force | None) -> None:
        assert self.session is not None
        self.turns += 1
        self.usage.add(answer)
        for entity in answer.entities:
            self.placeholders.setdefault(entity["placeholder"], entity["type"])
        trace = render_turn(self.turns, answer, self.session.agent.config.threshold, force)
        self.query_one(TracePanel).add_turn(trace)

    # -- keys -------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # nothing to act on until the session is up
        return not (action in self.CHAT_ACTIONS and isinstance(self.screen, StartupScreen))

    def action_force(self, route: Force) -> None:
        self.force_next = None if self.force_next == route else route
        if self.force_next == "cloud" and self.session is not None and self.session.agent.escalator is None:
            self.notify("The cloud is not reachable now: the next turn stays on the device.", severity="warning")
        elif self.force_next:
            self.notify(f"Next turn: {route} only.")
        else:
            self.notify("Next turn: routed by uncertainty.")
        self.refresh_status()

    def action_vault(self) -> None:
        if isinstance(self.screen, VaultScreen):
            return
        vault = self.session.agent.vault if self.session else Vault()
        rows = [(p, kind, vault.restore(p)) for p, kind in self.placeholders.items()]
        self.push_screen(VaultScreen(rows))

    def action_zoom_trace(self) -> None:
        """The trace panel full screen (narrow terminals), and back."""
        if isinstance(self.screen, VaultScreen):
            return
        panel = self.query_one(TracePanel)
        if self.screen.maximized is panel:
            self.screen.minimize()  # the prompt gets the keys back: _maximized_changed
        else:
            self.screen.maximize(panel, container=False)
            panel.focus()  # arrows and page keys scroll it

    def action_new_conversation(self) -> None:
        if isinstance(self.screen, VaultScreen):
            self.pop_screen()  # it shows the old conversation's values
        if self.busy:
            self.notify("Wait for the answer to finish, then start a new conversation.", severity="warning")
            return
        if self.session is not None:
            # a fresh conversation: the old one's values are gone from this screen, and the old one's stored
            # vault and turns stay as they were on disk (`tandem logs`, `tandem chat --conversation ID`)
            self.session.agent.open_conversation(new_conversation_id("chat"), face="chat")
        self.placeholders.clear()
        self.turns = 0
        self.force_next = None
        self.query_one(ChatLog).clear()
        self.query_one(TracePanel).clear()
        self.query_one(ChatLog).add("notice", "New conversation: the vault is empty again.")
        self.refresh_status()
        self.focus_prompt()


def make_app(settings: ChatSettings, agent_factory: SessionFactory) -> ChatApp:
    """The chat app over a session built by `agent_factory(progress)` (see device.tui.session)."""
    return ChatApp(settings, agent_factory)
