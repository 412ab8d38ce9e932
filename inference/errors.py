"""Errors of the inference runtime.

    TandemError                      (protocol.errors: root of every tandem error)
     └─ ModelError                   model dir missing, manifest invalid, onnxruntime failed to load
         ├─ ContextTooLong           prompt + answer budget exceed the configured maximum context
         └─ GrammarError             constrained decoding: unusable schema, matcher error
             └─ GrammarIncomplete    the model ran out of tokens before the JSON was complete
"""

from __future__ import annotations

from protocol.errors import TandemError


class ModelError(TandemError):
    pass


class ContextTooLong(ModelError):
    def __init__(self, prompt_tokens: int, max_new_tokens: int, max_context: int) -> None:
        super().__init__(
            f"prompt of {prompt_tokens} tokens + answer budget of {max_new_tokens} exceeds the maximum "
            f"context of {max_context} tokens: shorten the request or raise TANDEM_MAX_CONTEXT "
            f"(memory grows with it)"
        )
        self.prompt_tokens = prompt_tokens
        self.max_new_tokens = max_new_tokens
        self.max_context = max_context


class GrammarError(ModelError):
    """A schema llguidance cannot compile, a matcher in error, or output that ran out of tokens."""


class GrammarIncomplete(GrammarError):
    """The answer budget ended inside the JSON (a runaway string): raise max_tokens or treat as no answer."""
