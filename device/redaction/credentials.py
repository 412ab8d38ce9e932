"""API keys, tokens, private keys and passwords (entity type API_KEY).

Known vendor formats are matched whole. Free-form secrets are only recognisable by their
context ("password: X", "api_key=X"), so for those only the value is redacted and the key name
stays visible: the model still understands what the user is asking about.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from device.redaction.detectors import Span
from device.redaction.validators import jwt_valid

_B = r"(?<![A-Za-z0-9_-])"  # token boundary before
_E = r"(?![A-Za-z0-9_-])"  # token boundary after

_KNOWN_RES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(_B + body + _E)
    for body in (
        r"sk-[A-Za-z0-9_-]{20,}",  # OpenAI / Anthropic style (sk-..., sk-proj-..., sk-ant-...)
        r"[rs]k_(?:live|test)_[A-Za-z0-9]{16,}",  # Stripe
        r"gh[pousr]_[A-Za-z0-9]{36,}",  # GitHub classic tokens
        r"github_pat_[A-Za-z0-9_]{22,}",  # GitHub fine-grained tokens
        r"(?:AKIA|ASIA)[0-9A-Z]{16}",  # AWS access key ids
        r"xox[bpas]-[A-Za-z0-9-]{10,}",  # Slack
        r"AIza[0-9A-Za-z_-]{35}",  # Google API keys
    )
)
_JWT_RE = re.compile(_B + r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*" + _E)
# A PEM private key block; a paste cut off before its END line is redacted to the end of the base64.
_PEM_RE = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----"
    r"(?:.*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[A-Za-z0-9+/=\s]*[A-Za-z0-9+/=])",
    re.DOTALL,
)
_BEARER_RE = re.compile(r"(?<![A-Za-z0-9])Bearer\s+([A-Za-z0-9._~+/-]{16,}=*)")
# key name, optional closing quote (JSON), ":" or "=", then a quoted or bare value.
_CONTEXT_RE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:password|passwd|pwd|passphrase|secret|client[_-]?secret|secret[_-]?key|private[_-]?key"
    r"|api[_-]?key|apikey|access[_-]?key|(?:(?:access|auth|refresh|session|id)[_-]?)?token)"
    r"(?![A-Za-z0-9])[\"']?[ \t]*[:=][ \t]*"
    r"(?:\"([^\"\n]{1,200})\"|'([^'\n]{1,200})'|([^\s\"',;]+))",
    re.IGNORECASE,
)
# "my password is X", "das Passwort lautet X", "le mot de passe est X": the value is the next token.
_SENTENCE_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:password|passwort|kennwort|passcode|passphrase|pass ?word|pin(?: code)?|"
    r"mot de passe|mdp|contraseña|clave|wachtwoord|pwd|secret|api key|token)"
    r"\s+(?:is|was|=|lautet|ist|war|est|était|es|era|è|is nu|now is|:)\s+(?:now\s+|still\s+|jetzt\s+)?"
    r"[\"'“‘«]?([^\s\"'”’»]{3,200})",
    re.IGNORECASE,
)
# A run of base64/base62 characters long and random enough to be a key even without context.
_TOKEN_RE = re.compile(r"(?<![A-Za-z0-9_+/=.-])[A-Za-z0-9_+/=-]{20,}(?![A-Za-z0-9_+/=-])")
_MIN_ENTROPY_BITS = 3.6  # per character; English words and ids stay well below
_MIN_CONTEXT_VALUE = 4  # "token: 5" or "password: no" are not secrets
_TRAILING_PUNCT = ".,)]}:"
# Values that say there is no secret ("secret: none"); "changeme" and friends stay redacted.
_NOT_SECRETS = frozenset({"none", "null", "nil", "true", "false", "empty", "unset", "required", "optional"})
# Words after "my password is" that describe the password instead of being it.
_NOT_VALUES = frozenset(["here", "there", "the", "this", "that", "my", "your", "his", "her", "our", "their", "not", "too", "very", "still", "also", "now", "stored", "saved", "written", "correct", "wrong", "expired", "weak", "strong", "missing", "incorrect", "invalid", "hidden", "secret", "forgotten", "changed", "reset", "what", "where", "somewhere", "long", "short", "safe", "unsafe", "same", "different", "case", "sensitive", "required", "needed", "empty", "hier", "dort", "nicht", "sehr", "noch", "falsch", "richtig", "abgelaufen", "ici", "pas", "très", "trop", "faux", "correct", "aquí", "muy", "también"])


def find_secrets(text: str) -> Iterator[Span]:
    for pattern in _KNOWN_RES:
        for m in pattern.finditer(text):
            yield Span("API_KEY", m.start(), m.end())
    for m in _JWT_RE.finditer(text):
        if jwt_valid(m.group()):
            yield Span("API_KEY", m.start(), m.end())
    for m in _PEM_RE.finditer(text):
        yield Span("API_KEY", m.start(), m.end())
    for m in _BEARER_RE.finditer(text):
        yield Span("API_KEY", m.start(1), m.end(1))
    for m in _CONTEXT_RE.finditer(text):
        group = next(g for g in (1, 2, 3) if m.group(g) is not None)
        start, end = m.start(group), m.end(group)
        if group == 3:  # bare value: sentence punctuation after it is not part of it
            while end > start and text[end - 1] in _TRAILING_PUNCT:
                end -= 1
        if end - start >= _MIN_CONTEXT_VALUE and text[start:end].lower() not in _NOT_SECRETS:
            yield Span("API_KEY", start, end)
    for m in _SENTENCE_RE.finditer(text):
        start, end = m.start(1), m.end(1)
        while end > start and text[end - 1] in _TRAILING_PUNCT:
            end -= 1  # "... is hunter2." keeps the full stop visible; a "!" or "?" may be part of it
        value = text[start:end].lower()
        if end - start >= _MIN_CONTEXT_VALUE and value not in _NOT_SECRETS and value not in _NOT_VALUES:
            yield Span("API_KEY", start, end)
    for m in _TOKEN_RE.finditer(text):
        if high_entropy(m.group()):
            yield Span("API_KEY", m.start(), m.end())


def high_entropy(token: str) -> bool:
    """Letters of both cases and digits, and Shannon entropy of at least 3.6 bits per character.

    Hex digests and UUIDs (one case) are ids rather than secrets; CamelCase words have no digits.
    """
    has = (any(c.islower() for c in token), any(c.isupper() for c in token), any(c.isdigit() for c in token))
    if not all(has):
        return False
    counts: dict[str, int] = {}
    for c in token:
        counts[c] = counts.get(c, 0) + 1
    n = len(token)
    entropy = -sum(k / n * math.log2(k / n) for k in counts.values())
    return entropy >= _MIN_ENTROPY_BITS
