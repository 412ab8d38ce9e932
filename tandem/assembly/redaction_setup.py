"""The device's redactor and policy as settings describe them (shared by the CLI, agent and TUI).

With `redaction.ner = "build"` a missing NER model is trained on first use, with progress, like
the LLMs; with "auto" the rules answer alone until `tandem model train-ner` has run. The
sensitive-context classifier (`device_sensitive`) follows `redaction.sensitive` the same way.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from device.redaction.factory import make_redactor
from device.redaction.policy import RedactionPolicy
from device.redaction.rules import RuleRedactor
from device.redaction.sensitive import SensitiveClassifier
from device.redaction.vault_store import KEY_FILE, VaultStore
from tandem.settings import Settings

log = logging.getLogger(__name__)


def _build_on_first_use(models_dir: Path) -> Path:
    from tandem.assembly.runtime import SetupError

    try:
        from quantize.ner.build import build_ner
    except ImportError as exc:
        raise SetupError(f"the NER model is not built and the build tools are missing ({exc.name}): "
                         "pip install 'tandem[quantize]', or set redaction.ner = \"auto\"") from exc
    print(f"building the PII NER model (first use; cached in {models_dir})", file=sys.stderr)
    return build_ner(models_dir)


def device_redactor(settings: Settings) -> RuleRedactor:
    r = settings.redaction
    return make_redactor(settings.models_dir, ner=r.ner, actions=r.actions, build=_build_on_first_use)


def device_sensitive(settings: Settings) -> SensitiveClassifier | None:
    """The sensitive-context classifier as `redaction.sensitive` says: built on first use ("build"),
    used when built ("auto", else None with a warning), or None ("off")."""
    from device.redaction.sensitive import BUILD_HINT, find_built

    mode = settings.redaction.sensitive
    if mode == "off":
        return None
    found = find_built(settings.models_dir)
    if found is None and mode == "build":
        from tandem.assembly.runtime import SetupError

        try:
            from quantize.sensitive.build import build_sensitive
        except ImportError as exc:
            raise SetupError(f"the sensitive-context classifier is not built and the build tools are missing "
                             f"({exc.name}): pip install 'tandem[quantize]', or set redaction.sensitive = \"off\"") from exc
        print(f"building the sensitive-context classifier (first use; cached in {settings.models_dir})", file=sys.stderr)
        found = build_sensitive(settings.models_dir)
    if found is None:
        log.warning("the sensitive-context classifier is not built: no request is tagged; %s", BUILD_HINT)
        return None
    return SensitiveClassifier(found)


def device_policy(settings: Settings) -> RedactionPolicy:
    return RedactionPolicy(dict(settings.redaction.actions))


def device_vault_store(settings: Settings) -> VaultStore:
    """The encrypted store of named conversations' vaults; expired ones are deleted on opening."""
    from tandem import locations

    directory = settings.redaction.vault_dir or locations.state_dir() / "vaults" / settings.device_id
    store = VaultStore(directory, settings.device_keys_dir() / KEY_FILE, ttl_s=settings.redaction.vault_ttl_s)
    gone = store.purge_expired()
    if gone:
        log.info("deleted %d expired conversation vaults", gone)
    return store
