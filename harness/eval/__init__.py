"""`tandem eval redact`: a seeded, labelled request set and its scores (`redaction`), drawn from
templates the NER model never trained on (`templates`; training's are `quantize.ner.train_templates`)."""
