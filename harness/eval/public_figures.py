"""Public figures vs the user's people: which names may leave in a knowledge question.

The hand-written set `data/public_figures.json` holds knowledge questions that name public figures
("When was Marie Curie born?": the names may go to the cloud) and personal requests that name the
user's people ("Remind Anna Keller that ...": no name may leave), with the contacts the device knows.
Each text runs through the device's redactor (NER included) and `public_names`; then

* a public item is right when what would leave holds every name it had, and no placeholder is left;
* a personal item is right when what would leave holds none of its names (the redactor caught them
  and nothing restored them).

The figures are the two shares right (targets: 95% each, issue 15).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from device.redaction.model import PLACEHOLDER_RE

DATA = Path(__file__).parent / "data" / "public_figures.json"


@dataclass
class PublicFiguresScore:
    n_public: int = 0
    public_right: int = 0
    n_personal: int = 0
    personal_right: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"n_public": self.n_public, "public_right": round(self.public_right / max(1, self.n_public), 4),
                "n_personal": self.n_personal,
                "personal_right": round(self.personal_right / max(1, self.n_personal), 4)}


def outgoing(text: str, redact: Callable[[str, Any], str], contacts: list[str]) -> tuple[str, list[str]]:
    """What would leave for `text` (one step), and the values the vault holds."""
    from device.redaction.public_figures import public_names
    from device.redaction.vault import Vault

    vault = Vault()
    redacted = redact(text, vault)
    for placeholder, name in public_names(redacted, vault, contacts).items():
        redacted = redacted.replace(placeholder, name)
    return redacted, vault.values()


def score(redact: Callable[[str, Any], str], split: str, path: Path = DATA) -> PublicFiguresScore:
    """The figures on one split of the set: "tuning" (the rules were tuned on it) or "heldout"."""
    data = json.loads(path.read_text(encoding="utf-8"))
    contacts = list(data["contacts"])
    result = PublicFiguresScore()
    for item in (i for i in data["items"] if i["split"] == split):
        sent, values = outgoing(item["text"], redact, contacts)
        if item["public"]:
            result.n_public += 1
            right = not PLACEHOLDER_RE.search(sent)
            result.public_right += right
        else:
            result.n_personal += 1
            names = [c for c in contacts if c.split()[0] in item["text"]] + values
            right = not any(v and v in sent for v in names if len(v) >= 3)
            result.personal_right += right
        if not right:
            result.misses.append({"text": item["text"], "public": item["public"], "sent": sent})
    return result


def device_redact(models_dir: Any) -> Callable[[str, Any], str]:
    """The device's default redactor (NER when built): text, vault -> redacted text."""
    from device.redaction.ner import NerModel, find_ner_model
    from device.redaction.rules import RuleRedactor

    found = find_ner_model(models_dir)
    redactor = RuleRedactor(ner=NerModel(found) if found is not None else None)
    return lambda text, vault: redactor.redact(text, vault).text
