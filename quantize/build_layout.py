"""Names of the build cache layout, shared by the builder and the dependency-free locator."""

from __future__ import annotations

#: Bump when a change to the pipeline changes its output: old builds then live in another dir.
PIPELINE_VERSION = 2
#: One-line file in a build dir naming the precision ``precision="auto"`` chose.
DEFAULT_FILE = "default"
MANIFEST_FILE = "manifest.json"
