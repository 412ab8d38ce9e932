"""Held-out redaction sets written by hand, and their figures for `tandem eval redact`.

The generated set (`harness.eval.redaction.eval_set`) draws its values from the same Faker lists
as the NER model's training data, so it cannot tell how the device does on text nobody generated.
These four sets can: every line was written by hand (chat turns, log lines, forwarded mail; names,
streets and numbers of 10+ locales that are in no Faker list, many in no gazetteer) and is never
used for training or for writing rules against a generator.

- ``structured``: e-mails, phones (international and national formats), cards, IBANs, SSNs, IPs,
  MACs, secrets and credentials, birth dates, coordinates.
- ``obfuscated``: the same kinds disguised (a ``kind`` per line: ``card_dots``, ``iban_lower``,
  ``email_bracket_at``, ``phone_words``, ``address_zh``, ...); a case is caught when all of its PII is.
- ``people``: names and street addresses.
- ``pii_free``: requests without PII full of look-alikes (order numbers, prices, versions, dates,
  products, places, capitalised words). Public figures are left out: whether a name in a knowledge
  question may leave is the router's business, not the redactor's.

Each JSONL line: ``{"text", "spans": [{"type", "start", "end"}], "locale", "source"[, "kind"]}``,
offsets into ``text``. Phones are read as a device of the line's locale would read them (its
region, the ``[redaction] region`` setting).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Redacted (start, end) spans of one text, for a text and the region of its locale.
Spans = Sequence[tuple[int, int]]
RegionRedact = Callable[[str, str | None], Spans]

DATA_DIR = Path(__file__).parent / "data"
SETS: tuple[str, ...] = ("structured", "obfuscated", "people", "pii_free")
TARGETS = {"structured": 0.995, "obfuscated": 0.95, "PERSON": 0.98, "STREET_ADDRESS": 0.97, "untouched": 0.96}
_PEOPLE_TYPES = frozenset({"PERSON", "STREET_ADDRESS"})


@dataclass(frozen=True)
class Case:
    """One hand-written request: text, gold (type, start, end) spans, locale, source and obfuscation kind."""

    text: str
    spans: tuple[tuple[str, int, int], ...]
    locale: str
    source: str
    kind: str | None = None

    @property
    def region(self) -> str | None:
        """The country part of the locale ("de_CH" -> "CH"), as the device's region setting would say."""
        _, _, country = self.locale.partition("_")
        return country.upper() or None


def load(name: str, data_dir: Path = DATA_DIR) -> list[Case]:
    """The held-out set `name` (one of `SETS`)."""
    cases = []
    path = data_dir / f"heldout_{name}.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        spans = tuple((s["type"], int(s["start"]), int(s["end"])) for s in row["spans"])
        cases.append(Case(row["text"], spans, row["locale"], row["source"], row.get("kind")))
    return cases


@dataclass
class HeldoutScore:
    """Counts over all four sets for one system."""

    name: str
    found: dict[str, int] = field(default_factory=dict)  # per set and type, "structured:EMAIL"
    total: dict[str, int] = field(default_factory=dict)
    kinds_caught: dict[str, int] = field(default_factory=dict)
    kinds_total: dict[str, int] = field(default_factory=dict)
    clean: int = 0
    clean_untouched: int = 0
    held_clean: int | None = 0  # PII-free requests the policy keeps on the device (None: no policy)
    leaked: int = 0  # requests with missed PII that the policy would still let escalate
    missed_requests: int = 0
    requests: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (set, type or kind, value)
    false_hits: list[str] = field(default_factory=list)

    def _recall(self, keys: Iterable[str]) -> float:
        keys = list(keys)
        return round(sum(self.found.get(k, 0) for k in keys) / max(1, sum(self.total[k] for k in keys)), 4)

    def as_dict(self) -> dict[str, Any]:
        structured = [k for k in self.total if k.startswith("structured:")]
        caught = sum(self.kinds_caught.values())
        return {
            "structured": self._recall(structured),
            "structured_recall": {k.split(":", 1)[1]: self._recall([k]) for k in sorted(structured)},
            "obfuscated": round(caught / max(1, sum(self.kinds_total.values())), 4),
            "obfuscated_kinds": {k: f"{self.kinds_caught.get(k, 0)}/{n}" for k, n in sorted(self.kinds_total.items())},
            "PERSON": self._recall(["people:PERSON"]),
            "STREET_ADDRESS": self._recall(["people:STREET_ADDRESS"]),
            "untouched": round(self.clean_untouched / max(1, self.clean), 4),
            "defence_held_pii_free": None if self.held_clean is None else round(self.held_clean / max(1, self.clean), 4),
            "leaked_requests": self.leaked,
            "missed_requests": self.missed_requests,
            "requests": {name: self.total.get(f"_requests:{name}", 0) for name in SETS},
        }


def score_heldout(name: str, redact: RegionRedact, holds: Callable[[str, Spans], bool] | None = None,
                  data_dir: Path = DATA_DIR) -> HeldoutScore:
    """Score `redact` on the four sets. `holds(text, spans)` says whether the device's policy keeps
    the redacted request home (None for a system without one, e.g. Presidio)."""
    result = HeldoutScore(name)
    if holds is None:
        result.held_clean = None
    for set_name in SETS:
        for case in load(set_name, data_dir):
            spans = list(redact(case.text, case.region))
            result.requests += 1
            result.total[f"_requests:{set_name}"] = result.total.get(f"_requests:{set_name}", 0) + 1
            _count(result, set_name, case, spans, holds)
    return result


def _count(result: HeldoutScore, set_name: str, case: Case, spans: Spans,
           holds: Callable[[str, Spans], bool] | None) -> None:
    covered = bytearray(len(case.text))
    for s, e in spans:
        covered[s:e] = b"\x01" * (e - s)
    missed = False
    for kind, s, e in case.spans:
        hit = all(covered[i] or not case.text[i].isalnum() for i in range(s, e))
        missed |= not hit
        if set_name == "obfuscated":
            continue
        if set_name == "people" and kind not in _PEOPLE_TYPES:
            continue  # an e-mail in a forwarded mail: counted, but not as a name or address
        key = f"{'people' if kind in _PEOPLE_TYPES else 'structured'}:{kind}"
        result.total[key] = result.total.get(key, 0) + 1
        result.found[key] = result.found.get(key, 0) + hit
        if not hit:
            result.misses.append((set_name, kind, case.text[s:e]))
    if set_name == "obfuscated" and case.kind is not None:
        result.kinds_total[case.kind] = result.kinds_total.get(case.kind, 0) + 1
        result.kinds_caught[case.kind] = result.kinds_caught.get(case.kind, 0) + (not missed)
        if missed:
            result.misses.append((set_name, case.kind, case.text))
    for s, e in spans:
        if not any(s < ge and gs < e for _, gs, ge in case.spans):
            result.false_hits.append(case.text[s:e])
    if missed:
        result.missed_requests += 1
        if holds is None or not holds(case.text, spans):
            result.leaked += 1
    if not case.spans:
        result.clean += 1
        result.clean_untouched += not spans
        if holds is not None and result.held_clean is not None and holds(case.text, spans):
            result.held_clean += 1


def tandem_heldout(models_dir: Any) -> tuple[RegionRedact, Callable[[str, Spans], bool]]:
    """The device's redactor as configured by default (one per region, sharing the NER model when one
    is built), and whether the default redaction policy keeps a redacted request on the device."""
    from device.redaction.ner import NerModel, find_ner_model
    from device.redaction.policy import RedactionPolicy
    from device.redaction.rules import RuleRedactor

    found = find_ner_model(models_dir)
    model = NerModel(found) if found is not None else None
    redactors: dict[str | None, RuleRedactor] = {}
    policy = RedactionPolicy()

    def run(text: str, region: str | None) -> Spans:
        if region not in redactors:
            redactors[region] = RuleRedactor(ner=model, region=region)
        return [(e.start, e.end) for e in redactors[region].redact(text).entities]

    def holds(text: str, spans: Spans) -> bool:
        parts, cursor = [], 0
        for i, (s, e) in enumerate(sorted(spans), start=1):
            parts += [text[cursor:s], f"<PII_{i}>"]
            cursor = e
        parts.append(text[cursor:])
        return not policy.check("".join(parts)).escalate

    return run, holds
