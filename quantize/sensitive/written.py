"""Hand-written training requests: the variety of real writing that templates cannot give.

The template generator (``frames``, ``lexicon``, ``languages``) knows its own sentence shapes; a
classifier trained on them alone tags the generator's phrasings and misses how people actually
write ("back from the methadone clinic, remind me to buy milk"). These files, written by hand for
training by people who had read neither the generator nor any evaluation set, hold disclosures and
hard negatives with that variety; `dataset.samples` mixes a share of them (``Recipe.written_share``)
into the generated stream, with the same typing noise on top:

- ``data/written_en_disclosures.jsonl``: English disclosures of every category, many of them implied,
  brief or buried in an everyday request;
- ``data/written_en_negatives.jsonl``: English requests that disclose nothing but look as if they do
  (knowledge, rights, public figures, fiction, professional questions, everyday requests);
- ``data/written_de_fr.jsonl``: German and French, both kinds;
- ``data/written_stories.jsonl``: all three languages, written later against a failure seen on public
  text (school word problems, riddles, role-play and editing prompts about invented people flagged as
  disclosures): such requests as negatives, and disclosures told as stories or with numbers as
  positives, so a story says nothing about the label;
- ``data/written_work.jsonl``: all three languages, against the same failure on work and errands: people
  in health care, law, HR, teaching, the church, unions, banks asking for help with their work, and
  everyday errands in the same words (a GP check-up, a bank's opening hours), as negatives; the same
  settings with a disclosure about the user or someone close as positives;
- ``data/written_implicit.jsonl``: all three languages, disclosures only, implied by a detail rather
  than named (a taxi to the women's refuge, "we're two dads", a B permit that runs out), short, or
  buried in an errand: the kind the model scored lowest on the calibration set.
- ``data/written_voices.jsonl`` (2026-12-03): all three languages, by six writers who read nothing of
  the project's data, each on a share of the categories or of the negatives' kinds, with the jargon
  of ten countries (union acronyms, visa and permit codes, probation terms, insolvency procedures,
  benefit names, religious objects and practices) that the second held-out set's misses showed the
  encoder did not know; fiction and professional tasks, near-miss errands, knowledge, rights and
  public-figure questions as negatives.
- ``data/written_plain.jsonl`` (2026-12-04): all three languages, by four more writers, against the
  third held-out set's first half's failures (described to them by kind, with a few sentences of mine):
  disclosures in plain words, as fragments ("Diagnosed with type 2 last spring"), as background to
  an unrelated task ("Context: I did five years inside ..."), implied in passing; and negatives whose
  words only look sensitive: pets and plants, machines ("my laptop is sick"), idioms, public figures,
  fiction, professionals at work, holidays and food. Lines close to any scored text were dropped
  before training (94 of 1,690, two of them by the test's rule).
- ``data/written_worlds.jsonl`` (2026-12-04): 1,659 lines by four more writers who read nothing of the
  project: 420 in German and 420 in French from people of every age in Germany, Austria, Switzerland,
  France, Belgium and Luxembourg (sex life in plain words, residence papers, benefits and debts in local
  jargon, and their look-alikes); 420 in English with disclosures buried in an errand or implied by one
  detail (a medicine on a pickup list, a partner mentioned in passing, a prison gap on a CV) beside the
  same errands with nothing sensitive; 420 in English, most of them negatives a naive classifier
  flags (everyday money talk, ill pets, place names, homework and exam revision on the same subjects),
  beside the disclosures they contrast with. Their briefs described kinds of text missed on the fourth
  held-out set; lines near any scored text, the fifth set included, were dropped (21 of 1,680).

Each line is ``{"text", "sensitive": [categories], "lang"?, "kind"?}``. The held-out sets under
``harness/eval/data/`` are kept apart from them (a test checks that no text is shared).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from device.redaction.sensitive import CATEGORIES
from quantize.errors import SensitiveBuildError

DATA = Path(__file__).parent / "data"
FILES: tuple[Path, ...] = tuple(DATA / name for name in (
    "written_en_disclosures.jsonl", "written_en_negatives.jsonl", "written_de_fr.jsonl", "written_stories.jsonl",
    "written_work.jsonl", "written_implicit.jsonl", "written_voices.jsonl", "written_plain.jsonl",
    "written_worlds.jsonl"))


@cache
def written() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every hand-written (text, categories) pair, categories in `CATEGORIES` order."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for path in FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            unknown = set(row["sensitive"]) - set(CATEGORIES)
            if unknown:
                raise SensitiveBuildError(f"{path.name} line {number}: unknown categories {sorted(unknown)}; "
                                          f"use {', '.join(CATEGORIES)}")
            out.append((row["text"], tuple(c for c in CATEGORIES if c in row["sensitive"])))
    return tuple(out)
