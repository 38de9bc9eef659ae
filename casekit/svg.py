"""SVG is untrusted: parsed without entities or external references, then
stripped of scripts, event handlers, ``foreignObject`` and outside references
before any output sees it."""

from __future__ import annotations

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
}
_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(px|pt|mm|cm|in)?\s*$")
_UNIT_PX = {"px": 1.0, "pt": 4 / 3, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0, None: 1.0}
MAX_SVG_BYTES = 8 * 1024 * 1024

ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


class SvgError(ValueError):
    pass


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _safe_reference(value: str) -> bool:
    value = value.strip()
    return value.startswith("#") or value.startswith(("data:image/png", "data:image/jpeg"))


def _safe_style(value: str) -> bool:
    lowered = value.lower()
    return (
        "url(" not in lowered.replace("url(#", "")
        and "@import" not in lowered
        and ("expression(" not in lowered)
    )


def sanitize_svg(data: bytes) -> bytes:
    """A clean copy of the SVG ``data``; raises ``SvgError`` when it cannot be used."""
    if len(data) > MAX_SVG_BYTES:
        raise SvgError(f"SVG larger than {MAX_SVG_BYTES} bytes")
    try:
        root = DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SvgError(f"SVG uses a forbidden XML feature ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise SvgError(f"SVG is not well-formed XML: {exc}") from None
    if _local(root.tag) != "svg":
        raise SvgError("file is not an SVG image (root element is not <svg>)")
    stack = [root]
    while stack:
        element = stack.pop()
        for child in list(element):
            if not isinstance(child.tag, str) or _local(child.tag) in _DROP_ELEMENTS:
                element.remove(child)
                continue
            stack.append(child)
        for name in list(element.attrib):
            local = _local(name).lower()
            value = element.attrib[name]
            if (
                local.startswith("on")
                or (local == "href" and not _safe_reference(value))
                or (local == "style" and not _safe_style(value))
                or (local in ("src", "action", "formaction"))
                or ("url(" in value.lower() and "url(#" not in value.lower())
            ):
                del element.attrib[name]
        if _local(element.tag) == "style" and element.text and not _safe_style(element.text):
            element.text = ""
    return ET.tostring(root, encoding="utf-8", xml_declaration=False)


def svg_size(data: bytes) -> tuple[float, float]:
    """Width and height of a (sanitised) SVG in CSS pixels; falls back to the viewBox."""
    root = DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    width, height = root.get("width", ""), root.get("height", "")
    box = [float(v) for v in re.split(r"[\s,]+", root.get("viewBox", "").strip()) if v]
    sizes: list[float] = []
    for value, fallback in (
        (width, box[2] if len(box) == 4 else 0),
        (height, box[3] if len(box) == 4 else 0),
    ):
        match = _LENGTH.match(value)
        sizes.append(float(match[1]) * _UNIT_PX[match[2]] if match else float(fallback))
    if sizes[0] <= 0 or sizes[1] <= 0:
        raise SvgError("SVG has no usable width/height or viewBox")
    return sizes[0], sizes[1]
