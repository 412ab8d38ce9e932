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
# Words for a password, a secret or a key, in the shipped languages (and a few neighbours').
PASSWORD_WORDS = (r"password|passwort|kennwort|passwd|pwd|pw|pass|passphrase|passcode|pass ?word|mot de passe|mdp|"
                  r"contraseña|contrasena|clave|wachtwoord|senha|hasło|haslo|lösenord|adgangskode|passord|salasana|"
                  r"şifre|sifre|parola|heslo|jelszó|pin(?: code)?|pin-code|code pin|geheimzahl")
_KEY_WORDS = (r"secret|client[_-]?secret|secret[_-]?key|private[_-]?key|api[_-]?key|apikey|access[_-]?key|"
              r"(?:(?:access|auth|refresh|session|id|bearer)[_-]?)?token|jeton")
# Words that name a key only sometimes ("a key: sk-short" is a sentence): their value must look random.
_WEAK_KEY_WORDS = r"key|schlüssel|clé|chiave|llave|sleutel|code"
# key name, optional closing quote (JSON), ":" or "=", then a quoted or bare value.
_CONTEXT_RE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?i:" + PASSWORD_WORDS + "|" + _KEY_WORDS + r"|[a-z0-9_]*(?:password|passwd|secret|token|api_?key)|(?P<weak>"
    + _WEAK_KEY_WORDS + r"))"
    r"(?![A-Za-z0-9])[\"']?[ \t]*[:=][ \t]*"
    r"(?:\"(?P<q1>[^\"\n]{1,200})\"|'(?P<q2>[^'\n]{1,200})'|`(?P<q3>[^`\n]{1,200})`|«\s?(?P<q4>[^»\n]{1,200}?)\s?»"
    r"|(?P<bare>[^\s\"',;`]+))",
)
# "my password is X", "das Passwort lautet X", "le mot de passe est X", "minha senha é X": the value is the next token.
_SENTENCE_RE = re.compile(
    r"(?<![A-Za-z0-9])(?i:" + PASSWORD_WORDS + r"|secret|api key|token|key|code)"
    r"\s+(?i:is|was|=|lautet|ist|war|est|était|es|era|è|é|is nu|now is|to|er|är|on|:)\s+(?i:now\s+|still\s+|jetzt\s+)?"
    r"[\"'“‘«`]?([^\s\"'”’»`]{3,200})",
)
# "password Gelato!2024", "wachtwoord Tulpen!2023", "passphrase correct-horse-battery-staple": the value
# right after the word, when it looks like one (letters and digits or symbols, no plain word).
_BARE_RE = re.compile(r"(?<![A-Za-z0-9])(?i:" + PASSWORD_WORDS + r")\s+([^\s\"',;]{5,200})")
# "login is admin / hunter2", "user: devops / S3cret", "credentials are root / Tortilla#9",
# "Benutzer admin / Passwort X": the value after the slash.
_LOGIN_RE = re.compile(
    r"(?<![A-Za-z0-9])(?i:login|log-in|logon|user(?:name)?|benutzer(?:name)?|anmeldung|anmeldename|zugangsdaten|"
    r"identifiant|utilisateur|utente|nome utente|credenziali|usuario|usuário|credenciales|credentials|creds|"
    r"gebruiker(?:snaam)?|inlog(?:gegevens)?|account|konto|compte)"
    r"(?:\s+(?i:is|are|sind|ist|est|sont|è|sono|es|son|zijn|=)|\s*[:=])?\s+([^\s/]{1,60})\s*/\s*"
    r"(?:(?i:" + PASSWORD_WORDS + r")\s*[:=]?\s*)?([^\s\"',;]{3,200})"
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
        group = next(g for g in ("q1", "q2", "q3", "q4", "bare") if m.group(g) is not None)
        start, end = m.start(group), m.end(group)
        if group == "bare":  # bare value: sentence punctuation after it is not part of it
            while end > start and text[end - 1] in _TRAILING_PUNCT:
                end -= 1
        weak_ok = m.group("weak") is None or (group != "bare" and password_like(text[start:end])) or high_entropy(
            text[start:end], min_length=12)
        if end - start >= _MIN_CONTEXT_VALUE and text[start:end].lower() not in _NOT_SECRETS and weak_ok:
            yield Span("API_KEY", start, end)
    for m in _SENTENCE_RE.finditer(text):
        start, end = m.start(1), m.end(1)
        while end > start and text[end - 1] in _TRAILING_PUNCT:
            end -= 1  # "... is hunter2." keeps the full stop visible; a "!" or "?" may be part of it
        value = text[start:end].lower()
        weak = re.match(r"(?i:key|code|token)", m.group())  # "the key is under the mat"
        if end - start >= _MIN_CONTEXT_VALUE and value not in _NOT_SECRETS and value not in _NOT_VALUES \
                and (not weak or password_like(text[start:end]) or text[m.start(1) - 1] in "\"'“‘«`"):
            yield Span("API_KEY", start, end)
    for pattern, value_group in ((_BARE_RE, 1), (_LOGIN_RE, 2)):
        for m in pattern.finditer(text):
            start, end = m.start(value_group), m.end(value_group)
            while end > start and text[end - 1] in _TRAILING_PUNCT:
                end -= 1
            value = text[start:end]
            if end - start >= _MIN_CONTEXT_VALUE and value.lower() not in _NOT_VALUES and \
                    (pattern is _LOGIN_RE or password_like(value)):
                yield Span("API_KEY", start, end)
    for m in _TOKEN_RE.finditer(text):
        if high_entropy(m.group()):
            yield Span("API_KEY", m.start(), m.end())


def password_like(value: str) -> bool:
    """Letters with digits or symbols in it ("Gelato!2024", "blue-lantern-river-92", "Qx8!mysqlroot"):
    not a plain word ("manager", "reset") that may follow "password" in a sentence."""
    letters = any(c.isalpha() for c in value)
    others = any(c.isdigit() or (not c.isalnum() and c not in ".,") for c in value.rstrip(".,!?"))
    return len(value) >= 5 and letters and others


def high_entropy(token: str, min_length: int = 1) -> bool:
    """Letters of both cases and digits, and Shannon entropy of at least 3.6 bits per character.

    Hex digests and UUIDs (one case) are ids rather than secrets; CamelCase words have no digits.
    """
    if len(token) < min_length:
        return False
    has = (any(c.islower() for c in token), any(c.isupper() for c in token), any(c.isdigit() for c in token))
    if not all(has):
        return False
    counts: dict[str, int] = {}
    for c in token:
        counts[c] = counts.get(c, 0) + 1
    n = len(token)
    entropy = -sum(k / n * math.log2(k / n) for k in counts.values())
    return entropy >= _MIN_ENTROPY_BITS
