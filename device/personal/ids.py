"""Short ids a person can read out or type: a kind letter and six characters ("r-7kq2xw").

Random, not derived from content (a content hash of a reminder text would leak it); 30 bits are
plenty for one household's items, and the store retries on the rare collision.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read aloud and typed without mistakes
PREFIXES = {"reminder": "r", "alarm": "a", "timer": "t", "item": "i", "list": "l", "note": "n",
            "contact": "c", "message": "m"}


def new_id(kind: str) -> str:
    return PREFIXES[kind] + "-" + "".join(secrets.choice(ALPHABET) for _ in range(6))
