"""The format contract, and the registry of formats.

A format is a plugin: one ``Format`` value that says

- its ``name`` (the ``--format`` value, its folder ``build/<course-id>/<name>/`` and its
  ``course.toml`` table ``[<name>]``) and a one-line ``summary``;
- its ``options``: one frozen dataclass of ``option()`` fields (``formats/options.py``),
  the single source of its command-line flags, its ``course.toml`` table and its part
  of the build fingerprint (a job is rebuilt only when an option *it* reads changes);
- for a format that packages others (``usb``), what it ``consumes``: the (format,
  edition) outputs it needs, given its options. The build schedules those jobs first and
  hands their files over in ``BuildContext.inputs``; a format never calls the registry;
- ``render(course, ctx) -> list[Output]``: the files (or folders) it produced. The build
  writes them, atomically, into ``ctx.out_dir``;
- optionally its ``caveats``: settings it accepts but cannot honour for the course's
  language (Braille grade 2 without a contracted table), reported as warnings.

Formats are found in ``BUILTIN`` and in the ``casekit.formats`` entry-point group, whose
entries name a ``Format`` (``toyformat = "toy_module:FORMAT"``). Registration is
declarative: every command reads every format's name and options (for its flags and
``course.toml`` tables), so the module declaring a ``Format`` should be cheap to import.
``render`` and the other functions may be named as ``"module:function"``, imported only
when called: casekit's own formats name their renderers so, and a build with nothing to
do imports none of them (``tests/test_lazy_formats.py``).
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from casekit import tree as t
from casekit.diagnostics import error
from casekit.files.cache import BuildCache
from casekit.formats.options import NoOptions, options_of

if TYPE_CHECKING:  # an annotation only: the registry stays cheap to import (no Jinja)
    from casekit.render.fragments import Fragments

ENTRY_POINT_GROUP = "casekit.formats"
#: casekit's own formats, as "module:attribute" of their ``Format``
BUILTIN = (
    "casekit.formats.html:FORMAT",
    "casekit.formats.pdf:FORMAT",
    "casekit.formats.epub:FORMAT",
    "casekit.formats.docx:FORMAT",
    "casekit.formats.brf:FORMAT",
    "casekit.formats.moodle_questions:FORMAT",
    "casekit.formats.cc:FORMAT",
    "casekit.formats.usb:FORMAT",
    "casekit.formats.scorm12:FORMAT",
)


@dataclass(frozen=True)
class Output:
    """One file or folder a format produced, named relative to the format's folder.

    Exactly one of: ``data`` (the file's bytes), ``write`` (streams a large file into
    the open temporary file), ``fill`` (fills the empty temporary folder). The build
    writes it in place atomically, in the order the outputs are returned, and then
    calls ``written`` with its final path."""

    name: str
    data: bytes | None = None
    write: Callable[[BinaryIO], None] | None = None
    fill: Callable[[Path], None] | None = None
    written: Callable[[Path], None] | None = None

    def file_bytes(self) -> bytes:
        """The file's bytes, from ``data`` or ``write`` (for a caller that reads the
        output instead of the build writing it: personal packets)."""
        if self.data is not None:
            return self.data
        if self.write is None:
            raise ValueError(f"{self.name} is a folder, not a file")
        buffer = io.BytesIO()
        self.write(buffer)
        return buffer.getvalue()


@dataclass
class BuildContext:
    """What a format's render needs besides the (edition-filtered) course tree."""

    out_dir: Path  # the format's own folder, e.g. build/<course-id>/pdf
    options: Any = field(default_factory=NoOptions)  # the format's options dataclass
    course_dir: Path = Path(".")
    build_root: Path = Path("build")  # build/<course-id>, shared by all formats
    #: what this format consumes, by (format, edition): the files those jobs wrote
    inputs: dict[tuple[str, str], list[Path]] = field(default_factory=dict)
    #: the course's build cache, for what a format derives from unchanged inputs
    #: (subset fonts, reusable bundle media); ``None`` outside a build
    cache: BuildCache | None = None
    #: the job's rendered lessons of earlier builds; ``None`` outside a build
    fragments: Fragments | None = None
    #: the processes the job may keep busy (its share of ``--jobs``)
    jobs: int = 1


#: render(course, context) -> the outputs, for the build to write
Renderer = Callable[[t.Course, BuildContext], list[Output]]
#: consumes(options) -> the (format, edition) outputs a packaging format needs
Consumes = Callable[[Any], Sequence[tuple[str, t.Edition]]]


#: ``damaged(paths, cache) -> [(path, what)]``
Damaged = Callable[[list[Path], BuildCache], list[tuple[str, str]]]
#: ``restored(paths, cache)``
Restored = Callable[[list[Path], BuildCache], None]
#: ``caveats(options, language) -> [(option field, code, message)]``
Caveats = Callable[[Any, str], list[tuple[str, str, str]]]


@dataclass(frozen=True)
class Format:
    """A format's declaration. Each function may be given as ``"module:function"``."""

    name: str
    summary: str
    render: Renderer | str
    options: type = NoOptions
    #: False: the format gets the whole course once, not one job per edition (usb)
    per_edition: bool = True
    consumes: Consumes | str | None = None
    #: for outputs whose size and times cannot vouch for them (a bundle folder): what
    #: is damaged in the previous outputs, ``(path, what)``; any of it rebuilds the job
    damaged: Damaged | str | None = None
    #: outputs copied from the shared cache (``--cache-dir``) instead of rendered: record
    #: what ``damaged`` needs to vouch for them in the next build (``Output.written``'s part)
    restored: Restored | str | None = None
    #: what the format is asked for but cannot do for a course in a language; casekit
    #: check and the build warn, naming the course.toml line or the flag that asked
    caveats: Caveats | str | None = None
    #: whether, with these options, the format fits every large raster image to the
    #: screen (``render/resample.SCREEN_BOX``): the build then fits them while the
    #: lessons are parsed (``render/resample.Prefit``)
    fits_to_screen: Callable[[Any], bool] | None = None

    def renderer(self) -> Renderer:
        found: Renderer = load_reference(self.render)
        return found

    def needs(self, options: Any) -> list[tuple[str, t.Edition]]:
        return list(load_reference(self.consumes)(options)) if self.consumes else []

    def damage(self, paths: list[Path], cache: BuildCache) -> list[tuple[str, str]]:
        return list(load_reference(self.damaged)(paths, cache)) if self.damaged else []

    def record_restored(self, paths: list[Path], cache: BuildCache) -> None:
        if self.restored:
            load_reference(self.restored)(paths, cache)

    def caveats_for(self, options: Any, language: str) -> list[tuple[str, str, str]]:
        return list(load_reference(self.caveats)(options, language)) if self.caveats else []


def load_reference(reference: Any) -> Any:
    """``"module:attribute"`` imported; anything else as it is."""
    if not isinstance(reference, str):
        return reference
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


def load_plugins(
    group: str | None,
    builtin: Sequence[str],
    kind: type,
    noun: str,
    check: Callable[[Any], None] = lambda _plugin: None,
) -> dict[str, Any]:
    """Plugins of one kind by name: casekit's own (``builtin``, "module:attribute") and
    those of the entry-point ``group`` (``None``: casekit's own only). Each is a ``kind``
    with a ``name``; one that cannot be loaded, is not a ``kind``, fails ``check``
    (raising ``TypeError``) or takes a name already taken is one ``format-plugin`` error
    naming it."""
    found: dict[str, Any] = {}
    plugins = [(ref, "casekit") for ref in builtin]
    if group is not None:
        from importlib.metadata import entry_points  # with the scan, a tenth of a start-up

        plugins += [
            (ep.value, f"entry point {ep.name} ({ep.dist.name if ep.dist else '?'})")
            for ep in entry_points(group=group)
        ]
    for reference, where in plugins:
        try:
            plugin = load_reference(reference)
        except Exception as exc:  # a broken plugin is the user's one-line problem, not a crash
            message = f"{noun} {reference} cannot be loaded: {exc}"
            raise error(where, message, "format-plugin") from exc
        if not isinstance(plugin, kind):
            raise error(where, f"{reference} is not a casekit {kind.__name__}", "format-plugin")
        try:
            check(plugin)
        except TypeError as exc:
            raise error(where, f"{noun} {plugin.name!r}: {exc}", "format-plugin") from None
        if plugin.name in found:
            message = f"a second {noun} named {plugin.name!r}: {reference}"
            raise error(where, message, "format-plugin")
        found[plugin.name] = plugin
    return found


@cache
def _registry(with_plugins: bool) -> dict[str, Format]:
    group = ENTRY_POINT_GROUP if with_plugins else None
    return load_plugins(group, BUILTIN, Format, "format", lambda fmt: options_of(fmt.options))


def formats(names: Iterable[str] = ()) -> dict[str, Format]:
    """Every format, by name: casekit's own and those registered by entry point. When
    ``names`` are all casekit's own formats, only casekit's own: the entry points are not
    read (as Sphinx looks for a builder's entry point only when it has none of that
    name), which is a tenth of the start-up of a build with nothing to do."""
    wanted = set(names)
    own = own_formats()
    return own if wanted and wanted <= own.keys() else dict(_registry(True))


def own_formats() -> dict[str, Format]:
    """casekit's own formats, by name (no entry point is read)."""
    return dict(_registry(False))


def output_name(course: t.Course, extension: str) -> str:
    """File name of one edition's output: ``<course-id>-<edition>.<ext>``."""
    return f"{course.config.id}-{course.edition or 'full'}.{extension}"
