"""Regenerate casekit's bundled DOCX reference document from the style table.

Run after changing casekit/formats/docx/styles.py:
    python scripts/make-docx-reference.py
(tests/test_docx.py fails while the bundled file and the style table disagree).
"""

from pathlib import Path

from casekit.formats.docx.reference import REFERENCE, make_reference

target = Path(__file__).resolve().parent.parent / "templates" / REFERENCE
target.write_bytes(make_reference())
print(f"wrote {target}")
