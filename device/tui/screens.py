"""Screens besides the chat: startup progress (first model build, loading), the vault, and a yes/no question."""

from __future__ import annotations

import time
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, RichLog, Static


class StartupScreen(Screen[None]):
    """Shown while the session starts: every progress line, and how long it has been working."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "app.quit", "Quit", priority=True)]
    show_elapsed_after_s = 2.0  # a heartbeat for long steps (a model build takes minutes)

    def compose(self) -> ComposeResult:
        with Vertical(id="startup"):
            yield Static("Starting tandem: the device model loads (and is built on first use).", id="startup-title")
            yield RichLog(id="startup-log", wrap=True, markup=False)
            yield Static("", id="startup-elapsed")
        yield Footer()

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []  # every progress line, as reported

    def on_mount(self) -> None:
        self._t0 = time.monotonic()
        self.set_interval(1.0, self._tick)

    def add_line(self, line: str) -> None:
        self.lines.append(line)
        self.query_one(RichLog).write(line)

    def _tick(self) -> None:
        elapsed = time.monotonic() - self._t0
        if elapsed >= self.show_elapsed_after_s:
            minutes, seconds = divmod(int(elapsed), 60)
            self.query_one("#startup-elapsed", Static).update(f"working… {minutes}:{seconds:02d}")


class VaultScreen(ModalScreen[None]):
    """The only place values are shown: this conversation's placeholder -> value map."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "dismiss", "Close")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="vault"):
            yield Static("Vault of this conversation: stays on the device; the cloud saw only the "
                         "placeholders.", id="vault-title")
            table: DataTable[str] = DataTable(id="vault-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("placeholder", "type", "value")
            for row in self.rows:
                table.add_row(*row)
            yield table
            if not self.rows:
                yield Static("Nothing redacted yet in this conversation.", id="vault-empty")
            yield Static("esc: close", id="vault-help")


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question (e.g. may a request with sensitive context go to the cloud?); no by default."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("y", "answer(True)", "Yes"),
                                             Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(self.question, id="confirm-question")
            yield Static("y: yes · n / esc: no (the device answers itself)", id="confirm-help")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
