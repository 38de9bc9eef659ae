"""Pages casekit writes for staff into the register's own folder (the review page,
a sheet's written answers): self-contained, the images inside them, owner-only,
and deleted whenever records are (they show learners' handwriting)."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from casekit.files.atomic import write_bytes
from casekit.learners.register import Register
from casekit.messages import Messages


def write_private_page(
    register: Register, name: str, msg: Messages, title: str, body: list[str]
) -> Path:
    """A self-contained page (images inside) in the register's own folder: it shows
    learners' pages, personal data, so it is owner-only and deleted with them."""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(msg.language)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        *body,
        "</body></html>",
    ]
    path = register.files / name
    register.private_folder()
    write_bytes(path, "\n".join(parts).encode("utf-8"), mode=0o600)
    return path


def image_tag(register: Register, name: str | None, msg: Messages) -> str:
    if not name:
        return ""
    data = base64.b64encode(register.image_path(name).read_bytes()).decode()
    return f'<img alt="{escape(msg("review_image"))}" src="data:image/png;base64,{data}">'


STYLE = """
body { font-family: sans-serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem; }
section.item { border: 1px solid #999; padding: 0 1rem 1rem; margin: 1rem 0; }
img { max-width: 100%; border: 1px solid #ccc; display: block; margin: .5rem 0; }
fieldset { margin: .5rem 0; } label { margin-right: 1.5rem; font-size: 1.2rem; }
dt { font-weight: bold; } .hint { color: #555; font-size: .9rem; }
figure { margin: 1rem 0; } figcaption { font-weight: bold; }
"""
