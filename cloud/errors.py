"""Errors of the cloud worker.

    TandemError                  (protocol.errors)
     └─ WorkerError
         ├─ BackendError         the LLM backend failed on a task (reported back to the device)
         ├─ UnknownBackend       a backend name that is not registered
         └─ LedgerError          the task ledger (SQLite) cannot be opened or written
"""

from __future__ import annotations

from protocol.errors import TandemError


class WorkerError(TandemError):
    pass


class BackendError(WorkerError):
    pass


class UnknownBackend(WorkerError):
    pass


class LedgerError(WorkerError):
    pass
