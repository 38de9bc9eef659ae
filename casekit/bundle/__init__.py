"""USB bundles: assembling, checking, verifying and copying them.

A bundle is a BagIt bag (RFC 8493). Its base folder holds what staff open
(``index.html``, ``verify.html``, ``README.txt``), ``manifest.json`` and the
BagIt tag files; the payload folder ``data/`` holds the viewer's assets,
the media (at ``MediaItem.bundle_path``, ``data/media/...``, which relative QR
codes point to) and the editions.
"""

from __future__ import annotations

from casekit.resolve.layout import PAYLOAD

VIEWER_ASSETS = f"{PAYLOAD}/viewer"
MANIFEST = "manifest.json"
#: the manifest again as a script, for verify.html (file:// pages cannot fetch JSON)
MANIFEST_SCRIPT = f"{VIEWER_ASSETS}/manifest.js"
BAGIT_FILES = ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt")
#: files that describe the bundle and so cannot be listed in manifest.json
METADATA_FILES = frozenset((MANIFEST, MANIFEST_SCRIPT, *BAGIT_FILES))
#: signed approvals (casekit.trust): tag files outside the tag manifest, which they sign
APPROVALS = "approvals"


def is_approval_file(path: str) -> bool:
    """``approvals/<name>.json``: checked by ``casekit verify --trust``, never an extra file."""
    folder, _, name = path.partition("/")
    return folder == APPROVALS and name.endswith(".json") and "/" not in name
