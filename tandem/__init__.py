"""tandem: an on-device SLM assistant with a private, end-to-end encrypted cloud fallback.

This package holds what every face of the product shares on the device side of the CLI:
settings, file locations, broker launching and the `tandem` command group. The wire format
lives in `protocol`, the device agent in `device`, the worker in `cloud`, model building in
`quantize`.
"""

__version__ = "0.1.0"
