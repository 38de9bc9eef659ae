"""casekit approval-sheet: one page for the facility's file (text by pypdf, the QR code
decoded by zxing-cpp from a pypdfium2 rendering, structure by qpdf) and the paper
packets stamped with the same content fingerprint."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from casekit.messages import messages
from casekit.trust import short_fingerprint
from casekit.trust.approve import approve
from casekit.trust.keys import find_private_key, load_key_pair, new_key
from tests.conftest import casekit, require_tool
from tests.usb_helpers import fresh_bundle

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

MSG = messages("kk")


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """An unapproved bundle, an approved copy, and a trust folder with one of the keys."""
    tmp = tmp_path_factory.mktemp("sheet")
    bundle = fresh_bundle(tmp)
    approved = tmp / "approved" / bundle.name
    shutil.copytree(bundle, approved)
    keys, trust = tmp / "keys", tmp / "trust"
    trust.mkdir()
    for name, reviewer, role in (
        ("meth", "Айгерим Садыкова", "әдіскер"),
        ("sec", "Сергей Иванов", "security review"),
    ):
        new_key(keys, name, reviewer, None)
        approve(approved, load_key_pair(find_private_key(name, keys), bytes), role)
    shutil.copy(keys / "meth.pub", trust)
    return bundle, approved, trust


def text_of(pdf: Path, page: int = 0) -> str:
    return " ".join(PdfReader(pdf).pages[page].extract_text().split())


def qr_codes(pdf: Path) -> set[str]:
    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=200 / 72).to_pil()
    return {result.text for result in zxingcpp.read_barcodes(image)}


def test_the_sheet_of_an_approved_bundle(setup, tmp_path: Path) -> None:
    _, approved, trust = setup
    sheet = tmp_path / "sheet.pdf"
    done = casekit("approval-sheet", approved, "--trust", trust, "-o", sheet)
    assert done.returncode == 0, done.stderr
    content = hashlib.sha256((approved / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
    assert len(PdfReader(sheet).pages) == 1
    text = text_of(sheet)
    for expected in (
        MSG("sheet_title"),
        "Сандық сауаттылық негіздері",
        "1.0.0",
        short_fingerprint(content),
        content,
        "Айгерим Садыкова",
        "әдіскер",
        "Сергей Иванов",
        MSG("sheet_trusted"),  # meth's key is in the trust folder
        MSG("sheet_untrusted"),  # sec's is not
    ):
        assert expected in text, expected
    for key in (approved / "approvals").iterdir():
        assert key.stem.split("-", 1)[1] in text  # each key fingerprint
    assert qr_codes(sheet) == {content}
    qpdf = require_tool("qpdf")
    assert subprocess.run([qpdf, "--check", str(sheet)], capture_output=True).returncode == 0


def test_the_sheet_of_an_unapproved_bundle_and_a_damaged_one(setup, tmp_path: Path) -> None:
    bundle, _, _ = setup
    sheet = tmp_path / "sheet.pdf"
    assert casekit("approval-sheet", bundle, "-o", sheet).returncode == 0
    assert MSG("sheet_none") in text_of(sheet)
    damaged = tmp_path / bundle.name
    shutil.copytree(bundle, damaged)
    (damaged / "README.txt").write_bytes(b"changed")
    done = casekit("approval-sheet", damaged, "-o", tmp_path / "other.pdf")
    assert done.returncode == 1 and "[bundle-damaged]" in done.stderr
    assert not (tmp_path / "other.pdf").exists()


def test_paper_packets_carry_the_content_fingerprint_on_the_cover(setup, tmp_path: Path) -> None:
    _, approved, _ = setup
    out = tmp_path / "print"
    done = casekit("approval-sheet", approved, "-o", tmp_path / "s.pdf", "--packets", out)
    assert done.returncode == 0, done.stderr
    content = hashlib.sha256((approved / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
    originals = sorted((approved / "data" / "editions").glob("*.pdf"))
    assert [p.name for p in sorted(out.iterdir())] == [p.name for p in originals]
    for original in originals:
        stamped = out / original.name
        words = MSG("packet_fingerprint", fingerprint=short_fingerprint(content))
        assert words in text_of(stamped) and words not in text_of(original)
        assert len(PdfReader(stamped).pages) == len(PdfReader(original).pages)
        assert text_of(stamped, 1) == text_of(original, 1)  # only the cover changes
