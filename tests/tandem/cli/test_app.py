"""The root group: one error path for every command, `--version`, and a `--help` that imports nothing heavy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import tandem
from protocol.errors import TandemError
from tandem.cli import main
from tandem.cli.group import TandemGroup

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[3]


class _Broken(TandemError):
    pass


def _root_with(error: Exception) -> click.Group:
    """A TandemGroup with a subgroup whose command raises `error` (as a command deep in `tandem` would)."""

    @click.group(cls=TandemGroup)
    def root() -> None:
        pass

    @root.group()
    def sub() -> None:
        pass

    @sub.command()
    def boom() -> None:
        raise error

    return root


def test_a_tandem_error_in_a_nested_command_is_one_error_line_and_exit_2() -> None:
    result = CliRunner().invoke(_root_with(_Broken("the worker did not come online: see its log")), ["sub", "boom"])
    assert result.exit_code == 2
    assert result.stderr == "error: the worker did not come online: see its log\n"
    assert result.stdout == ""


def test_other_exceptions_are_not_turned_into_error_lines() -> None:
    result = CliRunner().invoke(_root_with(KeyError("bug")), ["sub", "boom"])
    assert isinstance(result.exception, KeyError)
    assert "error:" not in result.stderr


def test_real_commands_share_the_error_path(tmp_path: Path) -> None:
    env = {"TANDEM_CONFIG": str(tmp_path / "none.toml"), "TANDEM_KEYS_DIR": str(tmp_path / "keys")}
    unknown = CliRunner(env=env).invoke(main, ["hardware", "show", "no-such-board"])  # hardware.ProfileError
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("error: unknown hardware profile 'no-such-board'")
    broken = CliRunner(env={**env, "TANDEM_ESCALATION__THRESHOLD": "high"}).invoke(main, ["keys", "list"])
    assert broken.exit_code == 2
    assert broken.stderr.startswith("error: invalid settings (config file or TANDEM_* variables)")
    missing = CliRunner(env=env).invoke(main, ["keys", "enrol", "kitchen-pi", str(tmp_path / "absent.json")])
    assert missing.exit_code == 2
    assert missing.stderr.startswith(f"error: cannot read {tmp_path / 'absent.json'}")


def test_click_usage_errors_keep_their_own_form() -> None:
    result = CliRunner().invoke(main, ["keys", "create"])
    assert result.exit_code == 2
    assert "Usage:" in result.stderr and "give exactly one of --device ID or --pool" in result.stderr
    assert not result.stderr.startswith("error:")


def test_version_is_the_package_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"tandem {tandem.__version__}\n"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == tandem.__version__
    assert project["scripts"]["tandem"] == "tandem.cli:main"


@pytest.mark.parametrize("args", [["--help"], ["model", "--help"], ["bench", "--help"], ["eval", "--help"]])
def test_help_imports_no_heavy_module_and_no_harness(args: list[str]) -> None:
    heavy = ("onnxruntime", "numpy", "tokenizers", "textual", "torch", "transformers", "paho", "cryptography",
             "faker", "harness", "device", "inference", "quantize")
    code = ("import sys; from click.testing import CliRunner; from tandem.cli import main; "
            f"r = CliRunner().invoke(main, {args!r}); assert r.exit_code == 0, r.output; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_force_choices_are_the_agents_forces() -> None:
    from device.collab.steps import FORCES
    from tandem.cli.ask import FORCES as CLI_FORCES

    assert tuple(CLI_FORCES) == FORCES
