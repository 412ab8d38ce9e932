"""ONNX text generation shared by the device agent and the cloud worker's `onnx` backend.

It lives outside `device/` and `cloud/` so that neither imports the other; it needs only
onnxruntime, tokenizers and numpy at run time.
"""
