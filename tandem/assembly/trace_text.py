"""Human-readable trace of one answer: routes, what left the device, where the time went."""

from __future__ import annotations

import json
from typing import Any

from device.collab.steps import ROUTE_LABELS


def render_trace(answer: Any) -> str:
    lines = ["== answer ==", answer.answer, "", f"== trace (route: {answer.route}) =="]
    if getattr(answer, "sensitive", None):
        lines.append(f"sensitive context: {', '.join(answer.sensitive)}")
    for part in answer.parts:
        u = "-" if part.uncertainty is None else f"{part.uncertainty:.2f}"
        where = f"cloud ({part.cloud_model})" if part.route == "cloud" else ROUTE_LABELS[part.route]
        lines.append(f"part {part.index + 1}: {where}; reason: {part.reason}; uncertainty (mean entropy, "
                     f"nats): {u}; local draft tokens: {part.draft_tokens}")
        lines.append(f"  as seen by the router: {part.redacted_text}")
        if getattr(part, "rewritten_from", None):
            lines.append(f"  generalised from (stayed on the device): {part.rewritten_from}")
        call = getattr(part, "tool_call", None)
        if call:
            by = " (planned by the cloud, executed here)" if call.get("planned_by") == "cloud" else ""
            lines.append(f"  tool call{by}: {call['name']} {json.dumps(call['arguments'], ensure_ascii=False)} -> "
                         f"{json.dumps(call['result'], ensure_ascii=False, default=str)}")
    lines.append("")
    lines.append(f"== left the device ({len(answer.sent)} sealed message(s); shown as sent, before encryption) ==")
    if not answer.sent:
        lines.append("nothing")
    for item in answer.sent:
        lines.append(f"task {item['task_id']} -> {item['topic']} ({item['wire_bytes']} bytes sealed)")
        lines.append("  " + json.dumps(item["payload"], ensure_ascii=False))
    lines.append("")
    lines.append("== time (ms) ==")
    lines.append(", ".join(f"{k}: {v:.0f}" for k, v in answer.timings_ms.items()))
    for n in answer.notices:
        lines.append(f"[note] {n}")
    return "\n".join(lines)
