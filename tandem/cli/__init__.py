"""The `tandem` command line (`tandem = "tandem.cli:main"`; `python -m tandem.cli` runs the same).

`app` builds the root group from one module per command group; see its docstring for the layout.
"""

from tandem.cli.app import main

__all__ = ["main"]
