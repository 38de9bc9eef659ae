"""The serve loop: build, serve, watch the course folder, rebuild, tell the pages."""

from __future__ import annotations

import os
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

import watchfiles

from casekit import tree as t
from casekit.config.settings import load_config
from casekit.diagnostics import Diagnostics, error
from casekit.files.cache import BuildCache
from casekit.serve.server import Hub, PreviewServer, is_loopback
from casekit.serve.site import Outcome, build_site

#: watchfiles yields once no change came for this long (an editor's save is several)
QUIET_MS = 50


class CourseFilter(watchfiles.DefaultFilter):
    """Changes of the course's files; not of the build cache (when it is inside the
    course folder) and not of editors' swap and backup files."""

    def __init__(self, ignored: Path) -> None:
        super().__init__()
        self.ignored = str(ignored) + os.sep

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return super().__call__(change, path) and not (path + os.sep).startswith(self.ignored)


def serve(
    course_dir: Path,
    out_root: Path,
    port: int,
    host: str,
    edition: t.Edition,
    open_browser: bool,
    report: Callable[[Outcome], None],
    say: Callable[[str], None],
    stop: threading.Event | None = None,
) -> None:
    """Serve ``course_dir``'s viewer until interrupted (or ``stop`` is set)."""
    if not is_loopback(host):
        raise error(
            host,
            "casekit serve listens only on this computer (127.0.0.1, ::1 or localhost): "
            "learners get the USB bundle, not a server",
            "serve-address",
        )
    course_dir = course_dir.resolve()
    diags = Diagnostics()
    config = load_config(course_dir, diags)
    if config is None:
        raise error(str(course_dir / "course.toml"), diags.items[0].message, diags.items[0].code)
    cache_root = (out_root / config.id).resolve()
    cache = BuildCache(cache_root)
    hub = Hub()
    try:  # before the first build: a busy port is said at once
        server = PreviewServer(port, hub, host)
    except OSError as exc:
        raise error(
            f"{host}:{port}", f"cannot listen there ({exc.strerror}); try --port 0", "serve-port"
        ) from None
    first = build_site(course_dir, cache, edition, 1)
    report(first)
    hub.publish(first)
    url = f"http://{host if ':' not in host else f'[{host}]'}:{server.server_address[1]}/"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    say(f"serving {course_dir.name} at {url} (Ctrl-C stops)")
    if open_browser:
        webbrowser.open(url)
    stop = stop or threading.Event()
    number = 1
    try:
        for _changes in watchfiles.watch(
            course_dir,
            watch_filter=CourseFilter(cache_root),
            step=QUIET_MS,
            stop_event=stop,
            raise_interrupt=False,
        ):
            number += 1
            outcome = build_site(course_dir, cache, edition, number)
            report(outcome)
            hub.publish(outcome)
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
