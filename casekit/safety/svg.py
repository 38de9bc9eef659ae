"""SVG is untrusted: parsed without entities or external references, then
stripped of scripts, event handlers, ``foreignObject`` and outside references
before any output sees it."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_DROP_ELEMENTS = {
    "script",
    "foreignObject",
    "iframe",
    "object",
    "embed",
    "audio",
    "video",
    "handler",
    "listener",
    # animation can rewrite any attribute, e.g. set href to javascript: on click
    "set",
    "animate",
    "animateMotion",
    "animateColor",
    "animateTransform",
}
_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(px|pt|mm|cm|in)?\s*$")
_UNIT_PX = {"px": 1.0, "pt": 4 / 3, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0, None: 1.0}
MAX_SVG_BYTES = 8 * 1024 * 1024
MAX_SVG_DEPTH = 200
MAX_SVG_PIXELS = 100_000.0  # per side: beyond any page or screen

ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


class SvgError(ValueError):
    pass


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _namespace(name: str) -> str:
    return name[1:].split("}", 1)[0] if name.startswith("{") else ""


def _safe_reference(value: str) -> bool:
    value = value.strip()
    return value.startswith("#") or value.startswith(("data:image/png", "data:image/jpeg"))


def _safe_style(value: str) -> bool:
    """CSS (a style attribute, a ``<style>`` element, or any attribute value) that
    can fetch nothing: no ``url()`` but to a local ``#id``, no ``@import``,
    ``image-set()`` or ``expression()``, and no backslash escapes that could
    spell those."""
    lowered = re.sub(r"\s+", "", value.lower())
    return "url(" not in lowered.replace("url(#", "") and not any(
        word in lowered for word in ("@import", "image-set(", "expression(", "\\")
    )


def sanitize_svg(data: bytes) -> bytes:
    """A clean copy of the SVG ``data``; raises ``SvgError`` when it cannot be used."""
    if len(data) > MAX_SVG_BYTES:
        raise SvgError(f"SVG larger than {MAX_SVG_BYTES} bytes")
    try:
        root = DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SvgError(f"SVG uses a forbidden XML feature ({type(exc).__name__})") from None
    except (ET.ParseError, LookupError, ValueError) as exc:  # LookupError: unknown encoding
        raise SvgError(f"SVG is not well-formed XML: {exc}") from None
    if _local(root.tag) != "svg":
        raise SvgError("file is not an SVG image (root element is not <svg>)")
    namespace = _namespace(root.tag)
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_SVG_DEPTH:  # serialising would exhaust the Python stack
            raise SvgError(f"SVG elements are nested deeper than {MAX_SVG_DEPTH} levels")
        for child in list(element):
            if (
                not isinstance(child.tag, str)
                or _local(child.tag) in _DROP_ELEMENTS
                or _namespace(child.tag) != namespace  # e.g. XHTML elements outside the SVG
            ):
                element.remove(child)
                continue
            stack.append((child, depth + 1))
        for name in list(element.attrib):
            local = _local(name).lower()
            value = element.attrib[name]
            if (
                local.startswith("on")
                or (local == "href" and not _safe_reference(value))
                or (local in ("src", "action", "formaction"))
                or not _safe_style(value)
            ):
                del element.attrib[name]
        if _local(element.tag) == "style" and element.text and not _safe_style(element.text):
            element.text = ""
    return ET.tostring(root, encoding="utf-8", xml_declaration=False)


def svg_size(data: bytes) -> tuple[float, float]:
    """Width and height of a (sanitised) SVG in CSS pixels; falls back to the viewBox."""
    root = DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    box = [_number(v) for v in re.split(r"[\s,]+", root.get("viewBox", "").strip()) if v]
    sizes: list[float] = []
    for value, fallback in (
        (root.get("width", ""), box[2] if len(box) == 4 else 0.0),
        (root.get("height", ""), box[3] if len(box) == 4 else 0.0),
    ):
        match = _LENGTH.match(value)
        sizes.append(_number(match[1]) * _UNIT_PX[match[2]] if match else fallback)
    if not all(0 < size <= MAX_SVG_PIXELS for size in sizes):
        raise SvgError(
            f"SVG needs a width and height (or a viewBox) between 0 and {MAX_SVG_PIXELS:g} pixels"
        )
    return sizes[0], sizes[1]


def _number(text: str) -> float:
    """A finite number, or 0 (which the size check refuses) for anything else."""
    try:
        value = float(text)
    except ValueError:
        return 0.0
    return value if math.isfinite(value) else 0.0
