"""SVG is untrusted: parsed without entities or external references, then
stripped of scripts, event handlers, ``foreignObject`` and outside references
before any output sees it.

Drawing programs (Inkscape, LibreOffice Draw, Illustrator, draw.io) write a
``<!DOCTYPE svg PUBLIC ...>`` line: it is accepted when it declares nothing (no
internal subset), and the DTD it names is never read. Ids that are not valid XML
names are renamed, and ``url(#id)`` references to ids the file lacks are removed,
so the SVG is valid in an EPUB."""

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
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*(\[|>)", re.I)
#: what a DOCTYPE without an internal subset may say: ``svg`` and a public id + system id
_DOCTYPE_IDS = re.compile(
    rb'^<!DOCTYPE\s+svg(?:\s+PUBLIC\s+"([^"]*)"(?:\s+"([^"]*)")?)?\s*>$', re.I
)
#: an XML name as XHTML's id must be (ASCII letters, digits, '_', '-', '.' after the first)
_NAME = re.compile(r"^[A-Za-z_][\w.-]*$", re.ASCII)
_URL_REF = re.compile(r"url\(\s*['\"]?#([^)'\"]*?)['\"]?\s*\)")
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


def _parse(data: bytes) -> ET.Element:
    """The SVG's root element. A DOCTYPE is allowed when it declares nothing (no
    ``[...]`` internal subset) and names no DTD but the W3C's SVG DTDs, which are
    never loaded; entities and any other DTD stay refused."""
    doctype = _DOCTYPE.search(data[:4096])
    if doctype is not None:
        external = _DOCTYPE_IDS.match(doctype.group(0))
        if external is None or not _w3c_svg_dtd(external):
            raise SvgError(
                "SVG uses a forbidden XML feature (DTDForbidden): its DOCTYPE declares "
                "markup or names a DTD other than the W3C's SVG DTD"
            )
    try:
        return DET.fromstring(
            data, forbid_dtd=doctype is None, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise SvgError(f"SVG uses a forbidden XML feature ({type(exc).__name__})") from None
    except (ET.ParseError, LookupError, ValueError) as exc:  # LookupError: unknown encoding
        raise SvgError(f"SVG is not well-formed XML: {exc}") from None


def _w3c_svg_dtd(external: re.Match[bytes]) -> bool:
    public, system = external.group(1), external.group(2)
    if public is None:
        return system is None
    return public.startswith(b"-//W3C//DTD SVG ") and (
        system is None or system.startswith(b"http://www.w3.org/")
    )


def sanitize_svg(data: bytes) -> bytes:
    """A clean copy of the SVG ``data``; raises ``SvgError`` when it cannot be used."""
    if len(data) > MAX_SVG_BYTES:
        raise SvgError(f"SVG larger than {MAX_SVG_BYTES} bytes")
    root = _parse(data)
    if root.tag != f"{{{SVG_NS}}}svg":  # an <svg> in the XHTML namespace is an HTML page
        raise SvgError(f"file is not an SVG image (root element is not <svg xmlns={SVG_NS!r}>)")
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
        if _local(element.tag) == "switch":
            _choose(element)
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
    _repair_ids(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=False)


def _choose(switch: ET.Element) -> None:
    """Keep the one child of a ``<switch>`` a browser draws: the first without
    ``requiredExtensions`` (browsers pass every ``requiredFeatures``). draw.io puts
    its labels' plain-text fallback there, after a ``foreignObject`` removed above."""
    chosen = next((c for c in switch if not c.get("requiredExtensions")), None)
    for child in list(switch):
        if child is not chosen:
            switch.remove(child)


def _repair_ids(root: ET.Element) -> None:
    """Rename ids that are not XML names (``1-layer``, ``a b``) and duplicates, and
    drop references (``url(#x)``, ``href="#x"``) to ids the file does not have."""
    renamed: dict[str, str] = {}
    taken: set[str] = set()
    for element in root.iter():
        old = element.get("id")
        if old is None:
            continue
        new = old if _NAME.match(old) else "id-" + re.sub(r"[^\w.-]", "-", old)
        while new in taken:
            new += "-2"
        taken.add(new)
        renamed.setdefault(old, new)
        if new != old:
            element.set("id", new)

    def reference(match: re.Match[str]) -> str:
        target = renamed.get(match.group(1))
        return f"url(#{target})" if target else ""

    for element in root.iter():
        for name, value in list(element.attrib.items()):
            local = _local(name)
            if local == "id":
                continue
            if local == "href" and value.startswith("#"):
                target = renamed.get(value[1:])
                if target:
                    element.set(name, "#" + target)
                else:
                    del element.attrib[name]
            elif "url(" in value:
                fixed = _URL_REF.sub(reference, value).strip()
                if fixed != value:
                    if fixed or local == "style":
                        element.set(name, fixed)
                    elif local in ("fill", "stroke"):
                        element.set(name, "none")
                    else:
                        del element.attrib[name]
        if _local(element.tag) == "style" and element.text and "url(" in element.text:
            element.text = _URL_REF.sub(reference, element.text)


def svg_size(data: bytes) -> tuple[float, float]:
    """Width and height of a (sanitised) SVG in CSS pixels; falls back to the viewBox."""
    root = _parse(data)
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


def drawable_svg(data: bytes) -> bytes:
    """A sanitised SVG prepared for svglib (the PDF and the DOCX's rasteriser): text
    in nested ``<tspan>`` elements (LibreOffice writes ``text > tspan > tspan x y``)
    becomes one level of tspans, each with the position and style it inherits.
    svglib reads positions one level deep only and draws the rest at 0,0."""
    root = _parse(data)
    changed = False
    for text in root.iter(f"{{{SVG_NS}}}text"):
        if any(len(child) for child in text):
            _flatten_text(text)
            changed = True
    return ET.tostring(root, encoding="utf-8") if changed else data


_POSITION = ("x", "y", "dx", "dy", "id")


def _flatten_text(text: ET.Element) -> None:
    chunks: list[tuple[str, dict[str, str]]] = []
    pending: dict[str, str] = {}

    def walk(node: ET.Element, inherited: dict[str, str]) -> None:
        attrs = dict(inherited)
        for name, value in node.attrib.items():
            if name in _POSITION:
                continue
            if name in ("style", "class") and name in attrs:
                value = attrs[name] + (";" if name == "style" else " ") + value
            attrs[name] = value
        for axis in ("x", "y"):
            if node.get(axis) is not None:
                pending[axis] = node.get(axis, "").split()[0].split(",")[0]
        if node.text:
            emit(node.text, attrs)
        for child in node:
            walk(child, attrs)
            if child.tail:
                emit(child.tail, attrs)

    def emit(content: str, attrs: dict[str, str]) -> None:
        chunks.append((content, {**attrs, **pending}))
        pending.clear()

    base = dict(text.attrib)
    for axis in ("x", "y"):
        if text.get(axis) is not None:
            pending[axis] = text.get(axis, "").split()[0]
    if text.text:
        emit(text.text, {})
    for child in list(text):
        walk(child, {})
        if child.tail:
            emit(child.tail, {})
    for child in list(text):
        text.remove(child)
    text.text = None
    text.attrib.clear()
    text.attrib.update(base)
    for content, attrs in chunks:
        span = ET.SubElement(text, f"{{{SVG_NS}}}tspan", attrs)
        span.text = content
