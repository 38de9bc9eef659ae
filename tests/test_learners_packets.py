"""Personal packets on SQLite and PostgreSQL: every answer sheet's QR code decoded
from the rendered page (pypdfium2 + zxing-cpp) and looked up in the register to the
right learner and assignment; the plan's dates; privacy; the issue list; refusals."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader

from casekit.build.course import load_course
from casekit.diagnostics import Diagnostics
from casekit.learners import schedule
from casekit.learners.personal_pages import sheet_targets
from casekit.learners.register import open_register
from casekit.messages import messages
from casekit.resolve.editions import apply_edition
from casekit.sheets.layout import SheetPage
from casekit.sheets.payload import parse_payload
from tests.conftest import require_tool
from tests.learners_helpers import casekit, dump, write_roster

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

COURSE = Path(__file__).resolve().parent.parent / "courses" / "digital-literacy-kk"
ENROL = ["--group", "G1", "--start", "2027-01-11", "--hours-per-week", "6"]
PLAN = ["--consultations", "Tue 10:00", "--holidays", "2027-01-19"]


def issue_g1(tmp: Path, register_location: str) -> dict:
    """Group G1 (KZ-002 needs large print) enrolled in the Kazakh course, packets made."""
    roster = write_roster(tmp / "roster.csv")
    assert casekit("learners", "import", str(roster), register=register_location).returncode == 0
    result = casekit("enrol", str(COURSE), *ENROL, *PLAN, register=register_location)
    assert result.returncode == 0, result.stderr
    out = tmp / "packets"
    made = casekit(
        "packets",
        str(COURSE),
        "--group",
        "G1",
        "-o",
        str(out),
        "--date",
        "2027-01-08",
        "--issued-by",
        "Сейітқызы А.",
        register=register_location,
    )
    assert made.returncode == 0, made.stderr
    folder = out / "digital-literacy-kk-1.0.0" / "G1"
    assert made.stdout.splitlines() == [
        f"3 packet(s) for G1 in {folder}",
        f"issue list: {folder / 'issue-list.pdf'}",
    ]
    return {"register": register_location, "folder": folder, "out": out}


@pytest.fixture(scope="module")
def issued_in_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """G1 issued once per module into an SQLite register: the folder of it all."""
    tmp = tmp_path_factory.mktemp("issued")
    issue_g1(tmp, str(tmp / "register.sqlite"))
    return tmp


@pytest.fixture
def issued(tmp_path: Path, register_location: str, request: pytest.FixtureRequest) -> dict:
    """G1 issued into the test's own register. A new SQLite register is a copy of the
    module's one issue (the register keeps no path of the folder it was made in)."""
    if not register_location.endswith(".sqlite"):
        return issue_g1(tmp_path, register_location)
    template = request.getfixturevalue("issued_in_sqlite")
    shutil.copy2(template / "roster.csv", tmp_path / "roster.csv")
    shutil.copy2(template / "register.sqlite", register_location)  # owner-only, kept
    shutil.copytree(template / "packets", tmp_path / "packets")
    folder = tmp_path / "packets" / "digital-literacy-kk-1.0.0" / "G1"
    return {"register": register_location, "folder": folder, "out": tmp_path / "packets"}


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def decoded_sheets(path: Path, first: int) -> list[tuple[int, str, dict]]:
    """Every QR code on the pages from ``first`` on, as a phone photo at 150 dpi would see it."""
    found = []
    document = pdfium.PdfDocument(path)
    try:
        for index in range(first, len(document)):
            image = document[index].render(scale=150 / 72).to_pil()
            for result in zxingcpp.read_barcodes(image):
                found.append((index, result.text, result.extra))
    finally:
        document.close()
    return found


def course_tree():
    diags = Diagnostics()
    course = load_course(COURSE, diags)
    return apply_edition(course, "learner")


def test_every_sheet_decodes_to_its_learner_and_assignment(issued: dict) -> None:
    folder, register_location = issued["folder"], issued["register"]
    targets = sheet_targets(course_tree(), messages("kk"), "A4")
    # each module's assignments, then its self-check sheet, as casekit.sheets lays them out
    assert [(x.kind, x.item) for x in targets] == [
        ("assignment", "02-files--task-folders"),
        ("quiz", "module-1"),
        ("assignment", "04-fraud--task-messages"),
        ("assignment", "05-egov--task-form"),
        ("quiz", "module-2"),
    ]
    sheet_pages = [(target, page) for target in targets for page in target.pages]
    seen: set[str] = set()
    with open_register(register_location) as register:
        for code in ("KZ-001", "KZ-002", "KZ-003"):
            path = folder / f"{code}.pdf"
            pages = len(PdfReader(path).pages)
            first_sheet = pages - len(sheet_pages)
            found = decoded_sheets(path, first_sheet)
            # one QR code per sheet page, on the page, in course order
            assert [index for index, _text, _extra in found] == list(range(first_sheet, pages))
            for (index, text, extra), (target, page) in zip(found, sheet_pages, strict=True):
                assert len(text) <= 24 and int(extra["Version"]) <= 2, (text, extra)
                ref = parse_payload(text)
                assert ref is not None and ref.personal and ref.page == page.page
                sheet = register.sheet(ref.sheet_id)
                assert sheet is not None, text
                assert (sheet.learner, sheet.course_id, sheet.course_version) == (
                    code,
                    "digital-literacy-kk",
                    "1.0.0",
                )
                assert (sheet.kind, sheet.target) == (target.kind, target.item)
                printed = [SheetPage.from_json(json.dumps(p)) for p in json.loads(sheet.layout)]
                assert printed == list(target.pages)  # the scanner reads this geometry
                page_text = PdfReader(path).pages[index].extract_text()
                assert f"{code}" in page_text
                seen.add(ref.sheet_id)
        assert len(seen) == 3 * len(targets)  # every sheet of every learner its own id
        packets = {item.learner: item for item in register.issued(kind="packet")}
    assert sorted(packets) == ["KZ-001", "KZ-002", "KZ-003"]
    for code, item in packets.items():
        data = (folder / f"{code}.pdf").read_bytes()
        assert item.sha256 == hashlib.sha256(data).hexdigest()
        assert (item.issued_on.isoformat(), item.issued_by) == ("2027-01-08", "Сейітқызы А.")


def test_the_body_carries_no_blank_sheets(issued: dict) -> None:
    """The course's own blank sheets (course payloads) are left out of a personal packet."""
    found = decoded_sheets(issued["folder"] / "KZ-003.pdf", 0)
    refs = [parse_payload(text) for _index, text, _extra in found]
    sheets = [ref for ref in refs if ref is not None]
    assert sheets and all(ref.personal for ref in sheets)


def test_a_second_decoder_reads_the_sheets(issued: dict) -> None:
    """OpenCV's QR detector, independent of the encoder, reads the same ids."""
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    path = issued["folder"] / "KZ-003.pdf"
    document = pdfium.PdfDocument(path)
    last = document[len(document) - 1].render(scale=150 / 72).to_pil().convert("L")
    document.close()
    text, _points, _straight = cv2.QRCodeDetector().detectAndDecode(np.array(last))
    with open_register(issued["register"]) as register:
        assert register.sheet(text).learner == "KZ-003"


def test_pages_plan_dates_and_privacy(issued: dict) -> None:
    folder = issued["folder"]
    course = course_tree()
    with open_register(issued["register"]) as register:
        (enrolment,) = register.enrolments(learner="KZ-001")
    plan = schedule.plan(course, enrolment)
    texts = page_texts(folder / "KZ-001.pdf")
    cover, plan_page = texts[0], texts[1]
    assert "Жеке пакет" in cover and "KZ-001" in cover and "Топ: G1" in cover
    assert "Жеке оқу жоспары мен кестесі" in plan_page
    flat = " ".join(plan_page.split())
    for planned in plan.lessons:
        assert planned.start.strftime("%d.%m.%Y") in flat
        if planned.deadline:
            assert planned.deadline.strftime("%d.%m.%Y") in flat
    # 19 January is a holiday: no consultation then, the next Tuesday instead
    assert "12.01.2027 10:00, 26.01.2027 10:00" in flat
    assert "Кредиттер: 0,5" in flat
    everything = "\n".join(texts)
    for other in ("KZ-002", "KZ-003", "Әбілқасымов", "Иванова", "Nurlanov"):
        assert other not in everything, other
    assert stat.S_IMODE((folder / "KZ-001.pdf").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # the large-print learner's body is the large-print edition: more pages
    assert len(PdfReader(folder / "KZ-002.pdf").pages) > len(texts)


def test_packets_are_valid_pdf_and_deterministic(issued: dict) -> None:
    qpdf = require_tool("qpdf")
    folder = issued["folder"]
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for name in before:
        check = subprocess.run(
            [qpdf, "--check", str(folder / name)], capture_output=True, text=True
        )
        assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, (
            name,
            check.stdout[-500:],
            check.stderr[-500:],
        )
    rows_before = dump(issued["register"])
    again = casekit(
        "packets",
        str(COURSE),
        "--group",
        "G1",
        "-o",
        str(issued["out"]),
        "--date",
        "2027-01-08",
        "--issued-by",
        "Сейітқызы А.",
        register=issued["register"],
    )
    assert again.returncode == 0, again.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert dump(issued["register"]) == rows_before  # re-issuing records nothing twice


def test_issue_list_and_names_only_when_asked(issued: dict, tmp_path: Path) -> None:
    folder = issued["folder"]
    listed = " ".join(" ".join(page_texts(folder / "issue-list.pdf")).split())
    with open_register(issued["register"]) as register:
        packets = register.issued(kind="packet")
    for item in packets:
        assert f"{item.learner} {item.item_id}" in listed
    assert "Беру тізімдемесі" in listed and "Алдым (қолы)" in listed and "08.01.2027" in listed
    assert "Әбілқасымов" not in listed
    named = casekit(
        "packets",
        str(COURSE),
        "--group",
        "G1",
        "-o",
        str(tmp_path / "named"),
        "--names",
        register=issued["register"],
    )
    assert named.returncode == 0, named.stderr
    named_folder = tmp_path / "named" / "digital-literacy-kk-1.0.0" / "G1"
    named_list = " ".join(" ".join(page_texts(named_folder / "issue-list.pdf")).split())
    assert "Әбілқасымов Ерлан Серікұлы" in named_list
    cover = page_texts(named_folder / "KZ-001.pdf")[0]
    assert "Әбілқасымов Ерлан Серікұлы" in cover and "Иванова" not in cover


def test_refusals_leave_packets_and_register_intact(issued: dict, tmp_path: Path) -> None:
    folder, register_location = issued["folder"], issued["register"]
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    rows = dump(register_location)
    newer = tmp_path / "course-1.1"
    shutil.copytree(COURSE, newer)
    toml = newer / "course.toml"
    toml.write_text(
        toml.read_text("utf-8").replace('version = "1.0.0"', 'version = "1.1.0"'), "utf-8"
    )
    cases = [
        (
            [str(newer), "--group", "G1"],
            "group 'G1' is enrolled in digital-literacy-kk version 1.0.0, this course folder is version 1.1.0",
        ),
        ([str(COURSE), "--group", "G9"], "unknown group 'G9' (groups: G1, G2)"),
        (
            [str(COURSE), "--group", "G2"],
            "no active learner of group 'G2' is enrolled in digital-literacy-kk",
        ),
        ([str(COURSE), "--group", "G1", "--date", "2027-02-30"], "not a date of the calendar"),
    ]
    for args, message in cases:
        result = casekit("packets", *args, "-o", str(issued["out"]), register=register_location)
        assert result.returncode != 0 and message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert dump(register_location) == rows
    assert not any(name.startswith(".casekit-tmp") for name in os.listdir(folder.parent))


def test_docx_packets_on_request(tmp_path: Path) -> None:
    """--docx: a DOCX beside each PDF with the same cover, plan and sheet QR codes;
    LibreOffice opens it."""
    import zipfile

    import docx
    from PIL import Image

    location = str(tmp_path / "register.sqlite")
    assert (
        casekit(
            "learners", "import", str(write_roster(tmp_path / "r.csv")), register=location
        ).returncode
        == 0
    )
    assert casekit("enrol", str(COURSE), *ENROL, *PLAN, register=location).returncode == 0
    made = casekit(
        "packets",
        str(COURSE),
        "--group",
        "G1",
        "-o",
        str(tmp_path / "out"),
        "--docx",
        register=location,
    )
    assert made.returncode == 0, made.stderr
    folder = tmp_path / "out" / "digital-literacy-kk-1.0.0" / "G1"
    path = folder / "KZ-003.docx"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert texts[:3] == [
        "Сандық сауаттылық негіздері",
        "Жеке пакет",
        "Білім алушының нөмірі: KZ-003",
    ]
    assert "Nurlanov" not in "\n".join(texts)
    plan_rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert plan_rows[0][0] == "№" and plan_rows[1][:2] == ["1.1", "Компьютер қалай жұмыс істейді"]
    targets = sheet_targets(course_tree(), messages("kk"), "A4")
    decoded = []
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if name.startswith("word/media/") and name.endswith(".png"):
                image = Image.open(io.BytesIO(archive.read(name)))
                decoded += [
                    r.text
                    for r in zxingcpp.read_barcodes(image)
                    if r.format == zxingcpp.BarcodeFormat.QRCode
                ]
    with open_register(location) as register:
        personal = [
            register.sheet(parse_payload(text).sheet_id)
            for text in decoded
            if parse_payload(text) and parse_payload(text).personal
        ]
    assert sorted((s.learner, s.target) for s in personal) == sorted(
        ("KZ-003", x.item) for x in targets
    )
    soffice = require_tool("soffice")
    converted = subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "lo"), str(path)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert converted.returncode == 0, converted.stderr
    pdf_text = " ".join(page_texts(tmp_path / "lo" / "KZ-003.pdf"))
    assert "KZ-003" in pdf_text and "Жеке оқу жоспары мен кестесі" in pdf_text
