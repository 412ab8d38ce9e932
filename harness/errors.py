"""Errors of the measurement harnesses. Each says what to do next; the CLI prints them as
`error: <message>` and exits 2 (`tandem.cli.group`).

    TandemError (protocol.errors)
     └── HarnessError        a measurement could not run
          ├── ChaosError     `tandem chaos`: bad options, or workers that never came online
          ├── BenchError     `tandem bench`: a missing tool, or processes that did not answer in time
          └── EvalError      `tandem eval`: a held-out set or its home that cannot be read, an unknown set
"""

from __future__ import annotations

from protocol.errors import TandemError


class HarnessError(TandemError):
    pass


class ChaosError(HarnessError):
    pass


class BenchError(HarnessError):
    pass


class EvalError(HarnessError):
    pass
