"""Does a request talk about what a tool does? A lexical gate in front of the device model's calls.

A 135M model asked to call "one of these tools or none" calls one almost always (BFCL irrelevance:
p(call) > 0.9 on most requests no tool fits), and asked "can this function do that? yes/no" it
answers the same for fitting and unfitting tools (measured on BFCL live_simple vs live_irrelevance:
no separation, for Qwen2.5-Coder-0.5B neither). Word overlap separates far better: a request a tool
fits names the tool's subject ("circumference", "weather", "uber") in its own words. A tool is
relevant when a content word of its name or of an argument's name, or 15% of the distinct content
words of its description, appear in the request (5-letter prefixes, so "integral"/"integrate" match).
Chosen on BFCL live_simple / live_irrelevance (83% of fitting tools kept, 37% of unfitting ones);
simple_python / irrelevance are the held-out report. Cheap: microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_STOP = frozenset((
    "the", "a", "an", "of", "for", "to", "in", "on", "and", "or", "with", "by", "from", "at", "is", "are",
    "be", "get", "set", "find", "calculate", "compute", "determine", "make", "create", "given", "using",
    "use", "based", "value", "values", "number", "data", "info", "information", "api", "list", "retrieve",
    "return", "returns", "specified", "specific", "function", "this", "that", "which", "into", "per",
))
MIN_DESCRIPTION_OVERLAP = 0.15


def content_words(text: str) -> list[str]:
    """Lower-case words of 3+ letters without the stop words; camelCase and snake_case split."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    return [w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 3 and w not in _STOP]


def overlap(text: str, name: str, description: str, arguments: Iterable[str] = ()) -> tuple[float, float, int]:
    """(share of the name's content words, share of the description's distinct content words, number of
    argument-name words) found in `text`."""
    said = {w[:5] for w in content_words(text)}
    name_words = content_words(name.split(".")[-1]) or content_words(name)
    desc_words = set(content_words(description))
    arg_words = {w for a in arguments for w in content_words(a)}
    by_name = sum(w[:5] in said for w in name_words) / max(len(name_words), 1)
    by_desc = sum(w[:5] in said for w in desc_words) / max(len(desc_words), 1)
    return by_name, by_desc, sum(w[:5] in said for w in arg_words)


def relevant(text: str, name: str, description: str, arguments: Iterable[str] = (),
             min_description: float = MIN_DESCRIPTION_OVERLAP) -> bool:
    """Whether `text` mentions the tool `name` (described as `description`, with these argument names)."""
    by_name, by_desc, by_args = overlap(text, name, description, arguments)
    return by_name > 0 or by_desc >= min_description or by_args > 0
