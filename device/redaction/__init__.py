"""On-device PII redaction: typed placeholders out, real values back in.

The device replaces PII with placeholders such as `<EMAIL_1>` before anything leaves it, keeps
the placeholder -> value map in a `Vault` that never leaves it either, and restores the values in
the final answer. `RuleRedactor` is v1: validated rules for structured identifiers (phonenumbers
for phones, Luhn for cards, mod-97 for IBANs, `ipaddress` for IPs, ...) and a rule-based PERSON
detector, to be joined by a learned model behind the same `Redactor` interface.
"""

from device.redaction.jsonl import redact_jsonl
from device.redaction.model import PLACEHOLDER_RE, TYPES, Entity, Redaction, Redactor
from device.redaction.rules import RuleRedactor
from device.redaction.vault import Vault

__all__ = [
    "PLACEHOLDER_RE",
    "TYPES",
    "Entity",
    "Redaction",
    "Redactor",
    "RuleRedactor",
    "Vault",
    "redact_jsonl",
]
