"""Generation under a grammar: the device model writes only JSON that its schema accepts.

llguidance (MIT, Rust, abi3 wheels for x86_64 and aarch64) computes, before each token, the set of
tokens the grammar allows from here; the engine's loop (`Engine.generate(logits_processor=...)`)
sets every other logit to -inf, so greedy decoding can only ever produce valid JSON. It runs on the
engine's numpy logits with the model's own `tokenizer.json`: no torch.

`plan_call` is the function-calling use: the grammar is "null, or one of the tools' calls"
(`{"name": <tool>, "arguments": <that tool's schema>}`). The first token decides between the
two branches (`n` of null, `{` of a call); the model's probability of the call branch at that step,
renormalised over the two, is the decision's confidence and the knob that trades calls on
irrelevant requests against missed calls (`min_call_probability`).

Pitfall (../shared/FACTS.md): the tokenizer.json converted from GGUF decodes through
ByteFallback + ByteLevel; llguidance then reads the "Ġ" space marker literally and forbids valid
tokens. It gets a copy with a plain ByteLevel decoder and byte_fallback off (same ids, same text).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from inference.chat_format import Message
from inference.errors import GrammarError, GrammarIncomplete, ModelError
from inference.numbers import states_number

if TYPE_CHECKING:
    from inference.engine import Engine

log = logging.getLogger(__name__)

INSTALL_HINT = "constrained decoding needs llguidance: pip install 'tandem-edge[device]' (or pip install llguidance)"


@dataclass(frozen=True)
class ToolSpec:
    """A tool the model may call: its name, what it does, and the JSON Schema of its arguments."""

    name: str
    description: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class ConstrainedResult:
    value: Any  # the parsed JSON
    text: str
    mean_logprob: float  # over the generated tokens, under the grammar-masked distribution
    tokens: int
    ms: float = 0.0


@dataclass(frozen=True)
class PlannedCall:
    """A call the model chose, or (from `plan_call`) the decision that no tool fits."""

    name: str
    arguments: Mapping[str, Any]
    confidence: float  # call_probability x the geometric mean probability of the call's tokens
    call_probability: float  # the model's probability of calling a tool at all (vs null)


# -- llguidance plumbing ----------------------------------------------------------------------------

_TOKENIZERS: dict[str, Any] = {}  # model dir -> LLTokenizer (building one takes ~1 s)


def _llguidance() -> Any:
    try:
        import llguidance
    except ImportError as exc:
        raise ModelError(INSTALL_HINT) from exc
    return llguidance


def plain_bytelevel(tokenizer_json: str) -> str:
    """The tokenizer JSON with a plain ByteLevel decoder and byte_fallback off (see the module doc)."""
    data = json.loads(tokenizer_json)
    decoder = data.get("decoder") or {}
    if decoder.get("type") == "Sequence" and any(d.get("type") == "ByteLevel" for d in decoder.get("decoders", [])):
        data["decoder"] = next(d for d in decoder["decoders"] if d.get("type") == "ByteLevel")
    if isinstance(data.get("model"), dict) and data["model"].get("byte_fallback"):
        data["model"]["byte_fallback"] = False
    return json.dumps(data)


def ll_tokenizer(engine: Engine) -> Any:
    """The engine's tokenizer as llguidance reads it (cached per model dir)."""
    key = str(engine.model_dir)
    if key not in _TOKENIZERS:
        ll = _llguidance()
        path = engine.model_dir / engine.manifest.tokenizer_file
        fixed = plain_bytelevel(path.read_text(encoding="utf-8"))
        _TOKENIZERS[key] = ll.LLTokenizer(fixed, eos_token=engine.manifest.eos_token_ids[0])
    return _TOKENIZERS[key]


def compile_schema(schema: Mapping[str, Any]) -> str:
    """The llguidance grammar for a JSON Schema: JSON as `json.dumps` writes it (", " and ": ", no other
    whitespace). Small models wrote their training JSON that way; forced compact JSON (`{"a":36}`) puts
    the first digit where the model expects a space, and it writes 1 instead of 36."""
    ll = _llguidance()
    try:
        return str(ll.LLMatcher.grammar_from_json_schema(
            json.dumps(schema), defaults={"whitespace_flexible": False, "item_separator": ", ",
                                          "key_separator": ": "}))
    except (ValueError, RuntimeError, TypeError) as exc:
        raise GrammarError(f"schema not usable as a grammar ({exc}); simplify the tool's JSON Schema") from exc


class _GrammarMask:
    """The engine's logits processor: feeds the tokens picked so far to the matcher and masks the rest.

    With `branch` set, the first step splits the allowed tokens into those starting `null` and the
    rest, records the model's probability of the rest (`call_probability`), and keeps only the branch
    chosen by `min_call_probability`."""

    def __init__(self, matcher: Any, vocab: int, *, branch: bool = False, min_call_probability: float = 0.5,
                 lltok: Any = None) -> None:
        self.matcher = matcher
        self.vocab = vocab
        self.bitmask = np.zeros(((vocab + 31) // 32,), dtype=np.int32)
        self.consumed = 0
        self.branch = branch
        self.min_call_probability = min_call_probability
        self.lltok = lltok
        self.call_probability = 1.0

    def accepts(self, ids: Sequence[int]) -> bool:
        """Whether `ids` (all generated tokens) complete the grammar: the budget ended exactly at the end."""
        for token in ids[self.consumed:]:
            self.matcher.consume_token(token)
        self.consumed = len(ids)
        return bool(self.matcher.is_accepting())

    def allowed(self) -> np.ndarray:
        self.matcher.unsafe_compute_mask_ptr(self.bitmask.ctypes.data, self.bitmask.nbytes)
        return np.unpackbits(self.bitmask.view(np.uint8), bitorder="little")[: self.vocab].astype(bool)

    def __call__(self, ids: Sequence[int], logits: np.ndarray) -> None:
        for token in ids[self.consumed:]:
            self.matcher.consume_token(token)
        self.consumed = len(ids)
        if self.matcher.is_error():
            raise GrammarError(f"grammar matcher failed: {self.matcher.get_error()}")
        allowed = np.zeros(logits.shape[0], dtype=bool)
        allowed[: self.vocab] = self.allowed()[: logits.shape[0]]
        if self.branch and not ids:
            self._decide(logits, allowed)
        logits[~allowed] = -np.inf

    def _decide(self, logits: np.ndarray, allowed: np.ndarray) -> None:
        """Null or a call: the model's probability mass on each, then keep one branch only."""
        idx = np.flatnonzero(allowed)
        null = np.array([self.lltok.decode_bytes([int(t)]).lstrip().startswith(b"n") for t in idx])
        z = logits[idx].astype(np.float64)
        p = np.exp(z - z.max())
        p /= p.sum()
        self.call_probability = float(p[~null].sum())
        keep = ~null if self.call_probability >= self.min_call_probability else null
        if keep.any():
            allowed[idx[~keep]] = False


def _run(engine: Engine, prompt_ids: Sequence[int], grammar: str, max_tokens: int,
         mask_kwargs: Mapping[str, Any]) -> tuple[ConstrainedResult, _GrammarMask]:
    from inference.engine import SamplingParams

    ll = _llguidance()
    lltok = ll_tokenizer(engine)
    matcher = ll.LLMatcher(lltok, grammar, log_level=0)
    if matcher.is_error():
        raise GrammarError(f"grammar rejected: {matcher.get_error()}; simplify the JSON Schema")
    mask = _GrammarMask(matcher, int(lltok.vocab_size), lltok=lltok, **mask_kwargs)
    t0 = time.perf_counter()
    gen = engine.generate(prompt_ids, SamplingParams(max_new_tokens=max_tokens), logits_processor=mask)
    ms = (time.perf_counter() - t0) * 1000
    if gen.finish_reason != "stop" and not mask.accepts(gen.token_ids):
        raise GrammarIncomplete(f"the model did not finish the JSON in {max_tokens} tokens ({gen.text[:80]!r}...); "
                           "raise max_tokens")
    try:
        value = json.loads(gen.text)
    except json.JSONDecodeError as exc:  # the grammar should make this impossible: say so loudly
        raise GrammarError(f"constrained output is not JSON ({exc}): {gen.text[:200]!r}") from exc
    return ConstrainedResult(value, gen.text, gen.mean_logprob, len(gen.token_ids), ms), mask


def _prompt_ids(engine: Engine, prompt: str | Sequence[Message]) -> list[int]:
    text = prompt if isinstance(prompt, str) else engine.chat_prompt(prompt)
    return engine.encode(text)


def generate_json(engine: Engine, prompt: str | Sequence[Message], schema: Mapping[str, Any],
                  max_tokens: int = 256) -> ConstrainedResult:
    """Greedy generation that can only produce JSON valid under `schema` (a prompt string is used as is;
    messages go through the model's chat template)."""
    result, _ = _run(engine, _prompt_ids(engine, prompt), compile_schema(schema), max_tokens, {})
    return result


# -- function calling -------------------------------------------------------------------------------

def call_schema(tools: Sequence[ToolSpec]) -> dict[str, Any]:
    """null, or `{"name": <tool>, "arguments": <its schema>}` for one of `tools`."""
    calls = [{"type": "object",
              "properties": {"name": {"const": t.name}, "arguments": dict(t.parameters)},
              "required": ["name", "arguments"], "additionalProperties": False} for t in tools]
    return {"anyOf": [{"type": "null"}, *calls]}


SYSTEM = ("You call functions. Available functions (JSON):\n{tools}\n"
          "If one function fits the user's request, answer with the call as JSON: "
          '{{"name": <function name>, "arguments": {{<argument>: <value>, ...}}}}, '
          "taking the argument values from the request. If no function fits, answer null.")


def tools_prompt(text: str, tools: Sequence[ToolSpec], docs: Sequence[Mapping[str, Any]] | None = None) -> list[Message]:
    """The chat for `plan_call`: the tools' docs (compact JSON, one line each) and the request."""
    lines = [json.dumps(d, separators=(",", ":"), ensure_ascii=False) for d in (docs or [
        {"name": t.name, "description": t.description, "parameters": t.parameters} for t in tools])]
    return [Message("system", SYSTEM.format(tools="\n".join(lines))), Message("user", text)]


@dataclass(frozen=True)
class CallDecision:
    call: PlannedCall | None
    call_probability: float  # the model's probability of calling a tool at all
    ms: float = 0.0
    rejected: str | None = None  # the tool the model chose but whose required values the request lacks


def grounded(value: Any, text: str) -> bool:
    """Whether an argument value can be read in `text`: a string whose words all appear there (case and
    punctuation aside), a number written there (in digits or words, scaled, or as a percentage:
    `inference.numbers`), a list or dict all of whose values are."""
    words = set(re.findall(r"[a-z0-9]+", text.lower()))
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        number = value if isinstance(value, int) or not float(value).is_integer() else int(value)
        return (str(number) in text.replace(",", "") or str(number).lstrip("-") in words
                or states_number(float(value), text))
    if isinstance(value, str):
        mine = re.findall(r"[a-z0-9]+", value.lower())
        return bool(mine) and all(w in words for w in mine)
    if isinstance(value, list):
        return bool(value) and all(grounded(v, text) for v in value)
    if isinstance(value, Mapping):
        return bool(value) and all(grounded(v, text) for v in value.values())
    return False


def mentioned(value: Any, text: str) -> bool:
    """A looser `grounded`: a number written in `text`, a string sharing a word with it, a list with one
    such element; booleans always (a request rarely spells them out)."""
    if isinstance(value, bool):
        return True
    if isinstance(value, str):
        words = set(re.findall(r"[a-z0-9]+", text.lower()))
        return any(w in words for w in re.findall(r"[a-z0-9]+", value.lower()))
    if isinstance(value, list):
        return any(mentioned(v, text) for v in value)
    if isinstance(value, Mapping):
        return any(mentioned(v, text) for v in value.values())
    return grounded(value, text)


def unmentioned_required(arguments: Mapping[str, Any], schema: Mapping[str, Any], text: str) -> list[str]:
    """Required arguments whose values the request does not mention (enums aside: picked from a list).
    A model made to call a tool that does not fit invents them ("distance": 1.0 for "what time is it")."""
    props = schema.get("properties", {})
    return [k for k in schema.get("required", []) if k in arguments and "enum" not in props.get(k, {})
            and not mentioned(arguments[k], text)]


def drop_ungrounded_optional(arguments: Mapping[str, Any], schema: Mapping[str, Any], text: str) -> dict[str, Any]:
    """The arguments without the optional ones the request does not mention: a small model fills every
    optional argument it is allowed to, mostly with guesses, where leaving it out means "the default".
    A flag set to true is mentioned when the request says its name ("assuming equal variance" for
    `equal_variance`, "with details" for `detailed`)."""
    required = set(schema.get("required", []))
    return {k: v for k, v in arguments.items()
            if k in required or grounded(v, text) or (v is True and _said(k, text))}


def _said(name: str, text: str) -> bool:
    """Whether every word of a parameter's name (snake or camel case, 3+ letters) is in `text`, a word
    counting when the first five letters agree ("details" says "detailed")."""
    parts = [p.lower() for p in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", name) if len(p) >= 3]
    stems = {w[:5] for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 3}
    return bool(parts) and all(p[:5] in stems for p in parts)


_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?(?:%|percent\b|per cent\b)", re.IGNORECASE)


def percent_as_fraction(arguments: Mapping[str, Any], schema: Mapping[str, Any], text: str) -> dict[str, Any]:
    """A fractional number argument that the model copied from "5%" in the request as 5 is 0.05: a
    `number` parameter is a fraction unless its description speaks of percent. Integer parameters
    (brightness 0-100) and described percentages keep the number as said."""
    said = {float(m.group(1)) for m in _PERCENT.finditer(text)}
    if not said:
        return dict(arguments)
    props = schema.get("properties", {})
    out = dict(arguments)
    for key, value in arguments.items():
        spec = props.get(key, {})
        about = f"{spec.get('description', '')} {key}".lower()
        if (spec.get("type") in ("number", "float") and not isinstance(value, bool) and isinstance(value, int | float)
                and float(value) in said and value != 0 and "percent" not in about and "%" not in about):
            out[key] = round(float(value) / 100, 10)
    return out


def numbers_as_declared(arguments: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments with every whole number where the schema declares a `number` written as a float
    (inside lists and objects too): JSON's 12 and 12.0 are one number, but a Python function that takes
    a list of floats is handed ints otherwise (BFCL's checker refuses `[12, 15]` for `List[float]`)."""
    props = schema.get("properties", {})
    return {k: _as_declared(v, props.get(k, {})) for k, v in arguments.items()}


def _as_declared(value: Any, spec: Any) -> Any:
    if not isinstance(spec, Mapping):
        return value
    kind = spec.get("type")
    if kind in ("number", "float") and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, list) and isinstance(spec.get("items"), Mapping):
        return [_as_declared(v, spec["items"]) for v in value]
    if isinstance(value, Mapping) and isinstance(spec.get("properties"), Mapping):
        return {k: _as_declared(v, spec["properties"].get(k, {})) for k, v in value.items()}
    return value


def decide_call(engine: Engine, text: str, tools: Sequence[ToolSpec], *, min_call_probability: float = 0.5,
                max_tokens: int = 256, docs: Sequence[Mapping[str, Any]] | None = None,
                ground_optional: bool = True, require_mentioned: bool = True,
                relevance_gate: bool = False) -> CallDecision:
    """`plan_call` with the model's call probability also when it makes no call. `relevance_gate` first
    keeps only the tools whose subject the request mentions (`inference.relevance`): none, no call."""
    if relevance_gate:
        from inference.relevance import relevant

        kept = [i for i, t in enumerate(tools)
                if relevant(text, t.name, t.description, t.parameters.get("properties", {}))]
        tools = [tools[i] for i in kept]
        docs = None if docs is None else [docs[i] for i in kept]
    if not tools:
        return CallDecision(None, 0.0)
    grammar = compile_schema(call_schema(tools))
    mask_kwargs = {"branch": True, "min_call_probability": min_call_probability}
    try:
        result, mask = _run(engine, _prompt_ids(engine, tools_prompt(text, tools, docs)), grammar, max_tokens,
                            mask_kwargs)
    except GrammarIncomplete as exc:  # a runaway string: no call it could make is usable
        log.info("no call: %s", exc)
        return CallDecision(None, 0.0)
    log.debug("plan_call tokens=%d ms=%.0f p_call=%.2f", result.tokens, result.ms, mask.call_probability)
    if not isinstance(result.value, dict):
        return CallDecision(None, mask.call_probability, result.ms)
    name, arguments = result.value["name"], result.value["arguments"]
    schema = next(t.parameters for t in tools if t.name == name)
    if require_mentioned and (missing := unmentioned_required(arguments, schema, text)):
        log.debug("no call: %s would need %s, which the request does not mention", name, missing)
        return CallDecision(None, mask.call_probability, result.ms, rejected=name)
    if ground_optional:
        arguments = drop_ungrounded_optional(arguments, schema, text)
    arguments = numbers_as_declared(percent_as_fraction(arguments, schema, text), schema)
    confidence = mask.call_probability * float(np.exp(result.mean_logprob))
    return CallDecision(PlannedCall(name, arguments, confidence, mask.call_probability), mask.call_probability,
                        result.ms)


def plan_call(engine: Engine, text: str, tools: Sequence[ToolSpec], *, min_call_probability: float = 0.5,
              max_tokens: int = 256, docs: Sequence[Mapping[str, Any]] | None = None,
              ground_optional: bool = True, require_mentioned: bool = True,
              relevance_gate: bool = False) -> PlannedCall | None:
    """The call of one of `tools` that `text` asks for, or None when the model's probability of calling
    any tool is below `min_call_probability` (or no tool is given). `docs` replaces the tool
    descriptions shown to the model (e.g. a benchmark's own function docs); the grammar is always
    built from `tools`. `ground_optional` drops optional arguments the request does not mention;
    `require_mentioned` makes no call when a required value is not in the request (see `mentioned`);
    `relevance_gate` offers only the tools the request talks about (`inference.relevance`)."""
    return decide_call(engine, text, tools, min_call_probability=min_call_probability, max_tokens=max_tokens,
                       docs=docs, ground_optional=ground_optional, require_mentioned=require_mentioned,
                       relevance_gate=relevance_gate).call


__all__ = [
    "CallDecision",
    "ConstrainedResult",
    "PlannedCall",
    "ToolSpec",
    "call_schema",
    "compile_schema",
    "decide_call",
    "drop_ungrounded_optional",
    "generate_json",
    "grounded",
    "mentioned",
    "numbers_as_declared",
    "percent_as_fraction",
    "plain_bytelevel",
    "plan_call",
    "tools_prompt",
    "unmentioned_required",
]
