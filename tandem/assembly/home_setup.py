"""The home from settings (`[home]`): what `tandem ask`, `chat` and `serve` give the device's tools.

    [home] broker_url set      MqttHome: Home Assistant's MQTT discovery on that broker, named and
                               placed by the inventory when one is given
    [home] api_url (+ token)   RestHome: a running Home Assistant through its REST API
    only [home] inventory      InventoryHome: the file, commands change it in memory
    neither                    None: the device has no home (home tools say so)

The caller owns the lifecycle: `await home.start()` before the first call (MqttHome connects and
learns the home; HomeUnavailable when the broker cannot be reached) and `await home.close()` at the
end. `here_area(settings, home)` turns `[home] area` (an id or a name) into the area id that
`device.home.resolve(..., here_area=...)` takes, once the home has started.
"""

from __future__ import annotations

import logging
import uuid

from device.errors import HomeError
from device.home.base import Home
from device.home.inventory import load_inventory, slugify
from device.home.inventory_home import InventoryHome
from tandem.settings import Settings

__all__ = ["here_area", "make_home"]

log = logging.getLogger(__name__)


def make_home(settings: Settings) -> Home | None:
    """The configured home, not started; InventoryError when the inventory file is wrong, HomeError when
    the API is named without its token."""
    config = settings.home
    inventory = load_inventory(config.inventory) if config.inventory is not None else None
    if config.broker_url:
        from device.home.mqtt_home import MqttHome

        return MqttHome(config.broker_url, inventory=inventory, discovery_prefix=config.discovery_prefix,
                        mqtt_version=config.mqtt_version, auth=config.mqtt_auth(), birth=config.birth_message,
                        client_id=f"tandem-home-{settings.device_id}-{uuid.uuid4().hex[:6]}")
    if config.api_url:
        from device.home.rest_home import RestHome

        if config.api_token is None:
            raise HomeError("[home] api_url is set but api_token is not: make a long-lived access token in your "
                            "Home Assistant profile and set [home] api_token (TANDEM_HOME__API_TOKEN)")
        return RestHome(config.api_url, config.api_token.get_secret_value())
    if inventory is not None:
        return InventoryHome(inventory)
    return None


def here_area(settings: Settings, home: Home | None) -> str | None:
    """`[home] area` as an area id of `home` (matched by id, name or alias); the slug of the
    setting, with a warning, when the home has no such area (yet)."""
    wanted = settings.home.area
    if not wanted:
        return None
    key = wanted.strip().casefold()
    for area in home.areas() if home is not None else ():
        if key in (area.id.casefold(), area.name.casefold(), *(a.casefold() for a in area.aliases)):
            return area.id
    log.warning("[home] area %r is none of the home's areas; using %r", wanted, slugify(wanted))
    return slugify(wanted)
