"""SVG markers (arrowheads) are drawn in the PDF and the DOCX where Chromium draws
them: the same file rendered by Chromium and by casekit (the PDF's vector drawing
rasterised by pdfium, and the DOCX's own raster) compared pixel by pixel."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy
import pypdfium2
import pytest
from PIL import Image
from reportlab.graphics import renderPDF
from svglib.svglib import svg2rlg

from casekit.build.pipeline import build_course
from casekit.render.svg_markers import svglib_svg
from casekit.safety.svg import sanitize_svg
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

WIDTH, HEIGHT = 480, 240
#: red markers on blue lines: every kind of shape, orientation and unit
ARROWS = f"""<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"
     viewBox="0 0 240 120">
  <defs>
    <marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="4" markerHeight="4"
            orient="auto-start-reverse">
      <path d="M 0 0 L 10 5 L 0 10 z" fill="#ff0000"/>
    </marker>
    <marker id="dot" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="8" markerHeight="8"
            markerUnits="userSpaceOnUse">
      <circle cx="5" cy="5" r="5" fill="#ff0000"/>
    </marker>
    <marker id="tilted" orient="30" refX="0" refY="0" style="overflow:visible">
      <rect x="0" y="-1" width="6" height="2" fill="#ff0000"/>
    </marker>
  </defs>
  <g stroke="#0000ff" stroke-width="3" fill="none">
    <line x1="10" y1="15" x2="110" y2="15" marker-end="url(#head)"/>
    <path d="M 130 20 C 160 -10, 200 50, 230 20" marker-start="url(#head)"
          marker-end="url(#head)"/>
    <polyline points="10,50 60,90 110,50" marker-mid="url(#dot)" marker-end="url(#head)"/>
    <path d="m 130 60 l 40 0 l 0 40 z" style="marker:url(#dot)"/>
    <g marker-end="url(#tilted)"><path d="M 190 110 H 230"/></g>
  </g>
</svg>
"""
INKSCAPE = ROOT / "tests/data/lessons-carpentries-en/episodes/fig/workflow-inkscape.svg"


def chromium_pixels(
    browser: object, svg: Path, width: int, height: int, folder: Path
) -> numpy.ndarray:
    """Chromium's drawing of ``svg`` at ``width`` x ``height`` pixels, from file://."""
    html = folder / "show.html"
    html.write_text(
        "<style>html,body{margin:0;background:#fff}img{display:block}</style>"
        f'<img src="{svg.as_uri()}" width="{width}" height="{height}">',
        "utf-8",
    )
    page = browser.new_page(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    try:
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        shot = page.screenshot(clip={"x": 0, "y": 0, "width": width, "height": height})
    finally:
        page.close()
    return numpy.asarray(Image.open(io.BytesIO(shot)).convert("RGB"))


def casekit_pixels(svg: bytes, width: int, height: int) -> numpy.ndarray:
    """The SVG as the PDF draws it (svglib), rendered by pdfium at the given size."""
    drawing = svg2rlg(io.BytesIO(svglib_svg(sanitize_svg(svg))))
    document = pypdfium2.PdfDocument(renderPDF.drawToString(drawing))
    image = document[0].render(scale=width / drawing.width).to_pil().convert("RGB")
    return numpy.asarray(image.resize((width, height)))


def mask(pixels: numpy.ndarray, colour: tuple[int, int, int]) -> numpy.ndarray:
    distance = numpy.abs(pixels.astype(int) - numpy.array(colour)).sum(axis=2)
    return distance < 120


def overlap(ours: numpy.ndarray, theirs: numpy.ndarray) -> float:
    """Intersection over union of two masks, each grown by a pixel (anti-aliasing)."""

    def grown(m: numpy.ndarray) -> numpy.ndarray:
        out = m.copy()
        out[1:, :] |= m[:-1, :]
        out[:-1, :] |= m[1:, :]
        out[:, 1:] |= m[:, :-1]
        out[:, :-1] |= m[:, 1:]
        return out

    union = (ours | theirs).sum()
    return float(((grown(ours) & theirs) | (ours & grown(theirs))).sum() / max(union, 1))


def test_markers_are_drawn_where_chromium_draws_them(browser: object, tmp_path: Path) -> None:
    source = tmp_path / "arrows.svg"
    source.write_text(ARROWS, "utf-8")
    theirs = mask(chromium_pixels(browser, source, WIDTH, HEIGHT, tmp_path), (255, 0, 0))
    ours = mask(casekit_pixels(ARROWS.encode(), WIDTH, HEIGHT), (255, 0, 0))
    assert theirs.sum() > 1500, "Chromium draws the markers"
    assert overlap(ours, theirs) > 0.85, (ours.sum(), theirs.sum())


def test_inkscape_arrow_head(browser: object, tmp_path: Path) -> None:
    """The arrow of an Inkscape drawing from the real-lesson corpus."""
    width, height = 640, 240  # 160 x 60 mm
    theirs = chromium_pixels(browser, INKSCAPE, width, height, tmp_path)
    ours = casekit_pixels(INKSCAPE.read_bytes(), width, height)
    # the head: the dark grey at the end of the arrow, x 81..84 of the 160-unit width
    region = (slice(70, 90), slice(316, 344))
    dark_theirs = mask(theirs[region], (0x33, 0x33, 0x33))
    dark_ours = mask(ours[region], (0x33, 0x33, 0x33))
    assert dark_theirs.sum() > 30
    assert overlap(dark_ours, dark_theirs) > 0.75, (dark_ours.sum(), dark_theirs.sum())


def test_pdf_and_docx_draw_the_arrows(make_course, tmp_path: Path) -> None:
    course = make_course({"a.md": "# A\n\n![Arrows](arrows.svg)\n"}, files={"arrows.svg": ARROWS})
    result = build_course(course, ["pdf", "docx"], ("learner",), tmp_path / "out")
    assert not result.stopped, [str(d) for d in result.diagnostics.sorted()]
    built = {record.format: record.paths[0] for record in result.outputs}
    pdf = pypdfium2.PdfDocument(str(built["pdf"]))
    red_on_pages = [
        mask(numpy.asarray(pdf[n].render(scale=2).to_pil().convert("RGB")), (255, 0, 0)).sum()
        for n in range(len(pdf))
    ]
    assert max(red_on_pages) > 1000
    with zipfile.ZipFile(built["docx"]) as z:
        png = next(z.read(n) for n in z.namelist() if n.startswith("word/media/"))
    raster = numpy.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert mask(raster, (255, 0, 0)).sum() > 0.003 * raster.shape[0] * raster.shape[1]


def test_a_hostile_marker_count_is_bounded() -> None:
    from casekit.render.svg_markers import MAX_MARKERS

    points = " ".join(f"{n % 100},{n // 100}" for n in range(200_000))
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        '<defs><marker id="m"><circle r="1"/></marker></defs>'
        f'<polyline points="{points}" style="marker-mid:url(#m)"/></svg>'
    ).encode()
    prepared = svglib_svg(sanitize_svg(svg))
    assert prepared.count(b"<circle") - 1 == MAX_MARKERS
