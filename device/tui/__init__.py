"""`tandem chat`: a terminal UI that shows, turn by turn, what left the device.

The chat pane streams the answer; the side panel shows each turn's route, the uncertainty that
decided it, the exact payloads that were sealed and sent (placeholders, never values) and the
time per stage; the status bar shows model, hardware profile, broker, spool and cloud usage.
Values appear only on the vault screen. Textual is imported here, never by `tandem --help`.

Layout: `session` (what the app runs on, built by a factory), `trace_view` (pure rendering of one
turn), `widgets`, `screens` (startup progress, vault), `app` (`make_app`).
"""

from device.tui.app import ChatApp, make_app
from device.tui.session import ChatSession, SessionFactory, SessionStartError

__all__ = ["ChatApp", "ChatSession", "SessionFactory", "SessionStartError", "make_app"]
