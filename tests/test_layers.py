"""The layers of the pipeline, as the import-linter contracts in pyproject.toml state them."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter with the project's contracts on the ``casekit`` in ``package_parent``."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [sys.executable, "-c", LINT, str(ROOT / "pyproject.toml"), "--no-cache", "--no-logo"],
        cwd=package_parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_import_runs_downward_and_no_loop() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_an_upward_import_or_a_loop_breaks_the_contract(tmp_path: Path) -> None:
    """The contracts are not vacuous: an import from a lower layer to a higher one, and
    a loop between two modules of one layer, are each reported by name."""
    shutil.copytree(ROOT / "casekit", tmp_path / "casekit")
    tree = tmp_path / "casekit" / "tree.py"
    tree.write_text(tree.read_text() + "\nfrom casekit.render import html  # noqa\n")
    divs = tmp_path / "casekit" / "parse" / "divs.py"
    divs.write_text(divs.read_text() + "\nfrom casekit.parse import lesson  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "casekit.tree is not allowed to import casekit.render" in result.stdout
    assert "- casekit.tree -> casekit.render.html" in result.stdout
    assert "No cycles are allowed in casekit.parse." in result.stdout


def test_no_test_module_imports_another() -> None:
    """Shared test pieces live in helper modules (``tests/*_helpers.py``, ``conftest``,
    ``hostile_inputs``...): importing a test module would run its module-level fixtures
    and tests twice and tie unrelated tests together."""
    found = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            found += [
                f"{path.name}: {n}" for n in names if n.rpartition(".")[2].startswith("test_")
            ]
    assert not found, found


@pytest.mark.slow
def test_a_builtin_format_is_one_module_and_one_registry_line() -> None:
    """Adding a format inside casekit is one module (or package) and its line in
    ``BUILTIN``: no other module imports it (so no format imports another's internals),
    and its reference is written once.
    Only documents that are not build outputs draw with the PDF and DOCX formats' pieces:
    personal packets (``casekit.learners``), the approval sheet (``casekit.trust``) and
    the paper reports (``casekit.paper``)."""
    from casekit.formats import BUILTIN

    modules = [ref.partition(":")[0] for ref in BUILTIN]
    sources = {path: path.read_text("utf-8") for path in sorted((ROOT / "casekit").rglob("*.py"))}
    outside = []
    for module in modules:
        reference = next(ref for ref in BUILTIN if ref.startswith(module + ":"))
        assert sum(text.count(f'"{reference}"') for text in sources.values()) == 1, reference
        own = ROOT / module.replace(".", "/")
        for path, text in sources.items():
            inside = path.is_relative_to(own) or path == own.with_suffix(".py")
            documents = [ROOT / "casekit" / name for name in ("learners", "trust", "paper")]
            if inside or any(path.is_relative_to(folder) for folder in documents):
                continue
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                else:
                    continue
                if any(n == module or n.startswith(module + ".") for n in names):
                    outside.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not outside, outside


def test_every_diagnostic_is_made_by_the_one_constructor() -> None:
    """``diagnostics.diagnostic(where, message, code, ...)`` makes every diagnostic (through
    ``error`` and ``Diagnostics.error``/``.warning``); nothing else builds a
    ``Diagnostic`` by hand, in its own argument order."""
    found = []
    for path in sorted((ROOT / "casekit").rglob("*.py")):
        if path == ROOT / "casekit" / "diagnostics.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("Diagnostic"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "add"
                and (ast.unparse(node.value).endswith(("diags", "diagnostics")))
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found
