"""A small fine-tuned encoder on the device (PII NER, sensitive context, the command parser): its
manifest, its tokenizer (no padding, no truncation: the caller windows) and its onnxruntime session.

`load_encoder(model_dir, threads)` raises `EncoderUnavailable` when onnxruntime or tokenizers are not
installed and `EncoderLoadError` when the files cannot be read or the graph does not load; each model's
own module turns these into its typed error with how to rebuild it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference.errors import ModelError


class EncoderUnavailable(ModelError):
    """onnxruntime or tokenizers is not installed."""


class EncoderLoadError(ModelError):
    """The model dir's manifest, tokenizer or graph cannot be loaded."""


@dataclass(frozen=True)
class Encoder:
    """A loaded model dir. `sessions` holds one onnxruntime session per graph the manifest lists
    (``onnx_files``: the members of an ensemble, trained from different seeds; else ``onnx_file``)."""

    manifest: dict[str, Any]
    tokenizer: Any
    sessions: tuple[Any, ...]

    @property
    def session(self) -> Any:
        """The first (for most models the only) graph's session."""
        return self.sessions[0]


def load_encoder(model_dir: Path, threads: int = 1) -> Encoder:
    try:
        import onnxruntime as ort
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise EncoderUnavailable(f"{exc.name} is not installed") from exc
    from onnxruntime.capi.onnxruntime_pybind11_state import Fail, InvalidGraph, InvalidProtobuf, NoSuchFile

    try:
        manifest: dict[str, Any] = json.loads((model_dir / "manifest.json").read_text())
        tokenizer = Tokenizer.from_file(str(model_dir / manifest["tokenizer_file"]))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        files = manifest.get("onnx_files") or [manifest["onnx_file"]]
        sessions = tuple(ort.InferenceSession(str(model_dir / name), opts, providers=["CPUExecutionProvider"])
                         for name in files)
    except (OSError, ValueError, KeyError, TypeError, Fail, InvalidGraph, InvalidProtobuf, NoSuchFile) as exc:
        raise EncoderLoadError(str(exc)) from exc
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return Encoder(manifest, tokenizer, sessions)
