"""The chat pane, the per-turn trace panel and the status bar."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

LABELS = {"user": "you", "assistant": "tandem", "notice": "note", "error": "error"}


class ChatMessage(Static):
    """One line of the conversation; an assistant message grows while tokens stream in."""

    def __init__(self, kind: str, text: str) -> None:
        super().__init__(classes=kind)
        self.kind = kind
        self.text = text
        self.final = False

    def on_mount(self) -> None:
        self._show()

    def set_text(self, text: str, *, final: bool = False) -> None:
        self.text = text
        self.final = final
        self._show()

    def _show(self) -> None:
        label = Text(f"{LABELS[self.kind]} › ", style="bold")
        self.update(label + Text(self.text))


class ChatLog(VerticalScroll):
    """The conversation, newest at the bottom."""

    def add(self, kind: str, text: str) -> ChatMessage:
        message = ChatMessage(kind, text)
        self.mount(message)
        self.call_after_refresh(self.scroll_end, animate=False)
        return message

    def clear(self) -> None:
        self.remove_children()


class TracePanel(VerticalScroll):
    """One block per turn: route, uncertainty, what left the device, time per stage."""

    ALLOW_MAXIMIZE = True

    def __init__(self, **kwargs: str) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.texts: list[str] = []  # plain text of every turn shown, for tests and copy-out

    def add_turn(self, trace: Text) -> None:
        self.query(".hint").remove()
        self.texts.append(trace.plain)
        block = Static(trace, classes="turn")
        self.mount(block)
        # the newest turn from its first line: its route comes before its details
        self.call_after_refresh(self.scroll_to_widget, block, top=True, animate=False)

    def clear(self) -> None:
        self.texts.clear()
        self.remove_children()
        self.mount(Static("Each turn shows here: its route, the uncertainty that decided it, exactly what "
                          "left the device (placeholders only) and the time per stage.", classes="hint"))


@dataclass(frozen=True)
class StatusInfo:
    model: str = "no model"
    precision: str = ""
    profile: str = "?"
    broker: str = "off"  # "connected" | "reconnecting" | "down" | "off"
    spooled: int = 0
    usage: str = "0 calls, 0 B"
    next_route: str | None = None
    busy: bool = False


BROKER_STYLE = {"connected": "green", "reconnecting": "yellow", "down": "red", "off": "dim"}


class StatusBar(Static):
    """One line when it fits; otherwise it breaks between segments, never inside one."""

    def __init__(self, **kwargs: str) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.info = StatusInfo()

    def show(self, info: StatusInfo) -> None:
        self.info = info
        segments = [
            Text(f"{info.model} {info.precision}".rstrip(), style="bold"),
            Text(info.profile),
            Text.assemble("broker ", (info.broker, BROKER_STYLE.get(info.broker, ""))),
            Text(f"spool {info.spooled}"),
            Text(f"cloud {info.usage}"),
        ]
        if info.next_route:
            segments.append(Text.assemble("next: ", (info.next_route, "bold reverse")))
        if info.busy:
            segments.append(Text("answering…", style="italic"))
        width = self.size.width or 80
        out, line_len = Text(" "), 1
        for i, segment in enumerate(segments):
            sep = " │ " if i else ""
            if i and line_len + len(sep) + len(segment) > width:
                out.append("\n ")
                line_len, sep = 1, ""
            out.append(sep)
            out.append_text(segment)
            line_len += len(sep) + len(segment)
        self.update(out)

    def on_resize(self) -> None:
        self.show(self.info)
