"""Large raster images made no larger than an output shows them, once per content.

A 6000x4000 camera photo printed 17 cm wide needs 2000 pixels at print resolution, and
an e-reader screen 1600; embedding it whole makes every PDF, DOCX and EPUB slower to
write and larger to carry. ``Sizing.image`` gives an image's bytes (metadata already
removed by ``image_bytes``) resampled to fit a box of pixels, in its own format (PNG
stays lossless, JPEG is re-encoded at high quality), with its resolution scaled so its
natural size in inches is unchanged: Lanczos for print, an area average for the screen
(by a whole factor where that nearly fills the box: ``WHOLE_WITHIN``).
Images within ``RESAMPLE_ABOVE`` of their box, SVG, and images whose EXIF orientation
turns them (their pixels would have to move) are left as they are, never decoded (the
PDF carries their compressed data as it is); a format whose option ``original_images``
is set asks for none of it.

Results are kept in the build cache under the image's SHA-256 and the box, so a rebuild
never decodes or re-encodes an unchanged image, and in memory for the other jobs of the
build's process, so one build fits each image once per size.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import os
import queue
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import PIL
from PIL import Image

from casekit import tree as t
from casekit.diagnostics import Diagnostics, error
from casekit.files.cache import BuildCache, code_fingerprint, digest
from casekit.render import png_encoder
from casekit.render.fit_workers import fit_workers
from casekit.render.image_metadata import ORIENTATION
from casekit.render.images import KeptBytes, image_bytes, write_image
from casekit.resolve.lazy import sites_of
from casekit.resolve.media import MediaError, Probe, cached_probe
from casekit.runtime.workers import run_in
from casekit.safety.paths import PathEscape, RememberedPaths, is_url, resolve_inside
from casekit.safety.sourcetext import read_source_text
from casekit.tree import EXTENSION_FORMATS

#: print resolution (PDF, DOCX): pixels per inch of the printed size
PRINT_DPI = 300
#: the longest side an e-reader or the viewer needs (EPUB)
SCREEN_PIXELS = 1600
#: what an image without a stated resolution is meant to have (Word's assumption)
DEFAULT_DPI = 96.0
JPEG_QUALITY = 90
#: on screen, an image is reduced by a whole factor (each pixel the average of a square:
#: a quarter of the work of a fractional area average, and a JPEG decoded at that scale)
#: when that leaves it at least 1/WHOLE_WITHIN of the size that fills the box: a
#: 3000x2000 screenshot becomes 1500x1000, not 1600x1067
WHOLE_WITHIN = 8 / 7
#: an image is resampled only when a side has more than this many times the pixels its
#: box needs: above 450 ppi in print (what print presets such as Acrobat's leave as it
#: is), above 2400 pixels on screen. Less would save little size for a decode, a
#: re-encode and a softer picture.
RESAMPLE_ABOVE = 1.5
_MODES = {"RGB", "RGBA", "L", "LA", "P", "CMYK"}
#: the formats resampled (decoded); SVG and the rest are embedded as they are
RASTER = ("png", "jpeg")
#: bytes a decode takes at a time (Pillow's default, 64 KiB, returns to Python, and
#: waits for its lock, hundreds of times an image while the main thread parses)
_DECODED_AT_ONCE = 1024 * 1024
#: bytes of scratch files (``Prefit``) waiting for their fitting at most, give or take an
#: image: 14 copies of a 3000x2000 RGB image (the temporary folder may be in memory)
SCRATCH_BUDGET = 256 * 1024 * 1024
#: threads that fit images at once (``Fitting``): each holds an image's pixels
WORKERS = min(2, os.cpu_count() or 1)
#: the PNG and JPEG files a lesson's text seems to show (``Prefit.sources``): the targets
#: of Markdown images, ``](file.png``, a literal prefix the search skips along to
#: (1.5 ms for the 3.7 MB of the 40-lesson course, where a name alone took 170 ms)
_SHOWN_RASTER = re.compile(r"\]\(\s*<?([^\s()<>]+\.(?:png|jpe?g))(?![\w.])", re.IGNORECASE)


def print_box(width_pt: float, height_pt: float) -> tuple[int, int]:
    """The pixels a printed box of ``width_pt`` x ``height_pt`` points needs."""
    return math.ceil(width_pt / 72 * PRINT_DPI), math.ceil(height_pt / 72 * PRINT_DPI)


SCREEN_BOX = (SCREEN_PIXELS, SCREEN_PIXELS)


@dataclass
class Sizing:
    """How one output embeds raster images: fitted (the default) or as they are."""

    cache: BuildCache | None = None
    original: bool = False  # the format's ``original_images`` option
    #: whether what it fits is kept in memory (``KeptBytes``, shared by the figures,
    #: editions and formats of one process); the PDF embeds each image once: it adds none
    remember: bool = True

    def resamples(self, item: t.MediaItem, box: tuple[int, int]) -> bool:
        return not self.original and needs_resampling(item, box)

    def image(self, root: Path, item: t.MediaItem, box: tuple[int, int]) -> bytes:
        begun = _begun.get((item.sha256, box))
        if begun is not None:  # by ``Prefit``: kept once made (if it failed: made here)
            wait([begun])
        return self._made(root, item, box)

    def _made(
        self,
        root: Path,
        item: t.MediaItem,
        box: tuple[int, int],
        decodable: Path | None = None,
        fit: Callable[..., bytes | None] | None = None,
    ) -> bytes:
        """``decodable``: the image as ``decodable_png`` wrote it, if it did; ``fit``:
        what makes it, in place of ``fitted_bytes`` (``Prefit``: in a worker process)."""
        known = self._known(root, item, box)
        if known is not None:
            return known
        fitted = (fit or fitted_bytes)(root, item, box, decodable)
        return self._keep(item, box, image_bytes(root, item) if fitted is None else fitted)

    def fitting(self, root: Path, box: tuple[int, int]) -> Fitting:
        """Images fitted into files in the background (``Fitting``), while this thread
        goes on with the rest of the output."""
        return Fitting(self, root, box)

    def _known(self, root: Path, item: t.MediaItem, box: tuple[int, int]) -> bytes | None:
        """``item``'s bytes if they need no resampling or were made before (in this
        process or in the build cache), else ``None``."""
        if not self.resamples(item, box):
            return image_bytes(root, item)
        key = (item.sha256, box)
        known = _fitted.find(key)
        if known is None:
            known = _cached(item, box, self.cache)
            if known is not None and self.remember:
                _fitted.put(key, known)
        return known

    def _keep(self, item: t.MediaItem, box: tuple[int, int], data: bytes) -> bytes:
        """A fitting just made: listed, stored in the build cache, kept in memory."""
        if self.cache is not None:
            self.cache.stats.resampled.append(f"{item.path} {box[0]}x{box[1]}")
            self.cache.store("image", _key(item, box), data)
        if self.remember:
            _fitted.put((item.sha256, box), data)
        return data


class Fitting:
    """Each image ``add``-ed written into its file as ``Sizing.image`` gives it, on
    ``WORKERS`` background threads (Pillow decodes, resizes and encodes without holding
    Python's lock): the EPUB lays out its chapters meanwhile, on the other core. An
    image added again (the same content) is fitted once and copied. Only the images
    being made are held in memory; ``wait`` before reading the files. Used as a context
    manager: leaving it (on an error too) lets no thread write afterwards."""

    def __init__(self, sizing: Sizing, root: Path, box: tuple[int, int]) -> None:
        self.sizing, self.root, self.box = sizing, root, box
        self.pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="casekit-fit")
        self.made: dict[str, tuple[Path, Future[None]]] = {}  # by content: first file
        self.copies: list[tuple[Path, Path]] = []  # (file, the file of its content)

    def add(self, item: t.MediaItem, file: Path) -> None:
        content = item.sha256 or item.path
        if content in self.made:
            self.copies.append((file, self.made[content][0]))
        else:
            self.made[content] = (file, self.pool.submit(self._write, item, file))

    def _write(self, item: t.MediaItem, file: Path) -> None:
        file.write_bytes(self.sizing.image(self.root, item, self.box))

    def wait(self) -> None:
        """Every file written (the first failure raised, in the order they were added)."""
        for _file, made in self.made.values():
            made.result()
        for file, source in self.copies:
            shutil.copyfile(source, file)

    def __enter__(self) -> Fitting:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class Prefit:
    """Images fitted to the screen before the book that shows them is begun: each raster
    image a lesson names is probed (``resolve/media.probe``: its damage check included)
    as soon as the lesson is parsed, and then fitted, in ``WORKERS`` processes forked
    with the first image (``render/fit_workers.py``: threads would wait for Python's
    lock while this thread parses; with ``--jobs 1``, and after an edit, threads do it),
    while this thread parses the others. Threads here hand the tasks over, probes before
    fittings (``_Workers``: the resolver waits for every probe; the EPUB can be written
    while images are fitted), and keep the results (the build cache, ``_fitted``). A
    PNG's check writes what it inflates into a scratch file (``decodable_png``), which
    its fitting decodes: inflated once, not twice, and not held in memory while it
    waits. The resolver takes the probe from here (``probed`` waits for it) and the
    EPUB the fitted image (``Sizing`` waits for one being made). Nothing is reported
    from here: a file the probe refuses is probed again, and reported, by the resolver;
    an image that cannot be fitted is fitted again, and reported, by the EPUB.
    ``close`` when the build ends (before forking: no thread or worker may be left
    running)."""

    def __init__(
        self, root: Path, cache: BuildCache, box: tuple[int, int], forked: bool = True
    ) -> None:
        """``forked=False`` (``--jobs 1``): one process, the work done in threads."""
        self.root, self.cache, self.box, self.forked = root, cache, box, forked
        self.paths = RememberedPaths(root)  # every lesson names the same few files
        self.processes: ProcessPoolExecutor | None = None
        self.workers: _Workers | None = None  # both begun with the first image (``_start``)
        self.probes: dict[Path, Future[Probe | None]] = {}
        self.fitting: list[tuple[str, tuple[int, int]]] = []  # their keys in ``_begun``
        self.lock = threading.Lock()  # two workers may find one content under two names
        self.waiting = 0  # bytes of scratch files not yet fitted
        self.scratch = tempfile.TemporaryDirectory(prefix="casekit-prefit-")

    def sources(self, lessons: list[str]) -> None:
        """Begin with the PNG and JPEG files the lesson files ``lessons`` (paths in the
        course) seem to name, before they are parsed (a glance at each text; ``lesson``
        adds what the parse finds). A name guessed wrong (in a code block, say) costs its
        fitting, never a diagnostic or a byte of the book: the resolver and the EPUB ask
        only for the images the course shows."""
        for ref in lessons:
            try:
                real, rel = resolve_inside(self.root, ref)
            except PathEscape:
                continue
            if not real.is_file():  # the loader reports it (and never opens a pipe)
                continue
            text = read_source_text(real, rel, Diagnostics())  # the parse reports it
            for name in _SHOWN_RASTER.findall(text or ""):
                if not is_url(name):
                    self._begin(rel, name)

    def lesson(self, lesson: t.Lesson) -> None:
        """Begin with the images ``lesson`` names (each file once)."""
        for site in sites_of(lesson).media:
            if site.kind == "image" and not is_url(site.src):
                self._begin(lesson.path, site.src)

    def _begin(self, lesson_path: str, src: str) -> None:
        """Probe, then fit, the file ``src`` as the lesson at ``lesson_path`` names it."""
        try:  # as the resolver finds the file
            real, rel = self.paths.written_in(lesson_path, src)
        except PathEscape:
            return
        if real not in self.probes and EXTENSION_FORMATS.get(real.suffix.lower()) in RASTER:
            number = len(self.probes)
            workers = self.workers or self._start(real)
            self.probes[real] = workers.submit(_PROBE, self._probe, real, rel, number)

    def _start(self, first: Path) -> _Workers:
        """The workers, begun for the image ``first``: processes forked (before the
        threads) unless the build cache remembers its probe (a rebuild after an edit:
        the images are probably all there, and forking would cost more than it saves)."""
        key = BuildCache.media_key(first)
        remembered = key is not None and self.cache.load("probe", key, Probe) is not None
        if self.forked and not remembered:
            self.processes = fit_workers(WORKERS)
        # with processes the threads only hand tasks over and wait: twice as many keep
        # each process's next task queued while the last one's result is taken in
        self.workers = _Workers("casekit-prefit", WORKERS * (2 if self.processes else 1))
        return self.workers

    def probed(self, real: Path) -> Probe | None:
        """The probe of ``real`` begun here, once ended (``None``: none, or it failed)."""
        begun = self.probes.get(real)
        return begun.result() if begun is not None else None

    def _probe(self, real: Path, rel: str, number: int) -> Probe | None:
        decodable = Path(self.scratch.name, f"{number}.png")
        with self.lock:  # beyond the budget: checked alone, decoded from the file
            into = decodable if self.waiting < SCRATCH_BUDGET else None
        try:
            found = cached_probe(real, rel, self.cache, into, self.processes)
        except (MediaError, OSError):
            decodable.unlink(missing_ok=True)
            return None
        item = t.MediaItem(  # what the resolver registers, as far as fitting goes
            path=rel,
            kind="image",
            format=found.format,
            size=found.size,
            sha256=found.sha256,
            bundle_path="",
            target_url="",
            width=found.width,
            height=found.height,
        )
        key = (item.sha256, self.box)
        sizing = Sizing(self.cache)
        with self.lock:
            mine = key not in _begun and sizing.resamples(item, self.box)
            # 0: nothing to decode from (a JPEG, the budget spent, a file changed meanwhile)
            size = decodable.stat().st_size if mine and decodable.exists() else 0
            if mine:
                self.fitting.append(key)
                self.waiting += size
                made = decodable if size else None
                assert self.workers is not None  # this runs on one of them
                _begun[key] = self.workers.submit(_FIT, self._fit, sizing, item, made, size)
        if not size:
            decodable.unlink(missing_ok=True)
        return found

    def _fit(self, sizing: Sizing, item: t.MediaItem, decodable: Path | None, size: int) -> None:
        try:
            sizing._made(self.root, item, self.box, decodable, self._fitted)  # and kept
        finally:
            if decodable is not None:
                decodable.unlink()
            with self.lock:
                self.waiting -= size

    def _fitted(
        self, root: Path, item: t.MediaItem, box: tuple[int, int], decodable: Path | None
    ) -> bytes | None:
        """``fitted_bytes``, made in a worker process and handed over in a file."""
        if self.processes is None:
            return fitted_bytes(root, item, box, decodable)
        out = Path(self.scratch.name, f"{item.sha256}.fitted")
        if not run_in(self.processes, _fit_into, root, item, box, decodable, out):
            return None
        try:
            return out.read_bytes()
        finally:
            out.unlink()

    def close(self, cancel: bool = False) -> None:
        """Wait for what has begun (a failure is reported by whoever needs the image);
        ``cancel``: only for what is running (the build stops)."""
        if self.workers is not None:
            self.workers.shutdown(cancel)
        if self.processes is not None:
            self.processes.shutdown(wait=True, cancel_futures=cancel)
        for key in self.fitting:
            _begun.pop(key, None)
        self.scratch.cleanup()


_PROBE, _FIT = 0, 1  # what a ``_Workers`` thread takes first


class _Workers:
    """``count`` threads that take the most urgent task first, in the order given
    within an urgency (``ThreadPoolExecutor`` takes them in the order given)."""

    def __init__(self, name: str, count: int) -> None:
        self.tasks: queue.PriorityQueue[tuple[int, int, Future[Any], Callable[[], Any]]]
        self.tasks = queue.PriorityQueue()
        self.order = itertools.count()
        self.threads = [
            threading.Thread(target=self._work, name=f"{name}_{n}", daemon=True)
            for n in range(count)
        ]
        for thread in self.threads:
            thread.start()

    def submit(self, urgency: int, task: Callable[..., T], *args: Any) -> Future[T]:
        done: Future[T] = Future()
        self.tasks.put((urgency, next(self.order), done, functools.partial(task, *args)))
        return done

    def _work(self) -> None:
        while True:
            urgency, _, done, task = self.tasks.get()
            if urgency == _STOP:
                return
            if done.set_running_or_notify_cancel():
                try:
                    done.set_result(task())
                except BaseException as exc:  # for whoever waits for it
                    done.set_exception(exc)

    def shutdown(self, cancel: bool) -> None:
        """Every thread ended, after every task (``cancel``: after those running)."""
        if cancel:
            while not self.tasks.empty():
                self.tasks.get_nowait()[2].cancel()
        for _ in self.threads:
            self.tasks.put((_STOP, next(self.order), Future(), lambda: None))
        for thread in self.threads:
            thread.join()


_STOP = 2  # after every task
T = TypeVar("T")

#: fitted, without a cache (outside a build)
FITTED = Sizing()
#: images fitted in this process, by SHA-256 and box: made once for every edition and
#: format that shows them at that size, and not read back from the build cache
_fitted = KeptBytes()
#: fittings begun by a ``Prefit``, by SHA-256 and box
_begun: dict[tuple[str, tuple[int, int]], Future[None]] = {}


def needs_resampling(item: t.MediaItem, box: tuple[int, int]) -> bool:
    """Whether ``item`` has more than ``RESAMPLE_ABOVE`` times the pixels ``box`` needs."""
    return (
        item.format in RASTER
        and item.width is not None
        and item.height is not None
        and (item.width > box[0] * RESAMPLE_ABOVE or item.height > box[1] * RESAMPLE_ABOVE)
    )


def _key(item: t.MediaItem, box: tuple[int, int]) -> str:
    return digest(
        "fitted-image",
        code_fingerprint(),
        item.sha256,
        f"{box[0]}x{box[1]}",
        PIL.__version__,
        png_encoder.VERSION,
    )


def _cached(item: t.MediaItem, box: tuple[int, int], cache: BuildCache | None) -> bytes | None:
    return cache.load("image", _key(item, box), bytes) if cache is not None else None


def fitted_bytes(
    root: Path, item: t.MediaItem, box: tuple[int, int], decodable: Path | None
) -> bytes | None:
    """``item`` fitted into ``box`` (``decodable``: as ``decodable_png`` wrote it), or
    ``None``: to be embedded as it is."""
    if decodable is not None:
        return _resample(decodable, item, box)
    with tempfile.TemporaryFile(prefix="casekit-fit-") as stripped:  # the original never
        write_image(root, item, stripped)  # held whole: stripped into a file as it is read
        stripped.seek(0)
        return _resample(stripped, item, box)


def _fit_into(
    root: Path, item: t.MediaItem, box: tuple[int, int], decodable: Path | None, out: Path
) -> bool:
    """In a worker process: ``fitted_bytes`` written into ``out`` (a pipe would hand
    them over 64 KiB at a time); ``False``: none."""
    fitted = fitted_bytes(root, item, box, decodable)
    if fitted is not None:
        out.write_bytes(fitted)
    return fitted is not None


def _resample(source: Path | BinaryIO, item: t.MediaItem, box: tuple[int, int]) -> bytes | None:
    """``source`` (a file of the image without its metadata) fitted into ``box``;
    ``None``: to be embedded as it is (its pixels would have to move, or its mode is
    not written)."""
    try:
        with Image.open(source) as image:
            image.decodermaxblock = _DECODED_AT_ONCE
            if image.mode not in _MODES or image.getexif().get(ORIENTATION, 1) != 1:
                return None
            scale = min(box[0] / image.width, box[1] / image.height)
            whole = math.ceil(1 / scale)  # the least whole factor that fits the box
            if box == SCREEN_BOX and whole * scale <= WHOLE_WITHIN:
                scale = 1 / whole
                size = (-(-image.width // whole), -(-image.height // whole))
            else:
                size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
            dpi = float(image.info.get("dpi", (DEFAULT_DPI,))[0] or DEFAULT_DPI) * scale
            icc = image.info.get("icc_profile")
            if item.format == "jpeg":  # decoded at 1/2, 1/4 or 1/8 while still >= size
                image.draft(image.mode, size)
            if image.mode == "P":
                image = image.convert("RGBA" if "transparency" in image.info else "RGB")
            left = image.width // size[0]  # a whole factor still to reduce by, if any
            if image.size == size:  # a JPEG decoded at that size
                image.load()
                small = image
            elif box == SCREEN_BOX and image.size == (size[0] * left, size[1] * left):
                small = image.reduce(left)
            elif box == SCREEN_BOX:  # area average: sharp at screen size, 3x faster
                small = image.resize(size, Image.Resampling.BOX)
            else:
                small = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise error(item.path, f"cannot read this image: {exc}", "image-unreadable") from None
    if item.format != "jpeg":
        return png_encoder.png_bytes(small, dpi, icc)
    out = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    small.save(out, "JPEG", quality=JPEG_QUALITY, dpi=(dpi, dpi), **extra)
    return out.getvalue()
