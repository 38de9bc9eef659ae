"""What pandoc's AST cannot carry, found in the document's own XML, per paragraph.

pandoc accepts tracked changes, drops comments, and reads text boxes, SmartArt
and embedded objects partly or not at all; characters of symbol fonts
(Wingdings) and of legacy Kazakh fonts (KZ Times and the like, which put Kazakh
letters on the code points of other characters) come through as the wrong
characters. The author needs a list with the paragraph each one is in.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from casekit.importer import vocabulary as v
from casekit.importer.odt_styles import mark_styles

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
NS = {"w": W, "m": M, "a": A, "wps": WPS}
DIAGRAM_URI = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
CHART_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
#: fonts whose characters are pictures, not letters
SYMBOL_FONTS = re.compile(r"^(wingdings( [23])?|webdings|symbol|zapf ?dingbats|marlett)$", re.I)
#: 8-bit Kazakh fonts from before Unicode: "KZ Times New Roman", "Kz Arial", "Times/Kazakh" ...
LEGACY_KAZAKH_FONTS = re.compile(r"^kz[ _]|kazakh|^(times|arial)[ _]?kz\b", re.I)
#: Symbol and Wingdings characters that have a Unicode twin (the common bullets and arrows)
SYMBOL_TWINS = {
    ("symbol", 0xB7): "•",
    ("symbol", 0xAE): "→",
    ("symbol", 0xB4): "×",
    ("symbol", 0xB3): "≥",
    ("symbol", 0xA3): "≤",
    ("symbol", 0xB1): "±",
    ("wingdings", 0xFC): "✓",
    ("wingdings", 0xFB): "✗",
    ("wingdings", 0xA7): "▪",
    ("wingdings", 0x9F): "•",
    ("wingdings", 0xD8): "➢",
    ("wingdings", 0xE0): "→",
    ("wingdings", 0x6C): "●",
    ("wingdings", 0x6E): "■",
    ("wingdings", 0x71): "❑",
    ("wingdings", 0x76): "❖",
}
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
SNIPPET = 40


@dataclass(frozen=True)
class Finding:
    paragraph: int  # 1-based, in reading order; 0: the whole document
    snippet: str  # the paragraph's first words, so the author finds it
    code: str
    message: str


def _text(element: etree._Element) -> str:
    return "".join(element.itertext()).strip()


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[:SNIPPET].rstrip() + "…"


def symbol_twin(font: str, code: int) -> str | None:
    """The Unicode character a symbol-font character stands for, when there is one."""
    family = "wingdings" if font.lower().startswith("wingdings") else font.lower()
    return SYMBOL_TWINS.get((family, code & 0xFF))


def _run_font(run: etree._Element) -> str:
    fonts = run.find("w:rPr/w:rFonts", NS)
    if fonts is None:
        return ""
    for key in ("ascii", "hAnsi", "cs"):
        value = fonts.get(f"{{{W}}}{key}")
        if value:
            return value
    return ""


def font_problems(font: str, text: str) -> list[tuple[str, str]]:
    """(code, message) for ``text`` set in ``font`` when the font is a symbol font
    (characters without a Unicode twin) or a pre-Unicode Kazakh font."""
    if SYMBOL_FONTS.match(font):
        unmapped = sorted({c for c in text if symbol_twin(font, ord(c)) is None})
        if not unmapped:
            return []
        shown = " ".join(f"U+{ord(c):04X}" for c in unmapped[:8])
        return [
            (
                "import-symbol-font",
                f"characters of the symbol font {font} have no Unicode equivalent "
                f"({shown}); they are left out",
            )
        ]
    if LEGACY_KAZAKH_FONTS.search(font):
        odd = "".join(sorted({c for c in text if not c.isascii()})[:12])
        return [
            (
                "import-legacy-font",
                f"text in the legacy font {font}: its Kazakh letters are stored as other "
                f"characters ({odd or 'letters'}); convert the text to Unicode and import again",
            )
        ]
    return []


def in_unicode(font: str, text: str) -> str:
    """``text`` of a symbol font as the Unicode characters it shows (others left out)."""
    if not SYMBOL_FONTS.match(font):
        return text
    return "".join(symbol_twin(font, ord(c)) or "" for c in text)


def _replace_symbols(paragraph: etree._Element) -> list[tuple[str, str]]:
    """Put Unicode in place of symbol-font characters (those without a twin are
    left out) and list what was done; legacy Kazakh fonts are only reported."""
    found: list[tuple[str, str]] = []
    for sym in list(paragraph.iter(f"{{{W}}}sym")):
        font = sym.get(f"{{{W}}}font", "")
        code = int(sym.get(f"{{{W}}}char", "0") or "0", 16)
        twin = symbol_twin(font, code)
        if twin is None:
            found.append(
                (
                    "import-symbol-font",
                    f"character U+{code:04X} of the font {font} has no Unicode equivalent; "
                    "it is left out",
                )
            )
        replacement = etree.Element(f"{{{W}}}t")
        replacement.text = twin or ""
        sym.getparent().replace(sym, replacement)
    for run in paragraph.iter(f"{{{W}}}r"):
        font = _run_font(run)
        texts = list(run.iter(f"{{{W}}}t"))
        text = "".join(t.text or "" for t in texts)
        if not font or not text.strip():
            continue
        found.extend(font_problems(font, text))
        for t in texts:
            t.text = in_unicode(font, t.text or "")
    return found


def _feature_findings(paragraph: etree._Element, comments: dict[str, str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for data in paragraph.iter(f"{{{A}}}graphicData"):
        uri = data.get("uri", "")
        if uri == DIAGRAM_URI:
            found.append(
                (
                    "import-smartart",
                    "SmartArt diagram is not imported; redraw it as an image or a list",
                )
            )
        elif uri == CHART_URI:
            found.append(
                ("import-chart", "chart is not imported; save it as a picture and insert that")
            )
    for obj in paragraph.iter(f"{{{W}}}object"):
        prog = next((e.get("ProgID", "") for e in obj.iter() if e.get("ProgID")), "object")
        found.append(
            (
                "import-object",
                f"embedded object ({prog}) is not imported; an equation or chart should be a picture or text",
            )
        )
    if paragraph.find(".//m:oMath", NS) is not None:
        found.append(("import-equation", "equation is kept as TeX text in code; check it"))
    for tag, what in (
        ("ins", "insertion"),
        ("del", "deletion"),
        ("moveFrom", "move"),
        ("moveTo", ""),
    ):
        for change in paragraph.iter(f"{{{W}}}{tag}"):
            if not what:
                continue
            author = change.get(f"{{{W}}}author", "")
            by = f" by {author}" if author else ""
            found.append(("import-tracked-change", f"tracked {what}{by} was accepted"))
            break
    for ref in paragraph.iter(f"{{{W}}}commentReference"):
        text = comments.get(ref.get(f"{{{W}}}id", ""), "")
        found.append(("import-comment", f"comment «{_snippet(text)}» is not imported"))
    return found


def _in_text_box(element: etree._Element) -> bool:
    return any(a.tag == f"{{{W}}}txbxContent" for a in element.iterancestors())


def _unbox(paragraph: etree._Element) -> list[tuple[str, str]]:
    """Move the text of ``paragraph``'s text boxes after it as ordinary paragraphs
    (pandoc would drop it); Word keeps a box twice, as a drawing and as its VML
    fallback, so only boxes outside ``mc:Fallback`` are taken."""
    found: list[tuple[str, str]] = []
    boxes = [
        box
        for box in paragraph.iter(f"{{{W}}}txbxContent")
        if not any(etree.QName(a).localname == "Fallback" for a in box.iterancestors())
    ]
    anchor = paragraph
    for box in boxes:
        found.append(
            (
                "import-text-box",
                f"text box «{_snippet(_text(box))}»: its text is imported as ordinary "
                "paragraphs after this one; check where it belongs",
            )
        )
        for inner in box.findall(f"{{{W}}}p"):
            anchor.addnext(inner)
            anchor = inner
    for box in boxes:
        run = next((a for a in box.iterancestors() if a.tag == f"{{{W}}}r"), None)
        if run is not None and run.getparent() is not None:
            run.getparent().remove(run)
    return found


SHADED_STYLE_ID = "CasekitShaded"
UNSHADED = {"", "auto", "FFFFFF", "ffffff"}


def _mark_shaded(paragraph: etree._Element) -> bool:
    """Give a shaded body paragraph (a box drawn by shading, not a heading or a list
    item) casekit's own style, so it becomes a callout; the text is kept either way."""
    ppr = paragraph.find("w:pPr", NS)
    shading = ppr.find("w:shd", NS) if ppr is not None else None
    if shading is None or shading.get(f"{{{W}}}fill", "") in UNSHADED:
        return False
    style = ppr.find("w:pStyle", NS)
    name = style.get(f"{{{W}}}val", "") if style is not None else ""
    if ppr.find("w:numPr", NS) is not None or re.match(r"(heading|title|toc)", name, re.I):
        return False
    if style is None:
        style = etree.Element(f"{{{W}}}pStyle")
        ppr.insert(0, style)
    style.set(f"{{{W}}}val", SHADED_STYLE_ID)
    return True


def _with_shaded_style(styles: bytes) -> bytes:
    root = etree.fromstring(styles, XML_PARSER)
    style = etree.SubElement(root, f"{{{W}}}style")
    style.set(f"{{{W}}}type", "paragraph")
    style.set(f"{{{W}}}styleId", SHADED_STYLE_ID)
    etree.SubElement(style, f"{{{W}}}name").set(f"{{{W}}}val", v.SHADED_STYLE)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def clean_docx(path: Path, target: Path, keep: Callable[[str], bool]) -> list[Finding]:
    """Copy the DOCX at ``path`` to ``target`` with symbol-font characters replaced,
    text boxes unboxed, shaded paragraphs marked and only the parts ``keep`` accepts;
    return every problem by paragraph."""
    with zipfile.ZipFile(path) as package:
        body = etree.fromstring(package.read("word/document.xml"), XML_PARSER)
        comments: dict[str, str] = {}
        if "word/comments.xml" in package.namelist():
            for comment in etree.fromstring(package.read("word/comments.xml"), XML_PARSER):
                comments[comment.get(f"{{{W}}}id", "")] = _text(comment)
        findings: list[Finding] = []
        paragraphs = [p for p in body.iter(f"{{{W}}}p") if not _in_text_box(p)]
        shaded = False
        for number, paragraph in enumerate(paragraphs, start=1):
            problems = _feature_findings(paragraph, comments) + _replace_symbols(paragraph)
            problems += _unbox(paragraph)
            shaded = _mark_shaded(paragraph) or shaded
            text = "".join(t.text or "" for t in paragraph.iter(f"{{{W}}}t"))
            findings.extend(Finding(number, _snippet(text), c, m) for c, m in problems)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in package.infolist():
                if info.filename == "word/document.xml":
                    out.writestr(
                        info.filename,
                        etree.tostring(
                            body, xml_declaration=True, encoding="UTF-8", standalone=True
                        ),
                    )
                elif info.filename == "word/styles.xml" and shaded:
                    out.writestr(info.filename, _with_shaded_style(package.read(info)))
                elif keep(info.filename):
                    out.writestr(info.filename, package.read(info))
    return findings


ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
ODF_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
ODF_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
ODF_FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
ODF_SVG = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"


def _odt_fonts(content: etree._Element) -> dict[str, str]:
    """Automatic text style name -> the font family it sets."""
    faces = {
        face.get(f"{{{ODF_STYLE}}}name", ""): face.get(f"{{{ODF_SVG}}}font-family", "").strip("'\"")
        for face in content.iter(f"{{{ODF_STYLE}}}font-face")
    }
    fonts: dict[str, str] = {}
    for style in content.iter(f"{{{ODF_STYLE}}}style"):
        props = style.find(f"{{{ODF_STYLE}}}text-properties")
        if props is None:
            continue
        name = props.get(f"{{{ODF_STYLE}}}font-name", "")
        family = faces.get(name) or name or props.get(f"{{{ODF_FO}}}font-family", "")
        if family:
            fonts[style.get(f"{{{ODF_STYLE}}}name", "")] = family.strip("'\"")
    return fonts


def clean_odt(path: Path, target: Path, keep: Callable[[str], bool]) -> list[Finding]:
    """Copy the OpenDocument text at ``path`` to ``target`` with symbol-font characters
    replaced, its styles prepared for pandoc (``odt_styles``) and only the parts ``keep``
    accepts; return text boxes, objects, changes, comments and symbol or legacy fonts by
    paragraph."""
    with zipfile.ZipFile(path) as package:
        content = etree.fromstring(package.read("content.xml"), XML_PARSER)
        findings = _odt_findings(content)
        names = set(package.namelist())
        styles = (
            etree.fromstring(package.read("styles.xml"), XML_PARSER)
            if "styles.xml" in names
            else None
        )
        mark_styles(content, styles)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in package.infolist():
                if info.filename == "content.xml":
                    out.writestr(
                        info.filename,
                        etree.tostring(content, xml_declaration=True, encoding="UTF-8"),
                    )
                elif info.filename == "mimetype" or keep(info.filename):
                    out.writestr(info, package.read(info))
    return findings


ODF_BOXES = (f"{{{ODF_DRAW}}}text-box", f"{{{ODF_DRAW}}}custom-shape")


def _odt_unbox(paragraph: etree._Element) -> list[tuple[str, str]]:
    """Text boxes and shapes with text: their paragraphs move after ``paragraph``."""
    found: list[tuple[str, str]] = []
    anchor = paragraph
    for box in [b for b in paragraph.iter(*ODF_BOXES) if b.getparent() is not None]:
        inner = box.findall(f"{{{ODF_TEXT}}}p")
        if not inner:
            continue
        found.append(
            (
                "import-text-box",
                f"text box «{_snippet(_text(box))}»: its text is imported as ordinary "
                "paragraphs after this one; check where it belongs",
            )
        )
        for moved in inner:
            anchor.addnext(moved)
            anchor = moved
        holder = box.getparent() if box.tag == ODF_BOXES[0] else box
        holder.getparent().remove(holder)
    return found


def _odt_findings(content: etree._Element) -> list[Finding]:
    fonts = _odt_fonts(content)
    findings: list[Finding] = []
    skipped = {f"{{{ODF_OFFICE}}}annotation", *ODF_BOXES}
    paragraphs = [
        p
        for p in content.iter(f"{{{ODF_TEXT}}}p", f"{{{ODF_TEXT}}}h")
        if not any(a.tag in skipped for a in p.iterancestors())
    ]
    outside_notes = ".//text()[not(ancestor::office:annotation)]"
    for number, paragraph in enumerate(paragraphs, start=1):
        fixed: list[tuple[str, str]] = []
        for span in paragraph.iter(f"{{{ODF_TEXT}}}span"):
            font = fonts.get(span.get(f"{{{ODF_TEXT}}}style-name", ""), "")
            if font and span.text:
                fixed.extend(font_problems(font, span.text))
                span.text = in_unicode(font, span.text)
        fixed += _odt_unbox(paragraph)
        text = _snippet("".join(paragraph.xpath(outside_notes, namespaces={"office": ODF_OFFICE})))
        findings.extend(Finding(number, text, c, m) for c, m in fixed)
        for _obj in paragraph.iter(f"{{{ODF_DRAW}}}object"):
            findings.append(
                Finding(
                    number,
                    text,
                    "import-object",
                    "embedded object (formula or chart) is not imported",
                )
            )
        for note in paragraph.iter(f"{{{ODF_OFFICE}}}annotation"):
            words = " ".join(_text(p) for p in note.iter(f"{{{ODF_TEXT}}}p"))
            findings.append(
                Finding(
                    number, text, "import-comment", f"comment «{_snippet(words)}» is not imported"
                )
            )
    if content.find(f".//{{{ODF_TEXT}}}tracked-changes") is not None:
        findings.append(Finding(0, "", "import-tracked-change", "tracked changes were accepted"))
    return findings


def docx_properties(path: Path) -> dict[str, str]:
    """The document's title, author(s) and company, from its properties (``""`` when unset)."""
    found = {"title": "", "authors": "", "organisation": ""}
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        if "docProps/core.xml" in names:
            core = etree.fromstring(package.read("docProps/core.xml"), XML_PARSER)
            for key, tag in (("title", "title"), ("authors", "creator")):
                element = core.find(f"{{http://purl.org/dc/elements/1.1/}}{tag}")
                found[key] = (element.text or "").strip() if element is not None else ""
        if "docProps/app.xml" in names:
            app = etree.fromstring(package.read("docProps/app.xml"), XML_PARSER)
            company = next((e for e in app if etree.QName(e).localname == "Company"), None)
            found["organisation"] = (company.text or "").strip() if company is not None else ""
    return found


ODF_XLINK = "http://www.w3.org/1999/xlink"
CAPTION_STYLES = re.compile(r"^(caption|illustration|figure|drawing)", re.I)


def odt_pictures(path: Path) -> dict[str, tuple[str, str]]:
    """Picture file name -> (description, caption) of an OpenDocument text; pandoc's
    reader takes neither (the caption is the paragraph after the picture in a
    caption style)."""
    with zipfile.ZipFile(path) as package:
        content = etree.fromstring(package.read("content.xml"), XML_PARSER)
    found: dict[str, tuple[str, str]] = {}
    for frame in content.iter(f"{{{ODF_DRAW}}}frame"):
        image = frame.find(f"{{{ODF_DRAW}}}image")
        if image is None:
            continue
        href = image.get(f"{{{ODF_XLINK}}}href", "")
        desc = frame.find(f"{{{ODF_SVG}}}desc")
        title = frame.find(f"{{{ODF_SVG}}}title")
        alt = next((_text(e) for e in (desc, title) if e is not None and _text(e)), "")
        caption = ""
        holder = next((a for a in frame.iterancestors() if a.tag == f"{{{ODF_TEXT}}}p"), None)
        after = holder.getnext() if holder is not None else None
        if after is not None and CAPTION_STYLES.match(after.get(f"{{{ODF_TEXT}}}style-name", "")):
            caption = _text(after)
        found[PurePosixPath(href).name] = (alt, caption)
    return found
