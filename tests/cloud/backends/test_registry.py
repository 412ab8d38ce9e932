"""The backend registry (`cloud.backends`): names, lazy imports, and the settings and CLI it feeds."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cloud.backends import BACKENDS, make_backend
from cloud.backends.echo import EchoBackend
from cloud.errors import UnknownBackend
from protocol.messages import SubTask

PACKAGE_DIR = Path(__file__).resolve().parents[3] / "cloud" / "backends"
REPO_ROOT = PACKAGE_DIR.parents[1]
HEAVY = ("onnxruntime", "httpx", "xllamacpp", "inference.engine")


def test_the_built_ins_are_registered_in_the_order_the_cli_lists_them() -> None:
    assert list(BACKENDS) == ["onnx", "echo", "openai", "llamacpp"]


@pytest.mark.parametrize("name", list(BACKENDS))
def test_each_name_is_a_module_of_the_package_holding_a_backend_of_that_name(name: str) -> None:
    module = importlib.import_module(f"cloud.backends.{name}")
    classes = [obj for obj in vars(module).values()
               if isinstance(obj, type) and obj.__module__ == module.__name__ and "generate" in vars(obj)]
    assert [cls.name for cls in classes] == [name]


def test_make_backend_makes_the_named_backend_with_its_options() -> None:
    backend = make_backend("echo", delay_s=0.0)
    assert isinstance(backend, EchoBackend) and backend.inline
    assert list(backend.generate(SubTask(prompt="ping <PERSON_1>"))) == ["ping <PERSON_1>"]


def test_an_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownBackend, match=r"unknown backend 'gpt'; known: echo, llamacpp, onnx, openai"):
        make_backend("gpt")


def test_backend_modules_import_the_base_and_never_each_other() -> None:
    for path in sorted(PACKAGE_DIR.glob("*.py")):
        if path.stem in ("__init__", "base"):
            continue
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cloud.backends"):
                imported.add(node.module)
                if node.module == "cloud.backends":  # `from cloud.backends import openai` names the module too
                    imported.update(f"cloud.backends.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                imported.update(a.name for a in node.names if a.name.startswith("cloud.backends"))
        assert imported <= {"cloud.backends.base"}, (
            f"{path.relative_to(REPO_ROOT)} imports {sorted(imported - {'cloud.backends.base'})}: a backend "
            "imports only cloud.backends.base; move what it shares with another backend there")


def _modules_after(code: str) -> list[str]:
    """The heavy modules loaded after running `code` in a fresh interpreter (this one has them all)."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True,
                         timeout=120, check=True, env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_registry_settings_and_echo_import_no_backend_binding() -> None:
    assert _modules_after("import cloud.backends, tandem.settings\n"
                          "from cloud.backends import make_backend\nmake_backend('echo')") == []
    # the control: making the openai backend does import its binding
    assert _modules_after("from cloud.backends import make_backend\nmake_backend('openai')") == ["httpx"]


def test_settings_accept_exactly_the_registered_backends(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tandem.settings import Settings

    monkeypatch.setenv("TANDEM_CONFIG", str(tmp_path / "none.toml"))
    for name in BACKENDS:
        assert Settings(worker_backend=name).worker_backend == name
    with pytest.raises(ValueError, match=r"unknown worker backend 'gpt': use one of onnx, echo, openai, llamacpp"):
        Settings(worker_backend="gpt")


def test_the_worker_command_offers_the_registered_backends() -> None:
    from tandem.cli import main  # the console script's group (pyproject: tandem = "tandem.cli:main")

    (option,) = [p for p in main.commands["worker"].params if p.name == "backend"]
    assert list(option.type.choices) == list(BACKENDS)
