"""The MQTT platforms by component name: how each kind of device is read and commanded.

    light          light.py         default and JSON schema
    switch, fan    switch.py
    climate        climate.py
    cover, valve   cover.py
    lock           lock.py
    sensor, binary_sensor   sensor.py (read only)
    media_player   media_player.py  (the mqtt_media_player custom integration's convention)
    vacuum, lawn_mower      robot.py

Each follows `device.home.platforms.base.Platform`; `device.home.mqtt_home.MqttHome` looks the
component of a discovered config up here. A component missing from this table is not followed.
"""

from __future__ import annotations

from device.home.platforms.base import Change, Handler, Platform, Publish
from device.home.platforms.climate import ClimatePlatform
from device.home.platforms.cover import CoverPlatform, ValvePlatform
from device.home.platforms.light import LightPlatform
from device.home.platforms.lock import LockPlatform
from device.home.platforms.media_player import MediaPlayerPlatform
from device.home.platforms.robot import LawnMowerPlatform, VacuumPlatform
from device.home.platforms.sensor import BinarySensorPlatform, SensorPlatform
from device.home.platforms.switch import FanPlatform, SwitchPlatform

__all__ = ["PLATFORMS", "Change", "Handler", "Platform", "Publish"]

PLATFORMS: dict[str, Platform] = {
    "light": LightPlatform(),
    "switch": SwitchPlatform(),
    "fan": FanPlatform(),
    "climate": ClimatePlatform(),
    "cover": CoverPlatform(),
    "valve": ValvePlatform(),
    "lock": LockPlatform(),
    "sensor": SensorPlatform(),
    "binary_sensor": BinarySensorPlatform(),
    "media_player": MediaPlayerPlatform(),
    "vacuum": VacuumPlatform(),
    "lawn_mower": LawnMowerPlatform(),
}
