"""`[home]` settings and make_home: which home a device gets, from the file and the environment."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import ValidationError

from device.errors import InventoryError
from device.home.inventory_home import InventoryHome
from device.home.mqtt_home import MqttHome
from tandem.assembly.home_setup import here_area, make_home
from tandem.settings import Settings

EXAMPLE = Path(__file__).parents[2] / "device" / "home" / "data" / "example_inventory.yaml"


@pytest.fixture(autouse=True)
def _no_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_CONFIG", str(tmp_path / "none.toml"))
    for name in ("TANDEM_HOME__BROKER_URL", "TANDEM_HOME__INVENTORY", "TANDEM_HOME__AREA", "TANDEM_HOME__API_URL",
                 "TANDEM_HOME__API_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def test_no_home_configured_is_no_home() -> None:
    settings = Settings()
    assert settings.home.broker_url is None and settings.home.inventory is None
    assert make_home(settings) is None and here_area(settings, None) is None


def test_the_environment_sets_the_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_HOME__BROKER_URL", "mqtt://home-broker.local:1883")
    monkeypatch.setenv("TANDEM_HOME__INVENTORY", str(EXAMPLE))
    monkeypatch.setenv("TANDEM_HOME__AREA", "Living Room")
    settings = Settings(device_id="kitchen-pi")
    assert settings.home.broker_url == "mqtt://home-broker.local:1883" and settings.home.inventory == EXAMPLE
    home = make_home(settings)
    assert isinstance(home, MqttHome)
    assert home.prefix == "homeassistant" and home.inventory.source == str(EXAMPLE)
    assert here_area(settings, home) == "living_room"  # by name, before anything is discovered


def test_a_toml_home_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[home]\ninventory = "{EXAMPLE}"\narea = "study"\nusername = "tandem"\n'
                      'password = "s3cret"\ndiscovery_prefix = "ha"\n')
    monkeypatch.setenv("TANDEM_CONFIG", str(config))
    settings = Settings()
    home = make_home(settings)
    assert isinstance(home, InventoryHome)  # no broker: the file alone
    assert here_area(settings, home) == "study"
    auth = settings.home.mqtt_auth()
    assert auth is not None and auth.username == "tandem" and auth.password == "s3cret"
    assert "s3cret" not in repr(settings.home) and "s3cret" not in repr(auth)
    asyncio.run(home.start())


def test_home_assistants_api_without_mqtt() -> None:
    from device.errors import HomeError
    from device.home.rest_home import RestHome

    home = make_home(Settings(home={"api_url": "http://ha.local:8123", "api_token": "abc"}))  # type: ignore[arg-type]
    assert isinstance(home, RestHome) and "abc" not in repr(home)
    with pytest.raises(HomeError, match="api_token"):
        make_home(Settings(home={"api_url": "http://ha.local:8123"}))  # type: ignore[arg-type]


def test_mistakes_in_the_home_table_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="brokr_url"):
        Settings(home={"brokr_url": "mqtt://x"})  # type: ignore[arg-type]
    broken = tmp_path / "home.yaml"
    broken.write_text("entities:\n  - {id: light, name: Nope}\n")
    with pytest.raises(InventoryError, match="is not an entity id"):
        make_home(Settings(home={"inventory": broken}))  # type: ignore[arg-type]


def test_an_area_the_home_lacks_is_kept_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(home={"inventory": EXAMPLE, "area": "Garden Shed"})  # type: ignore[arg-type]
    assert here_area(settings, make_home(settings)) == "garden_shed"
    assert "Garden Shed" in caplog.text
