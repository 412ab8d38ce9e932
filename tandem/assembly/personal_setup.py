"""The personal store and its scheduler as settings describe them (shared by the CLI, `serve` and the agent).

The store's key is the device's vault key (`vault.key` in the device keys dir, 0600), so one key file
guards the conversation vaults and the personal data alike; the database lives under the state dir.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path

from device.personal.scheduler import Notify, Scheduler
from device.personal.store import PersonalStore
from device.personal.zones import zone
from tandem import locations
from tandem.settings import Settings


def personal_path(settings: Settings) -> Path:
    return settings.personal.path or locations.state_dir() / "personal" / f"{settings.device_id}.sqlite"


def personal_zone(settings: Settings) -> tzinfo:
    """`[personal] timezone`, else the system's zone (a real zone, DST rules included)."""
    return zone(settings.personal.timezone)


def open_personal_store(settings: Settings, *, clock: Callable[[], datetime] | None = None) -> PersonalStore:
    """The device's personal store, created (with the vault key) on first use."""
    from device.errors import PersonalStoreError, VaultError
    from device.redaction.vault_store import KEY_FILE, load_or_create_key

    try:
        key = load_or_create_key(settings.device_keys_dir() / KEY_FILE)
    except VaultError as exc:
        raise PersonalStoreError(f"the personal store needs the vault key: {exc}") from exc
    return PersonalStore(personal_path(settings), key=key, clock=clock, tz=personal_zone(settings))


def personal_scheduler(settings: Settings, store: PersonalStore, notify: Notify) -> Scheduler:
    """The scheduler `tandem serve` runs: `notify` gets each reminder, alarm, timer or message that fires."""
    return Scheduler(store, notify, poll_s=settings.personal.poll_s, late_after_s=settings.personal.late_after_s)
