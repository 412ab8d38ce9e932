"""Settings for every tandem command, from a TOML file plus `TANDEM_*` environment variables.

Precedence (highest first): explicit overrides from the CLI, environment (`TANDEM_BROKER_URL`,
`TANDEM_ESCALATION__THRESHOLD`, ...), the TOML file (`TANDEM_CONFIG`, else
`~/.config/tandem/config.toml`), defaults. Nested tables use `__` in env names.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from cloud.backends import BACKENDS  # names only: a backend module is imported when it is made
from cloud.config import WorkerSettings
from tandem import locations

if TYPE_CHECKING:
    from protocol.mqtt import MqttAuth  # paho: imported when used, `tandem --help` stays instant


def _default_device_id() -> str:
    # MQTT topic- and key-file-safe: letters, digits, '-', '_'.
    host = "".join(c if c.isalnum() or c in "-_" else "-" for c in socket.gethostname())
    return (host or "device")[:48]


class EscalationSettings(BaseModel):
    """When the device hands a sub-task to the cloud."""

    model_config = ConfigDict(extra="forbid")

    threshold: float = 1.6
    """Mean per-token entropy (nats) of the local draft above which a sub-task escalates.
    The one routing knob: lower escalates more, higher keeps more on the device."""
    keep_personal_local: bool = True
    """Parts that hold personal data (placeholders) are answered on the device unless forced."""
    public_figures: bool = True
    """A knowledge question that names public figures ("When was Marie Curie born?") may leave with the
    names (nothing ties them to the user, no contact has them); False: every name stays a placeholder."""
    probe_tokens: int = 48
    """Tokens the device drafts before it judges its own uncertainty (early exit of the cascade)."""
    logprob_threshold: float = 2.5
    """The `logprob` router's cut (nats): the 10th-percentile token log-probability of the draft, negated,
    at or above which a step escalates (`tandem route calibrate --router logprob` writes it)."""
    deferral_threshold: float | None = None
    """The `deferral` router's cut on its model's score (None: the threshold in the model file, which
    `tandem route calibrate --router deferral` writes)."""
    pregen_threshold: float | None = None
    """The `pregen` router's cut on its model's score (None: the threshold in the model file, which
    `tandem route calibrate --router pregen` writes)."""
    daily_cloud_budget: int | None = Field(default=None, ge=0)
    """At most this many escalations a day (the device's local date; the count survives restarts in the
    state dir); past it, steps are answered on the device with a notice. None: no limit."""
    latency_target_s: float | None = Field(default=None, gt=0)
    """While the cloud's recent round trips average above this (seconds a step), steps stay on the device
    with a notice (one is sent every 5 minutes to measure again; a forced step always goes). None: none."""
    timeout_s: float = 180.0
    """How long the device waits for a cloud result before it answers locally with a notice."""
    ttl_s: float = Field(default=600.0, gt=0, le=6 * 3600)
    """Expiry written into every escalation header; workers refuse older tasks. At most the life of a
    session ticket (6 h, `protocol.session.SESSION_TTL_S`), which must outlive every task it carries."""
    spool_path: Path | None = None
    """Durable spool of accepted escalations (SQLite, WAL). None: `<state dir>/spool/<device_id>.sqlite`."""
    spool_max_tasks: int = 1000
    """Size bound of the spool: beyond it new escalations are refused (answered locally), never dropped."""
    retry_s: float = 5.0
    """An unanswered escalation is re-sent (same task id) after this long, then with backoff (x2, at most
    300 s). The pool drops copies of a task it is still running, so an early re-send costs a message, not a
    second model run."""


class SensitiveSettings(BaseModel):
    """Requests that disclose sensitive context about the user (health, religion, ...; no PII needed)."""

    model_config = ConfigDict(extra="forbid")

    model: Literal["auto", "build", "off"] = "auto"
    """The on-device classifier that tags them: "auto" trains it on first use when the quantize extra is
    installed; a device without it holds every step on the device. "build": failing to build is an error.
    "off": no classifier, and nothing escalates."""
    policy: dict[str, Literal["local", "ask", "generalize"]] = Field(default_factory=dict)
    """Per category (health, sex_life, sexual_orientation, gender_identity, religion, political_opinion,
    ethnicity, immigration, criminal_record, finances, trade_union, genetic, domestic_violence):
    "local" never escalates, "ask" asks the user first (TUI; a service request approves with
    "confirm_sensitive"), "generalize" sends only a rewrite about "someone" instead of the user."""
    default: Literal["local", "ask", "generalize"] = "local"
    """The action for categories not listed in `policy`."""

    @field_validator("policy")
    @classmethod
    def _known_categories(cls, policy: dict[str, str]) -> dict[str, str]:
        from device.redaction.sensitive_policy import CATEGORIES

        for name in policy:
            _known(name, dict.fromkeys(CATEGORIES), "sensitive category")
        return policy


class RedactionSettings(BaseModel):
    """How the device finds PII and what it does with each type."""

    model_config = ConfigDict(extra="forbid")

    ner: Literal["auto", "build", "off"] = "auto"
    """Learned name/address detector, on every face: "auto" uses it, training it on first use when the
    quantize extra is installed (~90 s, with progress); a device that cannot have it answers everything
    itself and says how to build it (nothing escalates with names found by rules alone). "build": the
    same, but a model that cannot be built is an error. "off": rules only, and nothing escalates."""
    actions: dict[str, Literal["redact", "keep", "block"]] = Field(default_factory=dict)
    """Per entity type (PERSON, STREET_ADDRESS, EMAIL, PHONE, API_KEY, ...): "redact" (default),
    "keep" (left in the text, also when escalating) or "block" (redacted, and a part holding it is
    always answered on the device)."""
    region: str | None = None
    """The device's country as an ISO 3166 code ("CH", "US", "BR"): its national phone formats
    ("(044) 668 18 00", "(11) 91234-5678") are read without a country code. None: the country of
    the locale (LC_ALL, LC_CTYPE or LANG, "de_CH.UTF-8" -> "CH"); the formats of the shipped
    markets (US, GB, DE, CH, FR, IT, ES, NL) are always read too."""
    vault_ttl_s: float = 7 * 24 * 3600.0
    """Stored (encrypted) conversation vaults are deleted this long after their last use."""
    vault_dir: Path | None = None
    """Where named conversations (`tandem chat --conversation`, `"conversation"` in a `tandem serve`
    request) keep their encrypted vaults. None: `<state dir>/vaults/<device_id>`; the key is
    `vault.key` in the device keys dir."""
    sensitive: SensitiveSettings = Field(default_factory=SensitiveSettings)
    """Sensitive context (`[redaction.sensitive]`): its classifier and what to do per category."""

    @field_validator("region")
    @classmethod
    def _country_code(cls, region: str | None) -> str | None:
        if region is None:
            return None
        if not re.fullmatch(r"[A-Za-z]{2}", region):
            raise ValueError(f"redaction.region must be a two-letter country code like \"CH\", got {region!r}")
        return region.upper()


class ToolsSettings(BaseModel):
    """What the device does itself: home devices, timers, lists, reminders (`device.tools`)."""

    model_config = ConfigDict(extra="forbid")

    parser: str = "cascade"
    """How text becomes a tool call (`device.tools.parsers.PARSERS`): `cascade` runs `stages` in order."""
    stages: list[str] = Field(default_factory=lambda: ["hassil", "learned", "rules"])
    """The cascade's stages, surest first (names from `device.tools.parsers.PARSERS`)."""
    min_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    """A parsed call below this confidence does not act on its own (the cascade tries the next stage)."""
    learned_model: Literal["auto", "build", "off"] = "auto"
    """The learned command parser's model (`tandem model train-intent`): "auto" trains it on first use when
    the quantize extra is installed, else the learned stage is left out; "build": failing to build is an
    error; "off": never."""
    file: Path | None = None
    """A TOML file of the user's own tools (a JSON Schema plus an MQTT message or a Python function)."""
    policy: dict[str, Literal["allow", "confirm", "refuse"]] = Field(default_factory=dict)
    """Per act, overriding the defaults (unlocking a lock, opening a garage door or gate and disarming an
    alarm ask first): keys `domain`, `domain.service` or `domain.service:device_class`, e.g.
    `"lock.unlock" = "refuse"`, `"cover.open_cover:garage" = "allow"`."""
    cloud_planner: bool = True
    """When a cloud is configured: a command the device's parsers cannot parse (or parse with less than
    `cloud_planner_min_confidence`) is planned by the worker pool, which gets the redacted request with
    the home's names as placeholders and the tools' schemas, never a value; the device executes the
    call (`device.tools.parsers.cloud_planner`). False: such a request is answered as text."""
    cloud_planner_min_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    """A local call below this confidence is checked with the cloud planner too."""
    slm_model: str = "qwen2.5-coder-0.5b-instruct"
    """The device model that writes tool calls under a grammar (`inference.constrained`, the `slm`
    parser, `tandem eval bfcl`). Qwen2.5-Coder-0.5B over SmolLM2-135M: on BFCL simple_python SmolLM2
    gets 36% (400 items) where Qwen gets 64% (1 in 5 sampled); it fits a Pi 5 (int8 1.1 GB on disk, about
    47 tok/s under llama.cpp on 2 x86 cores, a call is ~25 tokens after a ~300-token prompt)."""
    slm_min_call_probability: float = Field(default=0.83, ge=0.0, le=1.0)
    """The `slm` parser calls a tool only when the model's probability of calling one (against "no call")
    is at least this; higher: fewer calls on requests no tool fits, more missed calls. For
    Qwen2.5-Coder-0.5B the knee on BFCL live_simple/live_irrelevance (1 in 4 / 1 in 15 sampled) was 0.85;
    on every item of simple_python/irrelevance 0.85 gives 59.5% / 92.1% and 0.83 62.5% / 91.7% (0.8:
    65.5% / 89.6%), so 0.83, chosen there. For SmolLM2 0.9 was the knee (it stops 11 of 27 irrelevant
    calls there and loses 1 of 16 right ones)."""


class HomeSettings(BaseModel):
    """The home the device acts on (`device.home`): its own MQTT broker, an inventory file, or both."""

    model_config = ConfigDict(extra="forbid")

    broker_url: str | None = None
    """The home's MQTT broker (Zigbee2MQTT's, ESPHome's, Home Assistant's), `mqtt://host:port` or
    `mqtts://`; usually not the cloud broker. Devices are found through Home Assistant's MQTT discovery.
    None: no live home (`TANDEM_HOME__BROKER_URL`)."""
    inventory: Path | None = None
    """A YAML/JSON file of floors, areas and entities in the shape of Home Assistant's intent-test
    fixtures: names, aliases and areas for discovered devices, or the whole home without a broker
    (`TANDEM_HOME__INVENTORY`)."""
    area: str | None = None
    """This device's own area (an area id or name): what "the lights in here" means (`TANDEM_HOME__AREA`)."""
    discovery_prefix: str = "homeassistant"
    """The MQTT discovery prefix the home's devices announce themselves under."""
    birth_message: bool = True
    """Publish Home Assistant's birth message (`<prefix>/status` = "online") after connecting, so
    devices announce themselves again; no will is set, so a running Home Assistant is not disturbed."""
    mqtt_version: Literal["3.1.1", "5"] = "3.1.1"
    """MQTT protocol version for the home broker (3.1.1 works with every home broker)."""
    api_url: str | None = None
    """Home Assistant's base URL (`http://homeassistant.local:8123`) when the home is reached through its
    REST API instead of MQTT (used only without `broker_url`); needs `api_token` and httpx."""
    api_token: SecretStr | None = None
    """A long-lived access token from your Home Assistant profile (`TANDEM_HOME__API_TOKEN`); never printed."""
    command_timeout_s: float = Field(default=2.0, gt=0, le=60)
    """How long a command waits for the device to report its new state before the state is assumed."""
    ca_file: Path | None = None
    """CA certificate (PEM) of an `mqtts://` home broker with a private CA."""
    cert_file: Path | None = None
    """Client certificate (PEM) for a home broker with mutual TLS; with `key_file`."""
    key_file: Path | None = None
    """Private key (PEM, keep it 0600) of `cert_file`."""
    username: str | None = None
    """Account on the home broker (Zigbee2MQTT's and Home Assistant's brokers usually want one)."""
    password: SecretStr | None = None
    """Password of `username` (`TANDEM_HOME__PASSWORD`); never printed or logged."""

    def mqtt_auth(self) -> MqttAuth | None:
        """How to prove ourselves to the home broker; None for an open one."""
        from protocol.mqtt import MqttAuth

        if not any((self.ca_file, self.cert_file, self.key_file, self.username)):
            return None
        return MqttAuth(
            ca_file=str(self.ca_file) if self.ca_file else None,
            cert_file=str(self.cert_file) if self.cert_file else None,
            key_file=str(self.key_file) if self.key_file else None,
            username=self.username,
            password=self.password.get_secret_value() if self.password else None,
        )


class PersonalSettings(BaseModel):
    """The user's own data on the device (`device.personal`): reminders, alarms, timers, lists, notes,
    contacts; encrypted at rest under the vault key, fired by `tandem serve`."""

    model_config = ConfigDict(extra="forbid")

    path: Path | None = None
    """The personal database (SQLite, WAL, every text sealed). None: `<state dir>/personal/<device_id>.sqlite`.
    Its key is the vault key (`vault.key` in the device keys dir): keep the two together in backups."""
    timezone: str | None = None
    """IANA zone that due times are said in ("Europe/Zurich"). None: the system's ($TZ, /etc/localtime)."""
    default_time: time = time(9, 0)
    """Time of day for a date said without one ("remind me on Friday": Friday at this time)."""
    late_after_s: float = Field(default=60.0, ge=0)
    """A reminder or timer fired more than this after its time (the device was off) fires with a note."""
    poll_s: float = Field(default=1.0, gt=0, le=60)
    """Most seconds between the scheduler's checks (it also wakes at the next due time)."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str | None) -> str | None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if name is not None:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {name!r}: use an IANA name such as 'Europe/Zurich'") from exc
        return name


class CollabSettings(BaseModel):
    """How the device plans, routes and fuses (`device.collab`): each a name from its registry."""

    model_config = ConfigDict(extra="forbid")

    planner: str = "rules"
    """How a request is cut into steps (`device.collab.planners.PLANNERS`): "rules" splits at sentence
    ends and at "and"/"then" before a new imperative."""
    routers: list[str] = Field(default_factory=lambda: _default_cascade())
    """The routing cascade, in order; the first router that decides wins (`device.collab.routers.ROUTERS`):
    "tool" (tool steps to the device's tools), "capability" (code, arithmetic, translation to the
    cloud), "personal" (steps with private data stay, see `escalation.keep_personal_local`), "pregen"
    (before any draft: a classifier of the request trained by `tandem route train`), "entropy" (the device
    drafts; `escalation.threshold` decides), "logprob" (the device drafts; `escalation.logprob_threshold`
    on the draft's 10th-percentile token log-probability decides), "deferral" (the device drafts; a learned
    rule on the draft's log-prob quantiles and the request's form decides, `tandem route train`)."""
    fuser: str = "compose"
    """How the steps' answers become one (`device.collab.fusers.FUSERS`): "compose" joins them in order
    without echoes of the request or repeated paragraphs; "concat" joins them as they came."""

    @field_validator("planner")
    @classmethod
    def _known_planner(cls, name: str) -> str:
        from device.collab.planners import PLANNERS

        return _known(name, PLANNERS, "planner")

    @field_validator("routers")
    @classmethod
    def _known_routers(cls, names: list[str]) -> list[str]:
        from device.collab.routers import ROUTERS

        if not names:
            raise ValueError(f"collab.routers needs at least one router: {', '.join(ROUTERS)}")
        for name in names:
            _known(name, ROUTERS, "router")
        return names

    @field_validator("fuser")
    @classmethod
    def _known_fuser(cls, name: str) -> str:
        from device.collab.fusers import FUSERS

        return _known(name, FUSERS, "fuser")


class ServeSettings(BaseModel):
    """`tandem serve` (`[serve]`; env `TANDEM_SERVE__...`)."""

    model_config = ConfigDict(extra="forbid")

    allow_anonymous_broker: bool = False
    """Start even when the command broker takes anonymous clients and is reachable beyond this machine's
    loopback (anyone who reaches it reads every request and reply). Off: `tandem serve` refuses to
    start there and says how to give the broker accounts (`tandem broker users ... --caller NAME`).
    The service logs in to the command broker with `broker_username`/`broker_password` (its device id)."""
    max_waiting: int = Field(default=16, ge=1)
    """Requests that may wait for the device model (every face together); one more gets "busy" at once."""
    caller_rate_per_s: float = Field(default=2.0, gt=0)
    """A caller's sustained requests per second; beyond them "rate limited" at once (HTTP 429)..."""
    caller_burst: int = Field(default=10, ge=1)
    """...and how many it may send at once."""


def _default_cascade() -> list[str]:
    from device.collab.routers import DEFAULT_CASCADE

    return list(DEFAULT_CASCADE)


def _known(name: str, registry: Mapping[str, object], what: str) -> str:
    if name not in registry:
        raise ValueError(f"unknown {what} {name!r}; known: {', '.join(sorted(registry))}")
    return name


class Settings(BaseSettings):
    """Everything a tandem process reads from config. Each field documents itself."""

    model_config = SettingsConfigDict(
        env_prefix="TANDEM_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    broker_url: str = "mqtt://127.0.0.1:1883"
    """MQTT broker, `mqtt://host:port` (TLS: `mqtts://`). `tandem demo` starts one here if none answers."""
    mqtt_version: Literal["3.1.1", "5"] = "5"
    """MQTT protocol version; 5 gives shared subscriptions and "no matching subscribers" replies."""
    broker_ca_file: Path | None = None
    """CA certificate (PEM) that signed the broker's certificate, for `mqtts://` brokers with a private
    CA (`tandem broker certs` makes one). None: the system's trusted CAs."""
    broker_cert_file: Path | None = None
    """Client certificate (PEM) for mutual TLS (hardware/mosquitto/tandem-mtls.conf); with `broker_key_file`."""
    broker_key_file: Path | None = None
    """Private key (PEM, keep it 0600) of `broker_cert_file`."""
    broker_username: str | None = None
    """Broker account (password file): a device's account is its device id, a worker's its pool account."""
    broker_password: SecretStr | None = None
    """Password of `broker_username` (`TANDEM_BROKER_PASSWORD`); never printed or logged."""
    device_id: str = Field(default_factory=_default_device_id, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    """This device's id: names its topics and its key files."""
    models_dir: Path = Field(default_factory=locations.default_models_dir)
    """Cache of built ONNX models (rebuildable; keyed by source hash)."""
    keys_dir: Path = Field(default_factory=locations.default_keys_dir)
    """Key files (private keys 0600). Device keys under device/<id>/, pool keys under pool/."""
    device_model: str = "smollm2-135m-instruct"
    """Model the device runs (a name from `tandem model list`)."""
    cloud_model: str = "qwen2.5-coder-0.5b-instruct"
    """Model the worker's `onnx` backend runs."""
    worker_backend: str = "onnx"
    """Backend of `tandem worker`, a name from the registry `cloud.backends.BACKENDS`: `onnx` runs
    `cloud_model` with the tandem engine, `llamacpp` a GGUF in-process, `openai` any OpenAI-compatible
    server, `echo` answers with the prompt (load tests)."""
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    """Worker pool: workers per process, concurrency, health/metrics port, backend options, device
    limits (`[worker]`, `[worker.openai]`, `[worker.limits.devices.<id>]`; env `TANDEM_WORKER__...`)."""
    hardware_profile: str = "auto"
    """Board profile (`tandem hardware detect` explains the pick): "auto" detects it, or a name from
    hardware/profiles. The device engine takes the profile's threads and max_context unless those
    are set explicitly here."""
    threads: int | None = None
    """onnxruntime intra-op threads (None: the hardware profile's)."""
    max_context: int = 2048
    """Most tokens (prompt + answer) a generation may hold; longer prompts are refused clearly.
    Unless set explicitly, the hardware profile's value applies."""
    local_max_tokens: int = 200
    """Answer budget of the device model."""
    local_no_repeat_ngram: int = 4
    """The device model never repeats an n-gram of this size from its own answer (0: off); small
    models otherwise loop on long answers."""
    cloud_max_tokens: int = 320
    """Answer budget asked of the cloud worker."""
    escalation: EscalationSettings = Field(default_factory=EscalationSettings)
    redaction: RedactionSettings = Field(default_factory=RedactionSettings)
    collab: CollabSettings = Field(default_factory=CollabSettings)
    tools: ToolsSettings = Field(default_factory=ToolsSettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)
    home: HomeSettings = Field(default_factory=HomeSettings)
    """The home the device acts on (`[home]`): its MQTT broker, an inventory, this device's area."""
    personal: PersonalSettings = Field(default_factory=PersonalSettings)
    """Reminders, timers, lists, notes and contacts on the device (`[personal]`; env `TANDEM_PERSONAL__...`)."""

    @field_validator("worker_backend")
    @classmethod
    def _registered_backend(cls, name: str) -> str:
        if name not in BACKENDS:
            raise ValueError(f"unknown worker backend {name!r}: use one of {', '.join(BACKENDS)} "
                             "(the backends registered in cloud.backends)")
        return name

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = config_file()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    def mqtt_auth(self) -> MqttAuth | None:
        """How to prove ourselves to the broker (TLS files, account); None for an open broker."""
        from protocol.mqtt import MqttAuth

        if not any((self.broker_ca_file, self.broker_cert_file, self.broker_key_file, self.broker_username)):
            return None
        return MqttAuth(
            ca_file=str(self.broker_ca_file) if self.broker_ca_file else None,
            cert_file=str(self.broker_cert_file) if self.broker_cert_file else None,
            key_file=str(self.broker_key_file) if self.broker_key_file else None,
            username=self.broker_username,
            password=self.broker_password.get_secret_value() if self.broker_password else None,
        )

    def device_keys_dir(self) -> Path:
        return self.keys_dir / "device" / self.device_id


def config_file() -> Path:
    override = os.environ.get("TANDEM_CONFIG")
    return Path(override) if override else locations.default_config_file()


def load_settings(**overrides: object) -> Settings:
    """Settings from file + env, with CLI overrides (None values are ignored)."""
    given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**given)
