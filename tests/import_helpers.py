"""Documents for the import tests, written the way Word users make them (python-docx)."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt
from PIL import Image

FIGURE_ALT = "Жүйелік блок, монитор және пернетақта үстелде тұр"
FIGURE_CAPTION = "Компьютердің негізгі бөліктері"


def png(width: int = 40, height: int = 30, colour: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def _symbol(paragraph, font: str, char: str) -> None:
    """A ``w:sym`` run, as Word writes Insert > Symbol from Wingdings."""
    run = OxmlElement("w:r")
    sym = OxmlElement("w:sym")
    sym.set(qn("w:font"), font)
    sym.set(qn("w:char"), char)
    run.append(sym)
    paragraph._p.append(run)


def _tracked_insertion(paragraph, text: str, author: str) -> None:
    ins = OxmlElement("w:ins")
    ins.set(qn("w:id"), "1")
    ins.set(qn("w:author"), author)
    ins.set(qn("w:date"), "2026-01-01T00:00:00Z")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    ins.append(run)
    paragraph._p.append(ins)


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
TEXT_BOX = (
    f'<w:r {W_NS} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict>'
    '<v:shape style="width:120pt;height:40pt"><v:textbox><w:txbxContent>'
    "<w:p><w:r><w:t>Мәтін жолағындағы кеңес</w:t></w:r></w:p>"
    "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
)
EQUATION = (
    '<m:oMath xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math">'
    "<m:r><m:t>a+b</m:t></m:r></m:oMath>"
)


def methodologist_docx(path: Path, picture: bytes | None = None) -> Path:
    """A Kazakh lesson as a methodologist writes it in Word: headings, a style named
    "Ескерту", a one-cell box, shaded paragraphs, numbered tasks, a numbered list that goes on
    after a paragraph, a table with merged cells, a described picture with a caption,
    symbol-font characters, a text box, an equation, a tracked change and a comment."""
    document = docx.Document()
    styles = document.styles
    note_style = styles.add_style("Ескерту", WD_STYLE_TYPE.PARAGRAPH)
    note_style.base_style = styles["Normal"]
    own_style = styles.add_style("Менің стилім", WD_STYLE_TYPE.PARAGRAPH)
    own_style.font.size = Pt(13)
    document.core_properties.title = "Компьютермен танысу"
    document.core_properties.author = "Айгүл Сейітқызы"

    document.add_heading("Компьютер құрылғылары", level=1)
    document.add_paragraph("Компьютер бірнеше бөліктен тұрады. Әр бөліктің өз міндеті бар.")
    document.add_paragraph("Бұл мәтін өз стилінде жазылған, бірақ жоғалмауы керек.", "Менің стилім")
    document.add_paragraph("Компьютерді сөндірмей тұрып, барлық файлды сақтаңыз.", "Ескерту")
    for text in ("Жүйелік блокты қосыңыз.", "Мониторды қосыңыз."):
        document.add_paragraph(text, "List Number")
    document.add_paragraph("Енді пернетақтаны тексеріңіз.")
    for text in ("Пернетақтада бір әріп басыңыз.", "Экранда әріп пайда болады."):
        document.add_paragraph(text, "List Number")

    table = document.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    header = ("Құрылғы", "Міндеті", "Мысал")
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    table.cell(1, 0).text = "Монитор"
    table.cell(1, 1).text = "Суретті көрсетеді"
    table.cell(1, 2).text = "LCD"
    merged = table.cell(2, 0).merge(table.cell(2, 1))
    merged.text = "Біріктірілген ұяшық"
    table.cell(2, 2).text = "USB"
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))

    if picture is not None:
        document.add_picture(io.BytesIO(picture))
        inline = document.paragraphs[-1]._p.xpath(".//wp:docPr")[0]
        inline.set("descr", FIGURE_ALT)
        document.add_paragraph(FIGURE_CAPTION, "Caption")

    box = document.add_table(rows=1, cols=1)
    box.style = "Table Grid"
    box.cell(0, 0).text = "Назар аударыңыз"
    box.cell(0, 0).add_paragraph("Ылғал қолмен розеткаға тимеңіз.")

    for text in ("Кеңес", "Жұмысты бітірген соң компьютерді дұрыс өшіріңіз."):
        shaded = document.add_paragraph(text)  # a box drawn by paragraph shading
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:fill"), "E2EFD9")
        shaded._p.get_or_add_pPr().append(shading)
    document.add_paragraph("Тапсырма 1. Компьютердің үш бөлігін атаңыз.")
    document.add_paragraph("Жауапты дәптерге жазыңыз.", "List Bullet")
    document.add_heading("Қорытынды", level=1)
    ticks = document.add_paragraph("Дайын: ")
    tick = ticks.add_run("ü")  # Wingdings' check mark
    tick.font.name = "Wingdings"
    _symbol(ticks, "Wingdings", "F04A")  # a smiley: no Unicode twin in casekit's table
    legacy = document.add_paragraph()
    run = legacy.add_run("Ќазаќстан")
    run.font.name = "KZ Times New Roman"
    changed = document.add_paragraph("Сабақ аяқталды.")
    _tracked_insertion(changed, " Рақмет!", "Ерлан")
    holder = document.add_paragraph("Суреттің жанында: ")
    holder._p.append(parse_xml(TEXT_BOX))
    formula = document.add_paragraph("Формула: ")
    formula._p.append(parse_xml(EQUATION))
    commented = document.add_paragraph("Пікір қалдырылған сөйлем.")
    document.add_comment(commented.runs, text="Осыны тексеру керек", author="Ерлан")
    document.save(path)
    return path
