"""Where casekit's own templates, stylesheets and fonts are: ``templates/`` of the source
tree, installed as the package ``casekit.templates``. Apart from ``render/templates.py``,
so that a build with nothing to do fingerprints them without importing Jinja."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def builtin_templates() -> Path:
    return Path(str(resources.files("casekit.templates")))
