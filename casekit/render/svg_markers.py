"""SVG markers (arrowheads) drawn as plain shapes, for svglib.

svglib ignores ``marker-start``, ``marker-mid`` and ``marker-end``: the arrows of
Inkscape and LibreOffice drawings lost their heads in the PDF and the DOCX. Each
marked ``path``, ``line``, ``polyline`` and ``polygon`` gets, right after it, a
copy of each marker's content placed as SVG 2 says a browser draws it: at the
vertex, turned to the path's direction (``orient="auto"``,
``auto-start-reverse`` or an angle), scaled by the stroke width
(``markerUnits="strokeWidth"``, the default) and by the marker's ``viewBox``,
with ``refX``/``refY`` on the vertex. Markers are not clipped to their box (as
``overflow: visible``, what drawing programs write).
"""

from __future__ import annotations

import copy
import math
import re
import xml.etree.ElementTree as ET

import defusedxml.ElementTree as DET

from casekit.safety.svg import drawable_svg

SVG_NS = "http://www.w3.org/2000/svg"
_MARKED = frozenset(f"{{{SVG_NS}}}{name}" for name in ("path", "line", "polyline", "polygon"))
_URL = re.compile(r"url\(\s*['\"]?#([^)'\"]+)['\"]?\s*\)")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PATH_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARGS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}

Point = tuple[float, float]
#: markers drawn per file at most: a hostile path of a million vertices with a
#: ``marker-mid`` would otherwise copy the marker a million times
MAX_MARKERS = 5000


def _style(element: ET.Element) -> dict[str, str]:
    """The element's presentation attributes with its ``style`` over them."""
    found = {name: value for name, value in element.attrib.items() if "}" not in name}
    for declaration in element.get("style", "").split(";"):
        name, _, value = declaration.partition(":")
        if value.strip():
            found[name.strip()] = value.strip()
    return found


def _property(chain: list[ET.Element], name: str) -> str | None:
    """An inherited property: from the element, else its nearest ancestor that sets it."""
    for element in reversed(chain):
        style = _style(element)
        if name in style:
            return style[name]
        if name.startswith("marker-") and "marker" in style:  # the shorthand
            return style["marker"]
    return None


def _number(value: str | None, default: float) -> float:
    match = _NUMBER.match((value or "").strip())
    return float(match.group(0)) if match else default


# --------------------------------------------------------------------------- geometry


def _vertices(element: ET.Element) -> list[tuple[Point, float | None, float | None]]:
    """Each vertex of a shape with the direction (radians) the path comes in and goes
    out there (``None`` at the ends)."""
    tag = element.tag.split("}")[1]
    if tag == "line":
        start = (_number(element.get("x1"), 0), _number(element.get("y1"), 0))
        end = (_number(element.get("x2"), 0), _number(element.get("y2"), 0))
        return _polyline([start, end])
    if tag in ("polyline", "polygon"):
        values = [float(v) for v in _NUMBER.findall(element.get("points", ""))]
        points = list(zip(values[0::2], values[1::2], strict=False))
        if tag == "polygon" and points:
            points.append(points[0])
        return _polyline(points)
    return _path(element.get("d", ""))


def _angle(a: Point, b: Point) -> float | None:
    dx, dy = b[0] - a[0], b[1] - a[1]
    return math.atan2(dy, dx) if dx or dy else None


def _polyline(points: list[Point]) -> list[tuple[Point, float | None, float | None]]:
    out = []
    for index, point in enumerate(points):
        incoming = _angle(points[index - 1], point) if index else None
        outgoing = _angle(point, points[index + 1]) if index + 1 < len(points) else None
        out.append((point, incoming, outgoing))
    return out


def _path(d: str) -> list[tuple[Point, float | None, float | None]]:
    """Vertices of path data: every segment's end point, with the tangents of the
    segments on either side (curves: their control points; arcs: their chord)."""
    tokens = _PATH_TOKEN.findall(d)
    vertices: list[list] = []  # [point, incoming, outgoing]
    current = start = (0.0, 0.0)
    last_control: Point | None = None
    command = ""
    index = 0
    while index < len(tokens):
        if tokens[index].isalpha():
            command = tokens[index]
            index += 1
        elif not command:
            break
        upper = command.upper()
        count = _ARGS[upper]
        args = [float(v) for v in tokens[index : index + count]]
        if len(args) < count or any(a.isalpha() for a in tokens[index : index + count]):
            break
        index += count
        relative = command.islower()
        ox, oy = current if relative else (0.0, 0.0)
        if upper == "Z":
            end, first_dir, last_dir = start, _angle(current, start), _angle(current, start)
        elif upper in ("M", "L", "T"):
            end = (ox + args[0], oy + args[1])
            first_dir = last_dir = _angle(current, end)
            if upper == "T":
                control = _reflect(last_control, current)
                first_dir = _angle(current, control) or first_dir
                last_dir = _angle(control, end) or last_dir
                last_control = control
        elif upper == "H":
            end = ((current[0] if relative else 0.0) + args[0], current[1])
            first_dir = last_dir = _angle(current, end)
        elif upper == "V":
            end = (current[0], (current[1] if relative else 0.0) + args[0])
            first_dir = last_dir = _angle(current, end)
        elif upper in ("C", "S", "Q"):
            points = [(ox + args[i], oy + args[i + 1]) for i in range(0, count, 2)]
            if upper == "S":
                points.insert(0, _reflect(last_control, current))
            end, controls = points[-1], points[:-1]
            first_dir = next((a for c in [*controls, end] if (a := _angle(current, c))), None)
            last_dir = next(
                (a for c in reversed([current, *controls]) if (a := _angle(c, end))), None
            )
            last_control = controls[-1]
        else:  # A: the chord's direction
            end = (ox + args[5], oy + args[6])
            first_dir = last_dir = _angle(current, end)
        if upper not in ("C", "S", "Q", "T"):
            last_control = None
        if upper == "M":
            start = end
            vertices.append([end, None, None])
            command = "l" if relative else "L"  # further pairs are line-tos
        else:
            if vertices:
                vertices[-1][2] = first_dir
            vertices.append([end, last_dir, None])
        current = end
    return [(tuple(v[0]), v[1], v[2]) for v in vertices]  # type: ignore[misc]


def _reflect(control: Point | None, about: Point) -> Point:
    if control is None:
        return about
    return (2 * about[0] - control[0], 2 * about[1] - control[1])


# --------------------------------------------------------------------------- placing


def _orientation(
    marker: ET.Element, incoming: float | None, outgoing: float | None, at_start: bool
) -> float:
    """The marker's rotation in degrees at a vertex."""
    orient = marker.get("orient", "0").strip()
    if orient not in ("auto", "auto-start-reverse"):
        return _number(orient, 0.0)
    if incoming is None and outgoing is None:
        angle = 0.0
    elif incoming is None or outgoing is None:
        angle = incoming if outgoing is None else outgoing  # type: ignore[assignment]
    else:  # the bisector of the two directions
        angle = math.atan2(
            math.sin(incoming) + math.sin(outgoing), math.cos(incoming) + math.cos(outgoing)
        )
    degrees = math.degrees(angle)
    if orient == "auto-start-reverse" and at_start:
        degrees += 180
    return degrees


def _marker_transform(marker: ET.Element, stroke_width: float) -> str:
    """Marker content coordinates -> the vertex's coordinates (rotation aside)."""
    scale = stroke_width if marker.get("markerUnits", "strokeWidth") == "strokeWidth" else 1.0
    width = _number(marker.get("markerWidth"), 3.0)
    height = _number(marker.get("markerHeight"), 3.0)
    view = [float(v) for v in _NUMBER.findall(marker.get("viewBox", ""))]
    sx = sy = 1.0
    if len(view) == 4 and view[2] > 0 and view[3] > 0:
        sx, sy = width / view[2], height / view[3]
        if marker.get("preserveAspectRatio", "").strip() != "none":
            sx = sy = min(sx, sy)
    ref_x = _number(marker.get("refX"), 0.0)
    ref_y = _number(marker.get("refY"), 0.0)
    # refX/refY are in the viewBox's units: the point of the content on the vertex
    return f"scale({scale:g}) scale({sx:g},{sy:g}) translate({-ref_x:g},{-ref_y:g})"


#: properties a marker's content inherits from where the marker is defined, never from
#: the shape it marks, with their initial values
_INHERITED = {
    "fill": "black",
    "fill-opacity": "1",
    "fill-rule": "nonzero",
    "stroke": "none",
    "stroke-width": "1",
    "stroke-opacity": "1",
    "stroke-linecap": "butt",
    "stroke-linejoin": "miter",
    "stroke-dasharray": "none",
}


def _inherited(marker: ET.Element, parents: dict[ET.Element, ET.Element]) -> dict[str, str]:
    """The values of ``_INHERITED`` at the marker: its own, its ancestors', else initial."""
    chain = [marker]
    while chain[0] in parents:
        chain.insert(0, parents[chain[0]])
    values = {}
    for name, initial in _INHERITED.items():
        found = _property(chain, name)
        values[name] = found if found is not None else initial
    return values


def expand_markers(root: ET.Element) -> bool:
    """Draw every marker of ``root`` as shapes after the element it marks; whether
    anything changed."""
    markers = {m.get("id"): m for m in root.iter(f"{{{SVG_NS}}}marker") if m.get("id")}
    if not markers:
        return False
    parents = {child: parent for parent in root.iter() for child in parent}
    styles = {marker: _inherited(marker, parents) for marker in markers.values()}
    changed = False
    budget = MAX_MARKERS
    for element in [e for e in root.iter() if e.tag in _MARKED]:
        chain = [element]
        while chain[0] in parents:
            chain.insert(0, parents[chain[0]])
        if any(e.tag == f"{{{SVG_NS}}}marker" for e in chain):
            continue  # a shape inside a marker marks nothing
        placed = _placed_markers(element, chain, markers, styles)[:budget]
        budget -= len(placed)
        if placed:
            parent = parents[element]
            position = list(parent).index(element)
            for offset, group in enumerate(placed, start=1):
                parent.insert(position + offset, group)
            changed = True
    return changed


def _placed_markers(
    element: ET.Element,
    chain: list[ET.Element],
    markers: dict[str | None, ET.Element],
    styles: dict[ET.Element, dict[str, str]],
) -> list[ET.Element]:
    wanted = {}
    for which in ("marker-start", "marker-mid", "marker-end"):
        match = _URL.search(_property(chain, which) or "")
        if match and match.group(1) in markers:
            wanted[which] = markers[match.group(1)]
    if not wanted:
        return []
    vertices = _vertices(element)
    if not vertices:
        return []
    stroke_width = _number(_property(chain, "stroke-width"), 1.0)
    groups = []
    last = len(vertices) - 1
    for index, (point, incoming, outgoing) in enumerate(vertices):
        which = "marker-start" if index == 0 else "marker-end" if index == last else "marker-mid"
        marker = wanted.get(which)
        if marker is None:
            continue
        rotation = _orientation(marker, incoming, outgoing, index == 0)
        transform = (
            f"translate({point[0]:g},{point[1]:g}) rotate({rotation:g}) "
            + _marker_transform(marker, stroke_width)
        )
        group = ET.Element(f"{{{SVG_NS}}}g", {"transform": transform, **styles[marker]})
        group.extend(copy.deepcopy(list(marker)))
        groups.append(group)
    return groups


def svglib_svg(data: bytes) -> bytes:
    """A sanitised SVG as svglib needs it: text flattened (``safety.svg.drawable_svg``)
    and markers drawn as shapes."""
    prepared = drawable_svg(data)
    if b"marker" not in prepared:
        return prepared
    root = DET.fromstring(prepared)
    return ET.tostring(root, encoding="utf-8") if expand_markers(root) else prepared
