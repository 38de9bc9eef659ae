"""Finding templates: a course's own ``templates`` folder first, then casekit's.

Templates a course brings are untrusted like the rest of its sources: every
name (also names in ``{% include %}``) is resolved inside the course folder or
inside casekit's templates, Jinja runs sandboxed (see ``render/page.py``),
scripts (``.js``) always come from casekit, and a course's stylesheets may
fetch nothing from outside the bundle.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path

from jinja2 import BaseLoader, Environment, TemplateError, TemplateNotFound

from casekit import tree as t
from casekit.diagnostics import CasekitError, error
from casekit.render.builtin import builtin_templates
from casekit.safety.active_content import REMOTE_CSS
from casekit.safety.paths import MAX_NAMED_FILE_BYTES, PathEscape, resolve_inside
from casekit.safety.sourcetext import MAX_SOURCE_BYTES

#: casekit's own font files (under templates/), by face: DejaVu covers every Kazakh,
#: Russian and Latin letter
BUNDLED_FONTS = {
    "regular": "fonts/DejaVuSans.ttf",
    "bold": "fonts/DejaVuSans-Bold.ttf",
    "italic": "fonts/DejaVuSans-Oblique.ttf",
    "bold_italic": "fonts/DejaVuSans-BoldOblique.ttf",
    "mono": "fonts/DejaVuSansMono.ttf",
    "mono_bold": "fonts/DejaVuSansMono-Bold.ttf",
}


def bundled_font(face: str) -> Path:
    """casekit's own file for ``face`` (``regular``, ``bold``, ... ``mono_bold``)."""
    return builtin_templates() / BUNDLED_FONTS[face]


def template_path(course: t.Course, name: str) -> Path:
    """The file ``name`` (e.g. ``html/style.css``) a course overrides, or casekit's own."""
    folder = course.config.templates
    if folder and not name.endswith(".js"):  # a course never brings code to the viewer
        try:
            real, rel = resolve_inside(Path(course.root), f"{folder}/{name}")
        except PathEscape as exc:
            raise error(
                "course.toml", f"template {folder}/{name} is refused: {exc}", "path-escape"
            ) from None
        if real.is_file():
            _check_size(course, real, name)
            if name.endswith(".css"):
                _check_stylesheet(course, real)
            return real
    try:
        real, _ = resolve_inside(builtin_templates(), name)
    except PathEscape as exc:
        raise error("course.toml", f"template {name} is refused: {exc}", "path-escape") from None
    return real


def _check_size(course: t.Course, path: Path, name: str) -> None:
    """A course's template or stylesheet is a text source (2 MiB at most); its other
    files (a reference document, a viewer font) may be as large as a font."""
    text = name.endswith((".j2", ".css"))
    limit = MAX_SOURCE_BYTES if text else MAX_NAMED_FILE_BYTES
    if path.stat().st_size > limit:
        raise error(
            _shown(course, path),
            f"{'template' if text else 'file'} is larger than {limit // 2**20} MiB",
            "source-too-large" if text else "file-too-large",
        )


def _check_stylesheet(course: t.Course, path: Path) -> None:
    """A course's CSS may not load anything from outside (offline learners, and
    no tracking): no remote ``url()``, ``@import`` or ``image-set()``, and no CSS
    escapes, which could spell those."""
    text = path.read_bytes().decode("utf-8", "replace")
    found = REMOTE_CSS.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise error(
            _shown(course, path),
            f"stylesheet refers outside the course ({found.group(0)!r}); "
            "keep fonts and pictures in the course and write characters, not CSS escapes",
            "template-remote",
            line,
        )


def read_template(course: t.Course, name: str) -> str:
    return _read(course, template_path(course, name))


def _read(course: t.Course, path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(
            _shown(course, path), f"cannot read template: {exc}", "template-error"
        ) from None


class CourseTemplateLoader(BaseLoader):
    """Jinja's view of the templates in ``folder`` (e.g. ``html``), course first."""

    def __init__(self, course: t.Course, folder: str) -> None:
        # the course's settings and folder, not its lessons: a Jinja environment is a
        # reference cycle, freed only by a full collection, which a build defers
        self.course = t.Course(config=course.config, root=course.root, modules=[])
        self.folder = folder

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = template_path(self.course, f"{self.folder}/{template}")
        if not path.is_file():
            raise TemplateNotFound(template)
        return _read(self.course, path), str(path), lambda: True


def template_error(course: t.Course, exc: TemplateError) -> CasekitError:
    """A Jinja error in a template as one diagnostic at the template's line."""
    filename = getattr(exc, "filename", None) or ""
    line = getattr(exc, "lineno", None) or 1
    if not filename:  # a runtime error: Jinja puts the template's frames in the traceback
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
        if frames:
            filename, line = frames[-1].filename, frames[-1].lineno or 1
    shown = _shown(course, Path(filename)) if filename else "templates"
    return error(shown, f"template error: {exc.message or exc}", "template-error", line)


def active_content_error(course: t.Course, name: str, what: str, tag: str) -> CasekitError:
    """The page rendered from template ``name`` carries ``what`` in ``tag`` (see
    ``render/active_content.py``); the line is where the template writes that tag, or
    1 when the template puts it together from pieces."""
    path = template_path(course, name)
    source = path.read_bytes().decode("utf-8", "replace")
    found = source.find(tag)
    line = source.count("\n", 0, found) + 1 if found >= 0 else 1
    return error(
        _shown(course, path),
        f"the page from this template has {what}: course templates may not add scripts, "
        "event handlers, frames or files from outside",
        "template-script",
        line,
    )


def _shown(course: t.Course, path: Path) -> str:
    """``path`` relative to the course folder when it is inside, else as it is."""
    try:
        return str(path.relative_to(course.root))
    except ValueError:
        return str(path)
