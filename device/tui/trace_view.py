"""One turn's trace as the side panel shows it: route, uncertainty, what left the device, time.

Pure functions over `Answer` (no Textual), so tests can check the text directly. Only fields that
hold placeholders are rendered: the part as routed and the sealed payloads; never the answer, the
user's text or the vault.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from rich.text import Text

from device.agent import Answer
from device.collab.steps import ROUTE_LABELS

# agent timing keys -> what the user reads, in pipeline order
STAGES = (
    ("redact", "redact"),
    ("divide", "divide"),
    ("local_model", "local draft"),
    ("cloud_round_trip", "cloud round trip"),
    ("network_and_crypto", "network+crypto"),
    ("cloud_backend", "cloud model"),
    ("waited_for_cloud", "waited for cloud"),
    ("fusion", "fusion"),
    ("total", "total"),
)
ROUTE_STYLE = {"local": "bold green", "tool": "bold green", "cloud": "bold magenta", "split": "bold yellow"}


@dataclass
class Usage:
    """Cloud usage this session (all conversations)."""

    calls: int = 0
    wire_bytes: int = 0
    cloud_parts: int = 0

    def add(self, answer: Answer) -> None:
        self.calls += len(answer.sent)
        self.wire_bytes += sum(int(s.get("wire_bytes", 0)) for s in answer.sent)
        self.cloud_parts += sum(1 for p in answer.parts if p.route == "cloud")

    def short(self) -> str:
        return f"{self.calls} call{'s' if self.calls != 1 else ''}, {_size(self.wire_bytes)}"


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} kB"


def render_turn(number: int, answer: Answer, threshold: float, forced: str | None = None) -> Text:
    out = Text()
    out.append(f"Turn {number} ", style="bold")
    out.append(answer.route, style=ROUTE_STYLE.get(answer.route, "bold"))
    if forced:
        out.append(f" (forced {forced})", style="dim")
    out.append("\n")
    for part in answer.parts:
        where = (f"cloud {part.cloud_model or ''}".rstrip() if part.route == "cloud" else ROUTE_LABELS[part.route])
        out.append(f" part {part.index + 1}: ", style="bold")
        out.append(where, style=ROUTE_STYLE.get(part.route, ""))
        out.append(f" · {part.reason}\n")
        if part.rewritten_from:
            out.append(f"   generalised from: {part.rewritten_from}\n", style="dim")
        if part.tool_call:
            args = json.dumps(part.tool_call["arguments"], ensure_ascii=False)
            out.append(f"   {part.tool_call['name']} {args}\n")
        if part.uncertainty is None:
            out.append("   uncertainty: not measured\n", style="dim")
        else:
            cmp = "≥" if part.uncertainty >= threshold else "<"
            out.append(f"   uncertainty {part.uncertainty:.2f} {cmp} {threshold:.2f} nats\n")
    out.append(f"Left the device ({len(answer.sent)}):\n", style="bold")
    if not answer.sent:
        out.append(" nothing\n", style="green")
    for item in answer.sent:
        out.append(f" {item['topic']} · {_size(int(item['wire_bytes']))} sealed\n", style="dim")
        out.append(" " + json.dumps(item["payload"], ensure_ascii=False) + "\n")
    out.append("Time (ms):\n", style="bold")
    known = dict(STAGES)
    stages = [f"{label} {answer.timings_ms[key]:.0f}" for key, label in STAGES if key in answer.timings_ms]
    stages += [f"{key} {value:.0f}" for key, value in answer.timings_ms.items() if key not in known]
    out.append(" " + " · ".join(stages) + "\n")
    for notice in answer.notices:
        out.append(f" ! {notice}\n", style="yellow")
    return out
