"""Chat templates rendered without jinja: the device models speak ChatML.

SmolLM2-Instruct and Qwen2.5-Instruct both use `<|im_start|>role\\ncontent<|im_end|>\\n`;
the manifest names the format and the model's default system prompt (Qwen inserts one when
the conversation has none, and answers worse without it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from inference.errors import ModelError


@dataclass(frozen=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


def render(fmt: str | None, messages: Sequence[Message], default_system: str | None) -> str:
    """The prompt text for `messages`, ending where the assistant's answer begins."""
    if fmt != "chatml":
        raise ModelError(f"chat format {fmt!r} is not supported by this engine (supported: chatml); "
                         "rebuild the model with `tandem model build`")
    parts: list[str] = []
    if default_system and (not messages or messages[0].role != "system"):
        parts.append(f"<|im_start|>system\n{default_system}<|im_end|>\n")
    for m in messages:
        parts.append(f"<|im_start|>{m.role}\n{m.content}<|im_end|>\n")
    parts.append("<|im_start|>assistant\n")
    return "".join(parts)
