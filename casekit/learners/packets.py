"""Personal packets for a group: for each learner a PDF of cover, study plan,
the course body (learner edition, large print where the learner needs it) and
answer sheets with the learner's code and a QR code naming the sheet; an issue
list for staff; the issue recorded in the register.

Nothing is laid out per learner. The course body is rendered once per print
profile and copied into every packet as bytes (``pdf_assembly``); the plan and
answer-sheet pages once per plan and profile; the covers of the whole group in
one document whose fonts every packet shares (each packet takes only its own
cover page). Per learner there remain a few hundred bytes per answer sheet
(code, sheet id, QR code) and the page tree. Each packet is written and dropped
before the next, so memory does not grow with the group.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
)

from casekit import tree as t
from casekit.diagnostics import error
from casekit.files.atomic import atomic_dir
from casekit.formats import BuildContext
from casekit.formats.options import resolve_options
from casekit.formats.pdf import PdfOptions
from casekit.formats.pdf.document import PageSetup
from casekit.formats.pdf.fonts import load_fonts
from casekit.formats.pdf.render import render_pdf
from casekit.formats.pdf.styles import make_styles
from casekit.learners.issue_list import render_issue_list
from casekit.learners.packet_formats import PersonalPages, packet_formats
from casekit.learners.packet_options import PacketOptions
from casekit.learners.pdf_assembly import (
    Body,
    Chunks,
    Numbering,
    content_stream,
    packet_bytes,
    ref,
    serialise,
)
from casekit.learners.personal_pages import (
    OVERLAY_FONT,
    CoverEntry,
    Look,
    SheetTarget,
    overlay,
    render_covers,
    render_shared,
    sheet_targets,
)
from casekit.learners.records import (
    CourseVersion,
    Enrolment,
    IssuedItem,
    Learner,
    Sheet,
    SheetPlan,
)
from casekit.learners.register import Register
from casekit.learners.schedule import StudyPlan, lesson_loads, plan
from casekit.messages import course_messages
from casekit.render.common import short_answer
from casekit.resolve.editions import apply_edition
from casekit.sheets.grading import course_keys
from casekit.sheets.layout import SheetPage, module_quizzes, question_key
from casekit.sheets.payload import register_payload

Progress = Callable[[str], None]


def _short_id(prefix: str, *parts: str, length: int) -> str:
    """A deterministic id of base32 letters and digits (QR alphanumeric mode)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return prefix + base64.b32encode(digest).decode()[: length - len(prefix)]


def packet_id(course_id: str, version: str, learner: str) -> str:
    """``P`` + 9 characters: the same learner and course version, the same packet id."""
    return _short_id("P", "packet", course_id, version, learner, length=10)


def sheet_id(course_id: str, version: str, learner: Learner, target: SheetTarget) -> str:
    """12 characters, what the sheet's QR code carries (``<id>/<page>`` on later pages).
    The facility is part of it: two facilities may both have a learner KZ-001, and a
    sheet of one must be refused by the other's register, not recorded for its KZ-001."""
    parts = ("sheet", course_id, version, learner.facility, learner.code, target.kind, target.item)
    return _short_id("", *parts, length=12)


@dataclass
class PacketsResult:
    folder: Path
    packets: list[Path] = field(default_factory=list)
    issue_list: Path | None = None
    skipped: list[str] = field(default_factory=list)  # learners of the group not enrolled


@dataclass
class _SharedPart:
    """Plan and sheet pages of one plan and profile, numbered after the body."""

    objects: Chunks
    root_id: int  # the packet's new page tree; per-packet objects are numbered after it
    plan_ids: list[int]
    #: per sheet page: its page dictionary (no /Parent), the sheet's index, its layout
    sheet_pages: list[tuple[DictionaryObject, int, SheetPage]]


@dataclass
class _CoverPage:
    page_id: int
    page: DictionaryObject  # written per packet: its /Parent is the packet's page tree
    contents: Chunks  # its content stream: the only other object that is this learner's


@dataclass
class _Covers:
    """The group's covers of one profile: what they share (fonts), and each learner's page."""

    shared: Chunks
    pages: dict[str, _CoverPage]


@dataclass
class _Edition:
    """One print profile: its body, look, the group's covers and each plan's pages."""

    body: Body
    look: Look
    numbering: Numbering
    covers: _Covers | None = None
    shared: dict[tuple, _SharedPart] = field(default_factory=dict)


@dataclass(frozen=True)
class _Entry:
    learner: Learner
    plan: StudyPlan
    packet_id: str
    sheet_ids: list[str]


def build_packets(
    course: t.Course,
    register: Register,
    group: str,
    options: PacketOptions,
    progress: Progress = lambda _m: None,
) -> PacketsResult:
    config = course.config
    register.require_group(group)
    people = register.learners(group, active_only=True)
    enrolled = {e.learner: e for e in register.enrolments(course_id=config.id, group=group)}
    learners = [p for p in people if p.code in enrolled]
    if not learners:
        raise register.fail(
            f"no active learner of group {group!r} is enrolled in {config.id}: "
            "run casekit enrol first",
            "not-enrolled",
        )
    for learner in learners:
        enrolment = enrolled[learner.code]
        if enrolment.course_version != config.version:
            raise error(
                os.path.join(course.root, "course.toml"),
                f"group {group!r} is enrolled in {config.id} version "
                f"{enrolment.course_version}, this course folder is version {config.version}: "
                "build the packets from the version the group is enrolled in",
                "version-mismatch",
            )
    also = packet_formats()
    folder = options.out_root / f"{config.id}-{config.version}" / group
    result = PacketsResult(folder, skipped=[p.code for p in people if p.code not in enrolled])
    learner_course = apply_edition(course, "learner")
    targets = sheet_targets(learner_course, course_messages(config), config.print.paper)
    plans: dict[tuple, StudyPlan] = {}
    entries: dict[bool, list[_Entry]] = {}
    for learner in learners:
        enrolment = enrolled[learner.code]
        key = _plan_key(enrolment)
        if key not in plans:
            plans[key] = plan(learner_course, enrolment)
        ids = [sheet_id(config.id, config.version, learner, x) for x in targets]
        entry = _Entry(learner, plans[key], packet_id(config.id, config.version, learner.code), ids)
        entries.setdefault(learner.large_print, []).append(entry)
    issued: list[IssuedItem] = []
    sheets: list[Sheet] = []
    rows: dict[str, tuple[Learner, str, int]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="casekit-body-") as scratch,
        atomic_dir(folder, 0o700) as out,
    ):
        look = None
        for large, group_entries in sorted(entries.items()):
            progress(f"rendering the course body{' in large print' if large else ''}")
            edition = _edition(learner_course, Path(scratch), large)
            look = look or edition.look
            edition.covers = _covers(edition, group_entries, options.names)
            bodies = {
                name: also[name].render_body(
                    learner_course, Path(scratch) / f"{name}-{int(large)}", large
                )
                for name in options.also
            }
            for entry in group_entries:
                shared = _shared_for(edition, entry.plan, group, targets)
                data, count = _packet(edition, shared, entry)
                _write_private(out / f"{entry.learner.code}.pdf", data)
                result.packets.append(folder / f"{entry.learner.code}.pdf")
                pages = PersonalPages(
                    edition.look.words,
                    entry.learner,
                    entry.packet_id,
                    entry.plan,
                    group,
                    targets,
                    entry.sheet_ids,
                    options.names,
                )
                for name, body in bodies.items():
                    file = f"{entry.learner.code}.{name}"
                    _write_private(out / file, also[name].render_packet(body, pages))
                    result.packets.append(folder / file)
                issued.append(
                    IssuedItem(
                        item_id=entry.packet_id,
                        kind="packet",
                        learner=entry.learner.code,
                        course_id=config.id,
                        course_version=config.version,
                        issued_on=options.issued_on,
                        issued_by=options.issued_by,
                        sha256=hashlib.sha256(data).hexdigest(),
                    )
                )
                sheets.extend(
                    Sheet(
                        sid,
                        entry.learner.code,
                        config.id,
                        config.version,
                        x.kind,
                        x.item,
                        entry.packet_id,
                        x.layout_json(),
                        x.title,
                    )
                    for sid, x in zip(entry.sheet_ids, targets, strict=True)
                )
                rows[entry.learner.code] = (entry.learner, entry.packet_id, count)
                progress(f"{entry.learner.code}: {count} pages")
        assert look is not None
        listed = [rows[code] for code in sorted(rows)]
        _write_private(out / "issue-list.pdf", render_issue_list(look, group, listed, options))
        result.issue_list = folder / "issue-list.pdf"
        recorded = _course_version(course, learner_course, targets)
        register.record_issue(issued, sheets, course_keys(course), recorded)
    result.packets.sort()
    return result


def _course_version(
    course: t.Course, learner_course: t.Course, targets: list[SheetTarget]
) -> CourseVersion:
    """What the paper loop needs of the course (full edition) to present its sheets
    later: title, language, labels, and each self-check question's text and the
    accepted answer of a short question; for ``casekit report``, its date, its sheets
    (``targets``) and the lessons' loads of the learner edition the plans follow."""
    config = course.config
    questions = {
        question_key(quiz, q): (t.blocks_text(q.prompt), "" if q.options else short_answer(q))
        for module in course.modules
        for quiz in module_quizzes(module)
        for q in quiz.questions
    }
    return CourseVersion(
        config.id,
        config.version,
        config.title,
        config.language,
        dict(config.labels),
        questions,
        config.date,
        tuple(SheetPlan(x.kind, x.item, x.title, x.lesson_ids) for x in targets),
        tuple(lesson_loads(learner_course)),
    )


def _write_private(path: Path, data: bytes) -> None:
    """A new owner-only file (inside the folder ``atomic_dir`` is building)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _plan_key(enrolment: Enrolment) -> tuple:
    e = enrolment
    return (e.start, e.hours_per_week, e.study_days, e.consultations, e.holidays)


def _edition(course: t.Course, scratch: Path, large_print: bool) -> _Edition:
    """The learner body of one print profile, rendered by the pdf format."""
    options = _pdf_options(course, large_print)
    ctx = BuildContext(out_dir=scratch / ("large" if large_print else "standard"), options=options)
    (output,) = render_pdf(course, ctx)
    body = Body.parse(output.file_bytes())
    return _Edition(body, print_look(course, large_print), Numbering(body.size))


def _pdf_options(course: t.Course, large_print: bool) -> PdfOptions:
    given = {"large_print": large_print, "booklet": False, "answer_sheets": False}
    return resolve_options("pdf", PdfOptions, course.config, given)  # type: ignore[return-value]


def print_look(course: t.Course, large_print: bool = False) -> Look:
    """Fonts, page, styles and words of the course's personal documents."""
    options = _pdf_options(course, large_print)
    fonts = load_fonts(course)
    return Look(
        course,
        PageSetup.from_options(options),
        fonts,
        make_styles(fonts, large_print),
        course_messages(course.config),
    )


def _covers(edition: _Edition, entries: list[_Entry], names: bool) -> _Covers:
    """The covers of ``entries`` rendered as one document and numbered once; a packet
    holds the shared objects and its own page, never another learner's."""
    pdf = render_covers(
        edition.look, [CoverEntry(e.learner, e.packet_id, e.plan) for e in entries], names
    )
    reader = PdfReader(io.BytesIO(pdf))
    page_refs = list(reader.trailer["/Root"]["/Pages"].raw_get("/Kids"))
    mapping, objects = edition.numbering.copy_all(reader, page_refs)
    by_number = dict(objects)
    pages: dict[str, _CoverPage] = {}
    for entry, page_ref in zip(entries, page_refs, strict=True):
        page_id = mapping[page_ref.idnum]
        page = by_number[page_id]
        contents_id = page.raw_get("/Contents").idnum
        contents = [(contents_id, serialise(contents_id, by_number[contents_id]))]
        pages[entry.learner.code] = _CoverPage(page_id, page, contents)
    own = {n for p in pages.values() for n in (p.page_id, p.contents[0][0])}
    shared = [(n, serialise(n, obj)) for n, obj in objects if n not in own]
    return _Covers(shared, pages)


def _shared_for(
    edition: _Edition, study_plan: StudyPlan, group: str, targets: list[SheetTarget]
) -> _SharedPart:
    """The plan and sheet pages of this plan, numbered and serialised once."""
    key = _plan_key(study_plan.enrolment)
    if key in edition.shared:
        return edition.shared[key]
    pages = render_shared(edition.look, study_plan, group, targets)
    reader = PdfReader(io.BytesIO(pages.pdf))
    page_refs = list(reader.trailer["/Root"]["/Pages"].raw_get("/Kids"))
    numbering = edition.numbering
    font_id = numbering.take()
    plan_refs = page_refs[: pages.plan_pages]
    sheet_dicts = [reader.get_object(r) for r in page_refs[pages.plan_pages :]]
    roots: list[PdfObject] = [*plan_refs]
    for page in sheet_dicts:
        roots += [page.raw_get("/Contents"), page.raw_get("/Resources")]
    mapping, objects = numbering.copy_all(reader, roots)
    by_number = dict(objects)
    root_id = numbering.take()

    def renumbered(value: PdfObject) -> PdfObject:
        """A sheet page's own entry (not visited in place when it is a reference)."""
        return ref(mapping[value.idnum]) if isinstance(value, IndirectObject) else value

    def resolved(value: PdfObject) -> PdfObject:
        return by_number[value.idnum] if isinstance(value, IndirectObject) else value

    sheet_pages = []
    for page, (sheet_index, layout) in zip(sheet_dicts, pages.sheet_pages, strict=True):
        resources = DictionaryObject(resolved(renumbered(page.raw_get("/Resources"))))
        fonts = resources.raw_get("/Font") if "/Font" in resources else DictionaryObject()
        font_dict = DictionaryObject(resolved(fonts))
        font_dict[NameObject(OVERLAY_FONT)] = ref(font_id)
        resources[NameObject("/Font")] = font_dict
        template = DictionaryObject(
            {k: page.raw_get(k) for k in page if k not in ("/Parent", "/Resources")}
        )
        template[NameObject("/Contents")] = renumbered(page.raw_get("/Contents"))
        template[NameObject("/Resources")] = resources
        sheet_pages.append((template, sheet_index, layout))
    helvetica = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    shared: Chunks = [(font_id, serialise(font_id, helvetica))]
    plan_ids = [mapping[r.idnum] for r in plan_refs]
    for number, obj in objects:
        if number in plan_ids:
            obj[NameObject("/Parent")] = ref(root_id)
        shared.append((number, serialise(number, obj)))
    part = _SharedPart(shared, root_id, plan_ids, sheet_pages)
    edition.shared[key] = part
    return part


def _packet(edition: _Edition, shared: _SharedPart, entry: _Entry) -> tuple[bytes, int]:
    """The packet's bytes and its page count."""
    assert edition.covers is not None
    root_id = shared.root_id
    numbering = Numbering(max(root_id, edition.numbering.next) + 1)
    cover = edition.covers.pages[entry.learner.code]
    page = DictionaryObject(cover.page)
    page[NameObject("/Parent")] = ref(root_id)
    own: list[tuple[int, PdfObject]] = [(cover.page_id, page)]
    back: list[int] = []
    look = edition.look
    for template, sheet_index, layout in shared.sheet_pages:
        stream_id = numbering.take()
        payload = register_payload(entry.sheet_ids[sheet_index], layout.page)
        mark = overlay(layout, look.fonts, look.msg, entry.learner.code, payload)
        own.append((stream_id, content_stream(mark)))
        page = DictionaryObject(template)
        contents = page.raw_get("/Contents")
        listed = list(contents) if isinstance(contents, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([*listed, ref(stream_id)])
        page[NameObject("/Parent")] = ref(root_id)
        page_id = numbering.take()
        own.append((page_id, page))
        back.append(page_id)
    front = [cover.page_id, *shared.plan_ids]
    counts = (len(front), len(back))
    chunks = [*edition.covers.shared, *cover.contents, *shared.objects]
    data = packet_bytes(edition.body, chunks, root_id, front, back, own, counts)
    return data, edition.body.page_count + sum(counts)
