"""The generated course as one Typst document: the PDF benchmark's reference.

The same text and structure as casekit's PDF of the course: modules and lessons as
numbered headings, paragraphs with bold, italic and code, footnotes, figures, tables
with captions, ordered and bulleted lists, code blocks, boxed objectives and tips, the
quiz with its boxes, a table of contents and page numbers, A4 with 20 mm margins, in the
DejaVu fonts casekit bundles. It reads only what ``generate_course.py`` writes.

    python benchmarks/typst_document.py COURSE_FOLDER   (writes COURSE_FOLDER/.typst/course.typ)
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FONTS = Path(__file__).resolve().parent.parent / "templates" / "fonts"
_SPECIAL = re.compile(r"([\\#$*_`<>@\[\]=+\-/~\"'])")
_INLINE = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*|`([^`]+)`|\[\^(\w+)\]")

PREAMBLE = """\
#set document(title: "{title}")
#set page(paper: "a4", margin: 20mm, numbering: "1", number-align: center)
#set text(font: "DejaVu Sans", size: 10.5pt, lang: "{lang}")
#set par(justify: true)
#set heading(numbering: "1.1")
#show raw: set text(font: "DejaVu Sans Mono", size: 9pt)
#outline(depth: 2)
#pagebreak()
"""


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def inline(text: str, notes: dict[str, str]) -> str:
    """Markdown emphasis, code and footnote references as Typst markup."""
    out, last = [], 0
    for match in _INLINE.finditer(text):
        out.append(escape(text[last : match.start()]))
        bold, italic, code, note = match.groups()
        if bold is not None:
            out.append(f"*{escape(bold)}*")
        elif italic is not None:
            out.append(f"_{escape(italic)}_")
        elif code is not None:
            out.append("#raw(" + _string(code) + ")")
        else:
            out.append(f"#footnote[{inline(notes.get(note, ''), {})}]")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _box(title: str, body: str, fill: str) -> str:
    return (
        f'#block(fill: rgb("{fill}"), inset: 8pt, radius: 3pt, width: 100%)[*{title}*\n\n{body}]\n'
    )


def lesson_typst(text: str) -> str:
    """One lesson of the generated course as Typst."""
    _, front, body = text.split("---\n", 2)
    title = re.search(r"^title: (.*)$", front, re.M).group(1)  # type: ignore[union-attr]
    lines = body.split("\n")
    notes = {m[0]: m[1] for m in (re.match(r"\[\^(\w+)\]: (.*)", x) for x in lines) if m}
    lines = [x for x in lines if not re.match(r"\[\^\w+\]: ", x)]
    out = [f"== {escape(title)}\n"]
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("::: objectives") or line.startswith("::: tip"):
            kind = "Objectives" if "objectives" in line else "Tip"
            inner = []
            i += 1
            while lines[i] != ":::":
                inner.append(lines[i])
                i += 1
            items = "\n".join(
                f"- {inline(x[2:], notes)}" if x.startswith("- ") else inline(x, notes)
                for x in inner
            )
            out.append(_box(kind, items, "#eef3f8" if kind == "Tip" else "#f4f4f4"))
        elif line.startswith("::: {.quiz"):
            quiz_title = re.search(r'title="([^"]*)"', line).group(1)  # type: ignore[union-attr]
            out.append(f"=== Quiz: {escape(quiz_title)}\n")
            i += 1
            while lines[i] != ":::":
                if re.match(r"\d+\. ", lines[i]):
                    out.append("+ " + inline(lines[i].split(". ", 1)[1], notes))
                elif lines[i].strip().startswith("- ["):
                    out.append("  - ☐ " + inline(lines[i].strip()[6:], notes))
                i += 1
            out.append("")
        elif line.startswith("## "):
            heading = re.sub(r"\s*\{#[^}]*\}$", "", line[3:])
            out.append(f"=== {inline(heading, notes)}\n")
        elif line.startswith("!["):
            alt, src = re.match(r"!\[(.*)\]\(\.\./(.*)\)", line).groups()  # type: ignore[union-attr]
            out.append(
                f'#figure(image("../{src}", width: 100%), caption: [{inline(alt, notes)}])\n'
            )
        elif line.startswith("| "):
            rows = []
            while lines[i].startswith("|"):
                rows.append([c.strip() for c in lines[i].strip("|").split("|")])
                i += 1
            caption = ""
            while i < len(lines) and not lines[i].startswith("Table: "):
                i += 1
            caption = lines[i][len("Table: ") :]
            header = ", ".join(f"[*{inline(c, notes)}*]" for c in rows[0])
            cells = ", ".join(f"[{inline(c, notes)}]" for row in rows[2:] for c in row)
            out.append(
                "#figure(table(columns: 4, align: (right, left, left, right), "
                f"table.header({header}), {cells}), "
                f"caption: [{inline(caption, notes)}], kind: table)\n"
            )
        elif line.startswith("```"):
            code = []
            i += 1
            while not lines[i].startswith("```"):
                code.append(lines[i])
                i += 1
            out.append("#raw(block: true, " + _string("\n".join(code)) + ")\n")
        elif re.match(r"\d+\. ", line):
            out.append("+ " + inline(line.split(". ", 1)[1], notes))
        elif line.strip():
            out.append(inline(line, notes) + "\n")
        else:
            out.append("")
        i += 1
    return "\n".join(out) + "\n"


def typst_source(course: Path) -> str:
    """The whole course (modules in course.toml's order) as one Typst document."""
    config = tomllib.loads((course / "course.toml").read_text("utf-8"))
    parts = [PREAMBLE.format(title=escape(config["title"]), lang=config["language"])]
    for module in config["modules"]:
        parts.append(f"= {escape(module['title'])}\n")
        for path in module["lessons"]:
            parts.append(lesson_typst((course / path).read_text("utf-8")))
    return "\n".join(parts)


def write_document(course: Path) -> Path:
    """``course/.typst/course.typ``: inside the course folder, which is Typst's root (the
    images are there), in a hidden folder, which casekit does not count as a source."""
    target = course / ".typst" / "course.typ"
    target.parent.mkdir(exist_ok=True)
    target.write_text(typst_source(course), "utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("course", type=Path)
    print(write_document(parser.parse_args().course))


if __name__ == "__main__":
    main()
