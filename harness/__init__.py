"""Measurement harnesses: they run tandem under load, faults and labelled data, and report.

Not part of the product: `device`, `cloud`, `protocol`, `inference` and `tandem` never import this
package (a test holds them to it); only the CLI's `tandem chaos`, `tandem bench ...` and `tandem eval
...` commands import it, inside the commands. `chaos/` is the soak test of escalations under broker,
worker and device faults and forgeries; `bench/` compares tandem's engine with its peers and measures
the worker pool's transport and crypto cost; `eval/` scores the redactor on a seeded, labelled set.

Child processes are started by module path (`python -m harness.chaos.roles`, `python -m
harness.bench.engine_runner`, `python -m harness.bench.worker`). The package `__init__` files import
nothing: the engine runner also runs under onnxruntime-genai's own venv, where tandem is not installed.
"""
