"""`tandem redact --jsonl`: one JSON object in, one JSON object out, line for line.

A bad line becomes an `{"error": ..., "line": n}` record instead of stopping the batch, so the
output always has exactly one line per input line and can be zipped back against it. Error
messages never quote the input: it may hold the very PII this tool exists to hide.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence

from device.redaction.model import Redactor
from device.redaction.rules import RuleRedactor
from device.redaction.vault import Vault


def redact_jsonl(lines: Iterable[str], redactor: Redactor | None = None,
                 tag: Callable[[str, str], Sequence[str]] | None = None) -> Iterator[str]:
    """Yield one JSON line (no trailing newline) per input line; each line gets a fresh vault.

    With `tag` (the sensitive-context classifier's ``classify(redacted, original)``), each result also
    gets ``"sensitive": [categories]`` from the redacted text read beside the input's own; error lines
    get none.
    """
    redactor = RuleRedactor() if redactor is None else redactor
    for number, line in enumerate(lines, start=1):
        text, error = _parse(line)
        if error is not None:
            yield json.dumps({"error": error, "line": number})
            continue
        assert text is not None
        result = redactor.redact(text, Vault())
        entities = [
            {"type": e.type, "start": e.start, "end": e.end, "placeholder": e.placeholder}
            for e in result.entities
        ]
        record: dict[str, object] = {"text": result.text, "entities": entities}
        if tag is not None:
            record["sensitive"] = list(tag(result.text, text))
        # ensure_ascii (the default) keeps lone surrogates from JSON input writable to any stream.
        yield json.dumps(record)


def _parse(line: str) -> tuple[str | None, str | None]:
    """(text, None) for a good line, (None, message) for a bad one."""
    if not line.strip():
        return None, 'empty line: expected a JSON object like {"text": "..."}'
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:  # its message has positions only, never the input
        return None, f"invalid JSON: {exc.msg} at column {exc.colno}"
    if not isinstance(record, dict):
        return None, f"expected a JSON object, got {type(record).__name__}"
    if "text" not in record:
        return None, 'missing required field "text"'
    if not isinstance(record["text"], str):
        return None, f'field "text" must be a string, got {type(record["text"]).__name__}'
    return record["text"], None
