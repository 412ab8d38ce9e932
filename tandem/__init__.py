"""tandem: an on-device SLM assistant with a private, end-to-end encrypted cloud fallback.

This package holds what every face of the product shares on the device side: `settings`,
file `locations` and child `processes` at the top; `cli/` (the `tandem` command, one module per
command group); `assembly/` (the running system built from settings: models, keys, agent,
chat and serve wiring); `broker/` (a loopback broker to start, and credentials for a secured
one). The wire format lives in `protocol`, the device agent in `device`, the worker in `cloud`,
model building in `quantize`; the measurement harnesses (`harness`) sit outside the product.
"""

__version__ = "0.1.0"
