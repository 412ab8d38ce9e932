"""Writing one number into the TOML config file, keeping everything else in it as the user wrote it.

`tandem route calibrate` writes a router's threshold (`[escalation] threshold = 1.8`). The file is
edited line by line: the key's line in its section is replaced, or added under the section's header,
or the section is appended; comments, order and other keys stay. The result is parsed back before it
replaces the file (atomically), so a file this cannot edit safely is left as it was, with an error that
says which line to fix.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import tomllib

_HEADER = re.compile(r"^\s*\[([^\[\]]+)\]\s*(?:#.*)?$")


class ConfigWriteError(ValueError):
    """The config file could not be updated; it was left as it was."""


def set_number(path: Path, section: str, key: str, value: float) -> None:
    """`[section] key = value` in the TOML file at `path` (created if missing)."""
    if not math.isfinite(value):
        raise ConfigWriteError(f"refusing to write {section}.{key} = {value}: not a finite number")
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigWriteError(f"{path} is not valid TOML ({exc}): fix it, then run this again") from exc
    line = f"{key} = {value:.6g}"
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if (m := _HEADER.match(ln)) and m.group(1).strip() == section), None)
    if start is None:
        lines += ([""] if lines and lines[-1].strip() else []) + [f"[{section}]", line]
    else:
        end = next((i for i in range(start + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
        own = re.compile(rf"^\s*{re.escape(key)}\s*=")
        found = next((i for i in range(start + 1, end) if own.match(lines[i])), None)
        if found is None:
            lines.insert(start + 1, line)
        else:
            lines[found] = line
    new = "\n".join(lines) + "\n"
    try:
        written = tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigWriteError(f"could not write {section}.{key} into {path} safely ({exc}); set it by hand") from exc
    if written.get(section, {}).get(key) != float(f"{value:.6g}"):
        raise ConfigWriteError(f"{section}.{key} in {path} is not a plain `key = value` line; set it by hand")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(path)
