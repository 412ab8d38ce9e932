"""Sensitive-context figures for `tandem eval redact`: a hand-written held-out set and a generated one.

The held-out set (``data/sensitive_heldout.jsonl``) was written by hand, not by the training
generator: other people, other phrasings, conditions, parties, unions and communities the
generator's lists leave out, a tenth in German or French. Each line is ``{"text", "sensitive":
[categories], "lang", "kind"?}``; negatives (``"sensitive": []``) carry a ``kind``: everyday,
general (knowledge questions on every category's subject), rights, public_figure, writing.
Its misses have been read while the generator and the recipe were tuned, so it is a tuning set
by now. ``data/sensitive_heldout2.jsonl`` (same format, 263 disclosures, 261 others, a fifth in German
or French) was written later, by someone who had not read the generator, the first set or the
calibration set; its figures come under ``"second"``, without its texts. Its misses were read on
2026-12-03 (they showed jargon the encoder did not know: union acronyms, visa and permit codes,
probation terms, insolvency procedures), so it is a tuning set now too. ``data/sensitive_heldout3.jsonl``
(276 disclosures, 224 others, 15% German or French) was written that day by three more writers who
read nothing of the project's data, and is kept apart from training and from the first two sets by
the same near-copy rule (half the word 4-grams of the shorter text); its figures come under
``"third"``, also without texts. Its lines marked ``"half": "a"`` (``third["half_a"]``) have been
used, as aggregate figures only, to choose between training variants; those marked ``"b"`` were
not, until on 2026-12-04 their aggregate figures were looked at to accept two changes (four ensemble
members, the plain-word training lines). ``data/sensitive_heldout4.jsonl`` was written after those,
by three writers who were told to read nothing on the machine (three writers' worlds: older people and
carers in the UK, Ireland and Switzerland; students and gig workers in the US, Canada, Australia and
Belgium; professionals and parents in Germany, Austria, France and India); lines that came within the
near-copy rule of a training line or of another scored set were dropped. Its figures come under
``"fourth"``, without texts; it has no ``kind`` per negative. On 2026-12-04 its misses were read to
brief training writers, so it no longer measures unseen text. ``data/sensitive_heldout5.jsonl`` was
written before that, the same way, by three more writers (worlds: English, French and German speakers
in Nigeria, Kenya, South Africa, Jamaica, the Philippines, Singapore, Pakistan, Senegal, Morocco, Quebec,
Zurich and Vienna; voice-assistant users at home and in the car in the US, New Zealand, Scotland and
rural Bavaria and France; people having the assistant write their emails, forms and posts in US cities,
London, Berlin, Paris, Brussels and Montreal), and scored once, after the last training change; its
figures come under ``"fifth"``, without texts. ``quantize/sensitive/data/calibration.jsonl``,
one more hand-written set, fits the classifier's threshold cap at build time; it is not scored here.

Under ``"public"``: the share flagged of the first 300 GSM8K test questions (school word problems
about invented people, from ``../shared/data``; none discloses anything about the user): a check on
text nobody on the team wrote, and the failure that once flagged four in ten of them.

Texts go through the device's redactor first, and the classifier reads the redacted text beside
the text as written, as the device and `tandem redact --jsonl` do. A disclosure counts as found when any of its categories is tagged;
``false_flags`` is the share of negatives tagged with anything.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
HELDOUT = DATA / "sensitive_heldout.jsonl"
SECOND = DATA / "sensitive_heldout2.jsonl"
THIRD = DATA / "sensitive_heldout3.jsonl"
FOURTH = DATA / "sensitive_heldout4.jsonl"
FIFTH = DATA / "sensitive_heldout5.jsonl"
# the held-out sets written after the first, by the key their figures come under (the CLI numbers them from 2)
LATER: dict[str, Path] = {"second": SECOND, "third": THIRD, "fourth": FOURTH, "fifth": FIFTH}
TARGETS = {"recall": 0.95, "false_flags": 0.03}
GSM8K = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "gsm8k" / "test.jsonl"
PUBLIC_N = 300
_SEED_SALT = 4099  # keeps the generated evaluation set apart from training (seed) and calibration (seed + 1)


def load(path: Path = HELDOUT) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(rows: Sequence[dict[str, Any]], classify: Callable[[str, str], Sequence[str]],
          prepare: Callable[[str], str] = lambda text: text) -> dict[str, Any]:
    """Recall, false flags, per category, per language and per kind of negative; the misses and false
    flags themselves (texts from the set, never user data) under ``misses`` / ``flagged``."""
    from device.redaction.sensitive import CATEGORIES

    tagged: list[tuple[str, ...]] = []
    seconds = 0.0
    for row in rows:
        text = prepare(row["text"])
        t = time.perf_counter()
        tagged.append(tuple(classify(text, row["text"])))
        seconds += time.perf_counter() - t
    disclosures = [(r, t) for r, t in zip(rows, tagged) if r["sensitive"]]
    negatives = [(r, t) for r, t in zip(rows, tagged) if not r["sensitive"]]

    def found(row: dict[str, Any], tags: Sequence[str]) -> bool:
        return bool(set(tags) & set(row["sensitive"]))

    def share(pairs: list[tuple[dict[str, Any], tuple[str, ...]]], hit: Callable[[dict[str, Any], tuple[str, ...]], bool]
              ) -> float | None:
        return round(sum(hit(r, t) for r, t in pairs) / len(pairs), 4) if pairs else None

    per_category = {}
    for category in CATEGORIES:
        mine = [(r, t) for r, t in disclosures if category in r["sensitive"]]
        per_category[category] = {"n": len(mine), "recall": share(mine, _tagged_with(category)),
                                  "false_tags": sum(1 for r, t in zip(rows, tagged)
                                                    if category in t and category not in r["sensitive"])}
    languages = sorted({r.get("lang", "en") for r in rows})
    kinds = sorted({r.get("kind", "other") for r, _ in negatives})
    return {
        "recall": share(disclosures, found),
        "false_flags": share(negatives, lambda r, t: bool(t)),
        "exact": share(disclosures, lambda r, t: set(t) == set(r["sensitive"])),
        "disclosures": len(disclosures),
        "negatives": len(negatives),
        "per_category": per_category,
        "per_language": {lang: {"recall": share([(r, t) for r, t in disclosures if r.get("lang", "en") == lang], found),
                                "false_flags": share([(r, t) for r, t in negatives if r.get("lang", "en") == lang],
                                                     lambda r, t: bool(t))} for lang in languages},
        "false_flags_per_kind": {k: share([(r, t) for r, t in negatives if r.get("kind", "other") == k],
                                          lambda r, t: bool(t)) for k in kinds},
        "ms_per_request": round(1000 * seconds / max(1, len(rows)), 2),
        "misses": [{"text": r["text"], "sensitive": r["sensitive"], "tagged": list(t)}
                   for r, t in disclosures if not found(r, t)],
        "flagged": [{"text": r["text"], "tagged": list(t)} for r, t in negatives if t],
    }


def _tagged_with(category: str) -> Callable[[dict[str, Any], tuple[str, ...]], bool]:
    return lambda row, tags: category in tags


def generated(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` requests from the training generator under another seed (placeholders already in)."""
    from quantize.sensitive.dataset import samples

    return [{"text": e.text, "sensitive": list(e.categories)} for e in samples(n, seed + _SEED_SALT)]


def device_redact(models_dir: Path) -> Callable[[str], str]:
    """The device's default redactor (rules + the NER model when built), text in, redacted text out."""
    from device.redaction.ner import NerModel, find_ner_model
    from device.redaction.rules import RuleRedactor

    found = find_ner_model(models_dir)
    redactor = RuleRedactor(ner=NerModel(found) if found is not None else None)
    return lambda text: redactor.redact(text).text


def figures(models_dir: Path, redact: Callable[[str], str], *, n_generated: int, seed: int,
            path: Path = HELDOUT) -> tuple[dict[str, Any] | None, str]:
    """The ``"sensitive"`` entry of the tandem row (held-out figures, ``"generated"`` beside them) and a
    note on which model made them; None without a built classifier (this never builds it)."""
    from device.redaction.sensitive import SensitiveClassifier, find_built

    found = find_built(models_dir)
    if found is None:
        return None, "no sensitive-context classifier built (`tandem model train-sensitive`)"
    model = SensitiveClassifier(found, threads=1)
    held = score(load(path), model.classify, redact)
    held["generated"] = {k: v for k, v in score(generated(n_generated, seed), model.classify).items()
                         if k not in ("misses", "flagged", "per_language", "false_flags_per_kind")}
    held["set"] = path.name
    if path == HELDOUT:
        # each text is redacted and classified once; the third set's halves reuse those results (their
        # timings would be cache look-ups, so only the whole set's are reported)
        classify_once, redact_once = functools.cache(model.classify), functools.cache(redact)
        for key, later in LATER.items():
            held[key] = _without_texts(score(load(later), classify_once, redact_once), later)
        rows = load(THIRD)
        for name in ("a", "b"):
            half = score([r for r in rows if r["half"] == name], classify_once, redact_once)
            held["third"][f"half_{name}"] = {k: half[k] for k in ("recall", "false_flags", "disclosures", "negatives")}
    held["public"] = public_flags(model.classify, redact)
    return held, f"sensitive-context model {found}"


def _without_texts(figures: dict[str, Any], path: Path) -> dict[str, Any]:
    """A set's figures without the texts it missed or flagged (sets nobody tuning reads), named by its file."""
    return {k: v for k, v in figures.items() if k not in ("misses", "flagged")} | {"set": path.name}


def public_flags(classify: Callable[[str, str], Sequence[str]], redact: Callable[[str], str],
                 path: Path = GSM8K, n: int = PUBLIC_N) -> dict[str, Any] | None:
    """``{"set", "n", "flagged"}``: the share of the first `n` questions of `path` tagged with anything
    (None when the shared data is not there)."""
    if not path.is_file():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][:n]
    texts = [json.loads(line)["question"] for line in lines]
    flagged = sum(1 for text in texts if classify(redact(text), text))
    return {"set": f"gsm8k/{path.name}", "n": len(texts), "flagged": round(flagged / len(texts), 4) if texts else None}
