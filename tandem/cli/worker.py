"""`tandem worker`: a worker process of the cloud pool (N workers, any backend, health + metrics).

Options override `[worker]` settings for this run. SIGTERM and SIGINT stop taking tasks; held tasks
are finished for up to `--grace` seconds and the rest released (devices re-send them).
"""

from __future__ import annotations

import re
import signal
import threading
from pathlib import Path
from typing import Any

import click

from cloud.backends import BACKENDS
from tandem.assembly.worker_backend import make_worker_backend
from tandem.cli.config import cli_settings
from tandem.cli.errors import CliError


@click.command()
@click.option("--backend", type=click.Choice(list(BACKENDS)), default=None,
              help="Default: settings.worker_backend.")
@click.option("--model", default=None, help="onnx: model name (settings.cloud_model); llamacpp: GGUF source name.")
@click.option("--gguf", type=click.Path(dir_okay=False, path_type=Path), default=None, help="llamacpp: a GGUF file.")
@click.option("--base-url", default=None, help="openai: the server's base URL, e.g. http://127.0.0.1:8000/v1.")
@click.option("--workers", type=int, default=None, help="Workers in this process (shared subscription members).")
@click.option("--concurrency", type=int, default=None, help="Tasks each worker runs at once.")
@click.option("--metrics-port", type=int, default=None, help="Serve /healthz and /metrics on this port.")
@click.option("--metrics-host", default=None, help="Address of that endpoint (0.0.0.0 in a container).")
@click.option("--grace", "grace_s", type=float, default=None, help="Seconds to finish held tasks on SIGTERM.")
@click.option("--echo-delay", "echo_delay_s", type=float, default=None, help="echo: seconds per task.")
@click.option("--id", "worker_id", default=None, help="Worker id (prefix when --workers > 1).")
@click.option("--ledger-url", default=None, metavar="URL",
              help="A PostgreSQL task ledger shared by a pool on several machines (postgresql://user@host/db).")
def worker(backend: str | None, model: str | None, gguf: Path | None, base_url: str | None, workers: int | None,
           concurrency: int | None, metrics_port: int | None, metrics_host: str | None, grace_s: float | None,
           echo_delay_s: float | None, worker_id: str | None, ledger_url: str | None) -> None:
    """Run cloud workers: verify, open, answer and seal tasks from the pool's shared subscription."""
    from cloud.pool import WorkerPool

    settings = cli_settings(worker_backend=backend)
    pool_opts: dict[str, Any] = {k: v for k, v in {
        "workers": workers, "concurrency": concurrency, "metrics_port": metrics_port, "metrics_host": metrics_host,
        "grace_s": grace_s, "echo_delay_s": echo_delay_s, "ledger_url": ledger_url}.items() if v is not None}
    w = settings.worker
    if base_url is not None:
        pool_opts["openai"] = w.openai.model_copy(update={"base_url": base_url})
    if gguf is not None or (model is not None and settings.worker_backend == "llamacpp"):
        pool_opts["llamacpp"] = w.llamacpp.model_copy(update={k: v for k, v in {"gguf": gguf, "model": model}.items()
                                                              if v is not None})
    if w.ledger_path is None and (ledger_url or w.ledger_url) is None:
        # on disk by default: a task replayed after a restart is answered from the stored result, never twice
        from tandem.locations import state_dir

        # one file per --id (a restarted worker of that id finds its tasks); processes started without one
        # share "ledger.sqlite": a repeat reaching another is answered from the stored result, and a task
        # held by a killed process waits out its lease (2 min) before another runs it
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", worker_id or "")
        pool_opts["ledger_path"] = state_dir() / "worker" / (f"ledger-{safe}.sqlite" if safe else "ledger.sqlite")
    updates: dict[str, Any] = {"worker": w.model_validate({**w.model_dump(), **pool_opts})}
    if model is not None and settings.worker_backend == "onnx":
        updates["cloud_model"] = model
    settings = settings.model_copy(update=updates)
    if settings.worker_backend == "onnx" and settings.worker.workers * settings.worker.concurrency > 1:
        raise CliError("the onnx backend runs one task at a time per process: use --workers 1 --concurrency 1 "
                       "and start more processes, or the llamacpp/openai backends")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    pool = WorkerPool(broker_url=settings.broker_url, keys_root=settings.keys_dir,
                      backend=make_worker_backend(settings), settings=settings.worker,
                      mqtt_version=settings.mqtt_version, name=worker_id, auth=settings.mqtt_auth())
    endpoint = pool.start_endpoint()
    if endpoint is not None:
        click.echo(f"metrics {endpoint.url}/metrics health {endpoint.url}/healthz", err=True)
    pool.run(stop)
