"""Errors of the cloud worker.

    TandemError                      (protocol.errors)
     └─ WorkerError
         ├─ BackendError             the LLM backend failed on a task (reported back to the device)
         │   ├─ BackendUnavailable   cannot reach the backend, or it timed out / stayed overloaded
         │   │                       through every retry
         │   ├─ BackendRefused       the backend refused the request (HTTP 4xx: key, model, size)
         │   └─ PlanningUnsupported  a task offers tools, and this backend cannot plan a call
         ├─ BackendConfigError       a backend cannot start: missing API key, model file, binding
         ├─ UnknownBackend           a backend name that is not registered
         ├─ LedgerError              the task ledger (SQLite) cannot be opened or written
         └─ EndpointError            the health/metrics HTTP endpoint cannot listen on its port

Third-party errors (httpx, xllamacpp, OSError from sockets) are translated where they are raised,
with `from exc`, so callers only ever catch these.
"""

from __future__ import annotations

from protocol.errors import TandemError


class WorkerError(TandemError):
    pass


class BackendError(WorkerError):
    pass


class BackendUnavailable(BackendError):
    pass


class BackendRefused(BackendError):
    pass


class PlanningUnsupported(BackendError):
    pass


class BackendConfigError(WorkerError):
    pass


class UnknownBackend(WorkerError):
    pass


class LedgerError(WorkerError):
    pass


class EndpointError(WorkerError):
    pass
