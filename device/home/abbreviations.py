"""The short keys of Home Assistant's MQTT discovery payloads and what they stand for.

Devices with little memory (Tasmota, ESPHome, many DIY nodes) announce `{"cmd_t": ..., "stat_t":
..., "dev": {"ids": ..., "sa": ...}}`; Home Assistant expands them before reading the config, and
so does `device.home.discovery`. Only keys tandem reads, or that a device commonly sends, are
listed: an unknown short key stays as it is (and is then ignored, as an unknown long key is).
"""

from __future__ import annotations

__all__ = ["ABBREVIATIONS", "DEVICE_ABBREVIATIONS", "ORIGIN_ABBREVIATIONS"]

ABBREVIATIONS: dict[str, str] = {
    "avty": "availability", "avty_mode": "availability_mode", "avty_t": "availability_topic",
    "avty_tpl": "availability_template", "bri_cmd_t": "brightness_command_topic",
    "bri_cmd_tpl": "brightness_command_template", "bri_scl": "brightness_scale",
    "bri_stat_t": "brightness_state_topic", "bri_val_tpl": "brightness_value_template", "clrm": "color_mode",
    "cmd_off_tpl": "command_off_template", "cmd_on_tpl": "command_on_template", "cmd_t": "command_topic",
    "cmd_tpl": "command_template", "cmps": "components", "curr_temp_t": "current_temperature_topic",
    "curr_temp_tpl": "current_temperature_template", "def_ent_id": "default_entity_id", "dev": "device",
    "dev_cla": "device_class", "e": "encoding", "en": "enabled_by_default", "ent_cat": "entity_category",
    "ic": "icon", "json_attr_t": "json_attributes_topic", "json_attr_tpl": "json_attributes_template",
    "max_temp": "max_temp", "min_temp": "min_temp", "mode_cmd_t": "mode_command_topic",
    "mode_cmd_tpl": "mode_command_template", "mode_stat_t": "mode_state_topic", "mode_stat_tpl": "mode_state_template",
    "modes": "modes", "name": "name", "o": "origin", "obj_id": "object_id", "on_cmd_type": "on_command_type",
    "opt": "optimistic", "p": "platform", "pct_cmd_t": "percentage_command_topic",
    "pct_cmd_tpl": "percentage_command_template", "pct_stat_t": "percentage_state_topic",
    "pct_val_tpl": "percentage_value_template", "pl": "payload", "pl_avail": "payload_available",
    "pl_cls": "payload_close", "pl_lock": "payload_lock", "pl_not_avail": "payload_not_available",
    "pl_off": "payload_off", "pl_on": "payload_on", "pl_open": "payload_open", "pl_paus": "payload_pause",
    "pl_ret": "payload_return_to_base", "pl_stop": "payload_stop", "pl_strt": "payload_start",
    "pl_unlk": "payload_unlock", "pos_clsd": "position_closed", "pos_open": "position_open",
    "pos_t": "position_topic", "pos_tpl": "position_template", "pow_cmd_t": "power_command_topic",
    "qos": "qos", "ret": "retain", "rgb_cmd_t": "rgb_command_topic", "rgb_cmd_tpl": "rgb_command_template",
    "rgb_stat_t": "rgb_state_topic", "rgb_val_tpl": "rgb_value_template", "schema": "schema",
    "set_pos_t": "set_position_topic", "set_pos_tpl": "set_position_template", "spd_rng_max": "speed_range_max",
    "spd_rng_min": "speed_range_min", "stat_cla": "state_class", "stat_clsd": "state_closed",
    "stat_closing": "state_closing", "stat_locked": "state_locked", "stat_locking": "state_locking",
    "stat_jam": "state_jammed", "stat_off": "state_off", "stat_on": "state_on", "stat_open": "state_open",
    "stat_opening": "state_opening", "stat_stopped": "state_stopped", "stat_t": "state_topic",
    "stat_tpl": "state_template", "stat_unlocked": "state_unlocked", "stat_unlocking": "state_unlocking",
    "stat_val_tpl": "state_value_template", "sup_clrm": "supported_color_modes",
    "sup_feat": "supported_features", "t": "topic", "temp_cmd_t": "temperature_command_topic",
    "temp_cmd_tpl": "temperature_command_template", "temp_stat_t": "temperature_state_topic",
    "temp_stat_tpl": "temperature_state_template", "temp_unit": "temperature_unit", "uniq_id": "unique_id",
    "unit_of_meas": "unit_of_measurement", "val_tpl": "value_template",
}

DEVICE_ABBREVIATIONS: dict[str, str] = {
    "cns": "connections", "cu": "configuration_url", "hw": "hw_version", "ids": "identifiers", "mdl": "model",
    "mdl_id": "model_id", "mf": "manufacturer", "name": "name", "sa": "suggested_area", "sn": "serial_number",
    "sw": "sw_version", "via_device": "via_device",
}

ORIGIN_ABBREVIATIONS: dict[str, str] = {"name": "name", "sw": "sw_version", "url": "support_url"}
