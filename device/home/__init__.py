"""The home the device acts on: inventory, Home Assistant's MQTT discovery, entities from words, commands.

    model.py          Floor, Area, Entity (frozen; Home Assistant's ids, states and attribute names)
    inventory.py      load_inventory(path): floors, areas, entities from a YAML/JSON file in the shape of
                      Home Assistant's intent-test fixtures, with line-and-field errors
    base.py           the `Home` interface the tools call: floors(), areas(), entities(), entity(id),
                      await call(domain, service, entity_id, data, timeout_s) -> the entity afterwards
    services.py       Home Assistant's services per domain, their data, the state each leaves
    inventory_home.py InventoryHome: the file alone; calls change the state in memory
    mqtt_home.py      MqttHome: the live home on its own broker (discovery, state topics, commands)
    discovery.py      discovery topics and configs read (abbreviations.py: the short keys)
    templates.py      the `{{ value_json.x }}` templates devices send, without a Jinja engine
    platforms/        per component (light, switch, fan, climate, cover, valve, lock, sensor,
                      binary_sensor, media_player, vacuum, lawn_mower): state topics in, commands out
    resolve.py        resolve(home, name=, area=, floor=, domain=, device_class=, here_area=) -> entities,
                      or UnknownEntity / AmbiguousTarget (with the question to ask back)

Errors are `device.errors.HomeError` and its subclasses. `tandem.assembly.home_setup.make_home`
builds the configured home from `[home]`.
"""

from __future__ import annotations

from device.home.base import Home
from device.home.inventory import Inventory, load_inventory
from device.home.inventory_home import InventoryHome
from device.home.model import Area, Entity, Floor
from device.home.resolve import resolve
from device.home.services import SERVICES

__all__ = ["SERVICES", "Area", "Entity", "Floor", "Home", "Inventory", "InventoryHome", "load_inventory", "resolve"]
