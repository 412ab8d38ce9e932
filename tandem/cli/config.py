"""Settings as commands read them: a broken config file or TANDEM_* variable is a clean error line."""

from __future__ import annotations

from tandem.cli.errors import InvalidSettings
from tandem.settings import Settings, load_settings


def cli_settings(**overrides: object) -> Settings:
    """`load_settings(**overrides)` (None values ignored); a validation error becomes InvalidSettings."""
    try:
        return load_settings(**overrides)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise InvalidSettings(f"invalid settings (config file or TANDEM_* variables): {exc}") from exc
