"""Configuration of a worker pool: backends' options, pool shape, health endpoint, device limits.

These models come from config (`[worker]` in the TOML file, `TANDEM_WORKER__...` in the
environment), so they forbid unknown keys: a typo fails loudly instead of being ignored. They import
nothing but pydantic, so `tandem.settings` can hold them without pulling in a backend.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class OpenAIOptions(BaseModel):
    """An OpenAI-compatible chat-completions server (vLLM, Ollama, llama.cpp, TGI, OpenAI)."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = "http://127.0.0.1:8000/v1"
    """Everything before `/chat/completions`, e.g. `https://api.openai.com/v1`."""
    model: str = "default"
    """The `model` field sent with each request (local servers often ignore it)."""
    api_key: SecretStr | None = None
    """API key; unset: read from the variable named by `api_key_env`. Never logged."""
    api_key_env: str = "OPENAI_API_KEY"
    """Environment variable holding the API key when `api_key` is unset (no key: no auth header)."""
    connect_timeout_s: float = Field(default=5.0, gt=0)
    """How long to wait for the TCP/TLS connection."""
    read_timeout_s: float = Field(default=120.0, gt=0)
    """Longest silence between two streamed chunks (the first one includes the prompt's prefill)."""
    max_retries: int = Field(default=3, ge=0, le=10)
    """Retries after a connection error, a timeout, 429 or 5xx, only before the first chunk arrived."""
    backoff_s: float = Field(default=0.5, ge=0)
    """First retry delay; doubles per retry (with jitter), capped by `backoff_max_s`;
    a server's `Retry-After` wins when it says longer."""
    backoff_max_s: float = Field(default=8.0, ge=0)


class LlamaCppOptions(BaseModel):
    """A GGUF run in-process by llama.cpp (the `xllamacpp` binding)."""

    model_config = ConfigDict(extra="forbid")

    model: str = "qwen2.5-coder-1.5b-instruct"
    """A GGUF source name from `tandem model list` (assembled into the model cache on first use)."""
    gguf: Path | None = None
    """A GGUF file to run instead of `model`."""
    n_ctx: int = Field(default=4096, ge=256)
    """Context shared by the parallel slots (each slot gets n_ctx / n_parallel)."""
    n_parallel: int = Field(default=1, ge=1)
    """Sequences decoded together (continuous batching); match the worker's concurrency."""
    threads: int | None = None
    """CPU threads (None: llama.cpp's default)."""
    gpu_layers: int = Field(default=0, ge=-1)
    """Layers offloaded to a GPU when the wheel has one (-1: all)."""


class DeviceLimits(BaseModel):
    """What one device may ask of the pool. Unset: unlimited."""

    model_config = ConfigDict(extra="forbid")

    rate_per_s: float | None = Field(default=None, gt=0)
    """Sustained tasks per second (token bucket)."""
    burst: int = Field(default=10, ge=1)
    """Tasks a device may send at once above its rate."""
    quota_tasks: int | None = Field(default=None, ge=0)
    """Tasks per quota window."""
    quota_tokens: int | None = Field(default=None, ge=0)
    """Generated tokens per quota window (checked before a task runs, charged after)."""
    quota_window_s: float = Field(default=86400.0, gt=0)
    """Length of the quota window (fixed windows, starting at a device's first task)."""


class LimitSettings(BaseModel):
    """Per-device rate limits and quotas, enforced by each worker process on authenticated tasks."""

    model_config = ConfigDict(extra="forbid")

    default: DeviceLimits = Field(default_factory=DeviceLimits)
    """Limits of every device without its own entry."""
    devices: dict[str, DeviceLimits] = Field(default_factory=dict)
    """Per-device overrides, by device id."""


class WorkerSettings(BaseModel):
    """Shape of `tandem worker`: how many workers, how much each takes on, how it reports."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = 1
    workers: int = Field(default=1, ge=1, le=64)
    """Workers in this process, each its own MQTT client on the shared subscription."""
    concurrency: int = Field(default=1, ge=1, le=256)
    """Tasks one worker runs at the same time (threads); 1 for the in-process `onnx` engine."""
    inbox: int = Field(default=64, ge=1)
    """Tasks one worker holds unacknowledged (received, waiting or running). MQTT acks a task only
    when it is answered, so the broker's in-flight window, not the worker's memory, absorbs a burst."""
    grace_s: float = Field(default=20.0, ge=0)
    """On SIGTERM: stop taking tasks, finish those held for this long, then release the rest
    unacknowledged (devices re-send them; see cloud/README.md for brokers that re-dispatch)."""
    metrics_host: str = "127.0.0.1"
    """Address of the `/healthz` and `/metrics` endpoint (0.0.0.0 in a container)."""
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    """Port of that endpoint; None: no endpoint, 0: any free port."""
    ledger_path: Path | None = None
    """Task ledger (SQLite, WAL) shared by the workers of this host, so a repeat reaching another worker
    or a restarted one re-sends the stored result instead of running the model again. None: `tandem
    worker` keeps it in `<state dir>/worker/ledger-<id>.sqlite` (`ledger.sqlite` without `--id`); a
    pool built in-process without one keeps it in memory (forgotten on restart)."""
    ledger_url: str | None = None
    """A PostgreSQL ledger shared by a pool spread over several machines ("postgresql://user@host/db";
    `cloud.ledger_postgres`); set, it replaces `ledger_path`."""
    echo_delay_s: float = Field(default=0.0, ge=0)
    """Seconds the `echo` backend waits per task (load and fault tests)."""
    openai: OpenAIOptions = Field(default_factory=OpenAIOptions)
    llamacpp: LlamaCppOptions = Field(default_factory=LlamaCppOptions)
    limits: LimitSettings = Field(default_factory=LimitSettings)
