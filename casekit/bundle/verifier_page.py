"""``casekit verifier-page``: the facility's own page for checking returned sticks.

The stick's ``verify.html`` comes from the stick it checks, so it can only find
accidental damage. This page is written once on the facility's computer from
bundles checked there, carries their fingerprints (SHA-256 of ``manifest.json``)
and is kept off the sticks: any bundle on a stick whose manifest has another
fingerprint fails. Its scripts are inline and pinned by CSP hashes, so the page
runs nothing but casekit's ``sha256.js`` and ``verify.js`` (the same code as the
stick's page) and its list of trusted fingerprints.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from casekit.bundle import MANIFEST
from casekit.bundle.manifest import parse_manifest
from casekit.bundle.verify import find_bundles, verify_source
from casekit.bundle.viewer import verify_context
from casekit.diagnostics import error
from casekit.messages import messages
from casekit.render.templates import builtin_templates


def _csp_hash(text: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
    )


def trusted_bundles(paths: list[Path]) -> list[dict[str, str]]:
    """Course, version, folder and fingerprint of every bundle at ``paths``, each
    verified first: a damaged bundle is refused rather than trusted."""
    trusted: dict[str, dict[str, str]] = {}
    for path in paths:
        for source in find_bundles(path):
            report = verify_source(source)
            if not report.ok:
                raise error(
                    source.label,
                    f"this bundle does not verify ({report.differences[0]}): "
                    "only a bundle that passes casekit verify can be trusted",
                    "bundle-damaged",
                )
            data, _ = parse_manifest(source.read(MANIFEST))
            course = data["course"]
            trusted[report.fingerprint] = {
                "fingerprint": report.fingerprint,
                "id": str(course["id"]),
                "title": str(course["title"]),
                "version": str(course["version"]),
                "language": str(course["language"]),
                "folder": Path(source.label.rstrip("/")).name.rpartition(":")[2].rstrip("/"),
            }
    return sorted(trusted.values(), key=lambda e: (e["id"], e["version"], e["fingerprint"]))


def _script_data(name: str, value: object) -> str:
    data = json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return f"window.{name} = {data.replace('<', chr(92) + 'u003c')};\n"


def verifier_page(
    paths: list[Path],
    language: str | None = None,
    keys: list[dict[str, str]] | None = None,
    roles: list[str] | None = None,
) -> bytes:
    """The standalone page (UTF-8 HTML) that trusts exactly the bundles at ``paths``;
    with ``keys`` (fingerprint, reviewer, base64 key of each trusted reviewer) a
    bundle passes only when one of them approved it, and with ``roles`` only when
    they approved it in each of these roles."""
    if roles and not keys:
        raise ValueError("required roles need trusted keys")
    trusted = trusted_bundles(paths)
    language = language or trusted[0]["language"]
    templates = builtin_templates() / "viewer"
    scripts = [
        _script_data("CASEKIT_TRUSTED", trusted)
        + (_script_data("CASEKIT_TRUSTED_KEYS", keys) if keys else "")
        + (_script_data("CASEKIT_REQUIRED_ROLES", roles) if roles else ""),
        (templates / "sha256.js").read_text("utf-8"),
        (templates / "verify.js").read_text("utf-8"),
    ]
    if any("</" in script for script in scripts):  # would end the inline <script> early
        raise AssertionError("an inline script of the verifier page contains '</'")
    style = (templates / "verifier.css").read_text("utf-8")
    env = SandboxedEnvironment(loader=FileSystemLoader(templates), autoescape=True)
    page = env.get_template("verifier.html.j2").render(
        language=language,
        msg=messages(language),
        trusted=trusted,
        keys=keys or [],
        roles=roles or [],
        scripts=[Markup(s) for s in scripts],
        script_hashes=Markup(" ".join(_csp_hash(s) for s in scripts)),
        style=Markup(style),
        style_hashes=Markup(_csp_hash(style)),
        **verify_context(),
    )
    return page.encode("utf-8")
