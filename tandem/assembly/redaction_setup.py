"""The device's redactor and policy as settings describe them (shared by the CLI, agent and TUI).

Every face redacts with the PII name/address model and tags sensitive context with its classifier: a
missing one is trained on first use, with progress, like the LLMs (`ner_model_dir`,
`sensitive_model_dir`). A device that cannot have them (`"off"`, or no build tools) still redacts with
rules, but its policy holds every step on the device: names found by rules alone miss too many, and an
untagged disclosure would leave (`device_policy`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from device.redaction.factory import make_redactor
from device.redaction.policy import RedactionPolicy
from device.redaction.rules import RuleRedactor
from device.redaction.sensitive import SensitiveClassifier
from device.redaction.vault_store import KEY_FILE, VaultStore
from tandem.assembly.first_use import FirstUseModel, found_or_built
from tandem.settings import Settings

log = logging.getLogger(__name__)

_NER = FirstUseModel("the PII NER model", "PII NER model", "pii-ner", "every step stays on the device")
_SENSITIVE = FirstUseModel("the sensitive-context classifier", "sensitive-context classifier", "sensitive-context",
                           "every step stays on the device")


NO_NER_HOLD = ("nothing left this device: its PII name/address model is not built, and names found by rules "
               "alone are not safe to send; build it with `tandem model train-ner`")


def ner_model_dir(settings: Settings) -> Path | None:
    """The name/address model every face redacts with: found in the model cache, or trained now (first
    use, with progress). None when `redaction.ner = "off"` or when it cannot be built here ("auto")."""
    from device.redaction.ner import find_ner_model

    def builder() -> Callable[[Path], Path]:
        from quantize.ner.build import build_ner

        return build_ner

    return found_or_built(settings.models_dir, settings.redaction.ner, _NER, find_ner_model, builder)


def device_redactor(settings: Settings, ner_dir: Path | None = None) -> RuleRedactor:
    """Rules plus the NER model in `ner_dir` (None: rules only)."""
    r = settings.redaction
    return make_redactor(settings.models_dir, ner="off" if ner_dir is None else "auto", actions=r.actions,
                         model_dir=ner_dir, region=r.region)


NO_SENSITIVE_HOLD = ("nothing left this device: its sensitive-context classifier is not built, so a disclosure "
                     "(health, religion, ...) could not be told apart; build it with `tandem model train-sensitive`")


def sensitive_model_dir(settings: Settings) -> Path | None:
    """The sensitive-context classifier every face tags with: found, or trained now (first use, with
    progress). None when `redaction.sensitive.model = "off"` or when it cannot be built here ("auto")."""
    from device.redaction.sensitive import find_built

    def builder() -> Callable[[Path], Path]:
        from quantize.sensitive.build import build_sensitive

        return build_sensitive

    return found_or_built(settings.models_dir, settings.redaction.sensitive.model, _SENSITIVE, find_built, builder)


def device_sensitive(settings: Settings, model_dir: Path | None = None) -> SensitiveClassifier | None:
    """The classifier in `model_dir` (default: `sensitive_model_dir`, built on first use), or None."""
    found = model_dir or sensitive_model_dir(settings)
    return None if found is None else SensitiveClassifier(found)


def device_policy(settings: Settings, *, has_ner: bool = True, has_sensitive: bool = True) -> RedactionPolicy:
    """The per-type actions; without the NER model or the classifier every step is held on the device."""
    hold = NO_NER_HOLD if not has_ner else NO_SENSITIVE_HOLD if not has_sensitive else None
    return RedactionPolicy(dict(settings.redaction.actions), hold_all=hold)


def device_vault_store(settings: Settings) -> VaultStore:
    """The encrypted store of named conversations' vaults; expired ones are deleted on opening."""
    from tandem import locations

    directory = settings.redaction.vault_dir or locations.state_dir() / "vaults" / settings.device_id
    store = VaultStore(directory, settings.device_keys_dir() / KEY_FILE, ttl_s=settings.redaction.vault_ttl_s)
    gone = store.purge_expired()
    if gone:
        log.info("deleted %d expired conversation vaults", gone)
    return store
