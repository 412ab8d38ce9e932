"""`python -m tandem.cli ...`: how tandem starts its own children (`ensure_infra`'s worker, the TUI's
model build) and how tests and benchmarks run the console script without installing it."""

from tandem.cli.app import main

if __name__ == "__main__":
    main()
