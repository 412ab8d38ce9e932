"""BFCL's AST check of one call, ported from `bfcl_eval/eval_checker/ast_eval/ast_checker.py` (Python).

`bfcl_eval`'s checker module imports the whole model registry (vendor SDKs), so it is followed here
rule by rule rather than imported: the function name must match; required arguments present; no
argument the function or the answer does not know; each value among the accepted ones after BFCL's
string normalisation (spaces and `,./-_*^` removed, lower case, ' -> "); `""` among them = may be
omitted; an int where a float is expected counts as that float; a value of the answer's type where
the declared type differs is a "variable" and compared as is; dicts and lists of dicts key by key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_PY = {"string": str, "integer": int, "float": float, "boolean": bool, "array": list, "tuple": list,
       "dict": dict, "any": str}
_NESTED = ("array", "tuple")


@dataclass(frozen=True)
class Check:
    valid: bool
    error: str = ""  # BFCL's error type, e.g. "value_error:string"


def standardize(text: str) -> str:
    return re.sub(r"[ \,\.\/\-\_\*\^]", "", text).lower().replace("'", '"')


def _answer_type(accepted: Sequence[Any]) -> type | None:
    return next((type(a) for a in accepted if a != ""), None)


def _type_ok(value: Any, accepted: Sequence[Any], expected: type, nested: type | None) -> tuple[bool, bool]:
    """(valid, is_variable) as BFCL's type_checker decides them."""
    answer_type = _answer_type(accepted)
    is_variable = answer_type is not None and answer_type is not expected
    if type(value) is expected:
        if nested is None:
            return True, is_variable
        elements: Any = value
        for option in accepted:
            if type(option) is list and all(_type_ok(v, option, nested, None)[0] for v in elements):
                return True, is_variable
            if type(option) is not list:
                return True, is_variable
        return False, is_variable
    if answer_type is not None and type(value) is answer_type:
        return True, True
    return False, is_variable


def _std(v: Any) -> Any:
    return standardize(v) if isinstance(v, str) else v


def _dict_ok(value: Mapping[str, Any], accepted: Sequence[Any]) -> bool:
    for option in accepted:
        if option == "":
            continue
        if all(k in option and _std(v) in [_std(a) for a in option[k]] for k, v in value.items()) and all(
                k in value or "" in v for k, v in option.items()):
            return True
    return False


def _list_dict_ok(value: Sequence[Any], accepted: Sequence[Any]) -> bool:
    return any(isinstance(option, list) and len(option) == len(value)
               and all(isinstance(v, Mapping) and _dict_ok(v, [o]) for v, o in zip(value, option, strict=True))
               for option in accepted)


def check_call(function: Mapping[str, Any], call: Mapping[str, Mapping[str, Any]],
               answer: Mapping[str, Mapping[str, list[Any]]]) -> Check:
    """BFCL's simple_function_checker for one `{name: {arg: value}}` against one possible answer."""
    accepted_args = next(iter(answer.values()))
    name = function["name"]
    if name not in call:
        return Check(False, "simple_function_checker:wrong_func_name")
    args = call[name]
    details = function["parameters"]["properties"]
    for param in function["parameters"].get("required", []):
        if param not in args:
            return Check(False, "simple_function_checker:missing_required")
    for param, value in args.items():
        if param not in details or param not in accepted_args:
            return Check(False, "simple_function_checker:unexpected_param")
        declared = details[param]["type"]
        expected = _PY[declared]
        nested = _PY[details[param]["items"]["type"]] if declared in _NESTED else None
        if declared == "tuple" and type(value) is tuple:
            value = list(value)
        if declared == "float" and type(value) is int:
            value = float(value)
        accepted = accepted_args[param]
        ok, is_variable = _type_ok(value, accepted, expected, nested)
        if not ok:
            return Check(False, "type_error:simple" if nested is None else "type_error:nested")
        if not is_variable:
            if expected is dict:
                if not _dict_ok(value, accepted):
                    return Check(False, "value_error:dict_value")
                continue
            if expected is list and nested is dict:
                if not _list_dict_ok(value, accepted):
                    return Check(False, "value_error:list_dict")
                continue
            if expected is str:
                if standardize(value) not in [standardize(a) for a in accepted if isinstance(a, str)]:
                    return Check(False, "value_error:string")
                continue
            if expected is list:
                std = [_std(v) for v in value]
                if std not in [[_std(a) for a in option] for option in accepted if isinstance(option, list)]:
                    return Check(False, "value_error:list/tuple")
                continue
        if value not in accepted:
            return Check(False, "value_error:others")
    for param, accepted in accepted_args.items():
        if param not in args and "" not in accepted:
            return Check(False, "simple_function_checker:missing_optional")
    return Check(True)


def check(functions: Sequence[Mapping[str, Any]], call: tuple[str, Mapping[str, Any]] | None,
          ground_truth: Sequence[Mapping[str, Mapping[str, list[Any]]]] | None) -> Check:
    """One item: `call` is (name, arguments) or None (no call); `ground_truth` None means right = no call.
    One expected call (simple and multiple categories): the function is the one the answer names."""
    if ground_truth is None:
        return Check(call is None, "" if call is None else "irrelevance:called")
    if call is None:
        return Check(False, "no_call")
    if len(ground_truth) != 1:
        return Check(False, "wrong_count")
    expected = next(iter(ground_truth[0]))
    function = next((f for f in functions if f["name"] == expected), None)
    if function is None:
        return Check(False, "unknown_function")
    return check_call(function, {call[0]: call[1]}, ground_truth[0])
