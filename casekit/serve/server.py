"""The preview server: 127.0.0.1 only, the last good build only, live reload by SSE.

A request is answered from the current ``Site`` by exact path (the viewer's
files and its media), or from the two paths of the server itself; anything else,
``..`` and encoded tricks included, is 404, because nothing is ever looked up on
disk by the request's path. The viewer's page gets, in the response only, a
``<meta name="casekit-build">``, the live-reload script and ``connect-src 'self'``
in its Content-Security-Policy (the built page allows no connections at all).
"""

from __future__ import annotations

import ipaddress
import json
import mimetypes
import queue
import re
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

from casekit.serve import EVENTS, LIVE_SCRIPT
from casekit.serve.site import Outcome, Site

CHUNK = 1024 * 1024
HEARTBEAT_S = 15.0
CSP_META = re.compile(rb'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")')
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ttf": "font/ttf",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class Hub:
    """The current build and the pages listening for the next one."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.site: Site | None = None  # the last good build
        self.errors: list[str] = []  # the last build's errors ([] when it was good)
        self.warnings: list[str] = []  # the last build's warnings, good or not
        self.listeners: list[queue.Queue[str]] = []

    def publish(self, outcome: Outcome) -> None:
        with self.lock:
            if outcome.site is not None:
                self.site = outcome.site
            self.errors = [str(d) for d in outcome.diagnostics if d.severity == "error"] or (
                [] if outcome.site is not None else ["the course cannot be built"]
            )
            self.warnings = [str(d) for d in outcome.diagnostics if d.severity == "warning"]
            state = self.state()
            for listener in self.listeners:
                listener.put(state)

    def state(self) -> str:
        good = self.site.number if self.site else 0
        state = {"good": good, "errors": self.errors, "warnings": self.warnings}
        return json.dumps(state, ensure_ascii=False)

    def listen(self) -> queue.Queue[str]:
        listener: queue.Queue[str] = queue.Queue()
        with self.lock:
            self.listeners.append(listener)
            listener.put(self.state())
        return listener

    def leave(self, listener: queue.Queue[str]) -> None:
        with self.lock:
            self.listeners.remove(listener)


def live_page(page: bytes, number: int) -> bytes:
    """The viewer's page as served: build number, live script, connections to self."""
    page = CSP_META.sub(lambda m: m[1] + m[2] + b"; connect-src 'self'" + m[3], page, count=1)
    head = f'<meta name="casekit-build" content="{number}"/>'.encode()
    page = page.replace(b"</head>", head + b"\n</head>", 1)
    script = f'<script src="{LIVE_SCRIPT}"></script>'.encode()
    return page.replace(b"</body>", script + b"\n</body>", 1)


def _live_script() -> bytes:
    return resources.files("casekit.serve").joinpath("live.js").read_bytes()


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the terminal is for diagnostics, not for every request

    def setup(self) -> None:
        super().setup()
        self.refused = not is_loopback(self.client_address[0])

    def do_GET(self) -> None:
        self.respond(body=True)

    def do_HEAD(self) -> None:
        self.respond(body=False)

    def respond(self, body: bool) -> None:
        if self.refused:
            self.plain(HTTPStatus.FORBIDDEN, "casekit serve answers only this computer\n", body)
            return
        path = unquote(urlsplit(self.path).path)
        if path == EVENTS:
            self.events()
            return
        if path == "/favicon.ico":  # browsers ask for it; the viewer has none
            self.send(b"", "image/x-icon", body, HTTPStatus.NO_CONTENT)
            return
        if path == LIVE_SCRIPT:
            self.send(_live_script(), TYPES[".js"], body)
            return
        site = self.server.hub.site
        key = "index.html" if path == "/" else path[1:]
        if site is None:
            self.plain(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "no good build yet (building, or the course has errors: see the terminal)\n",
                body,
            )
        elif key in site.files:
            data = site.files[key]
            if key == "index.html":
                data = live_page(data, site.number)
            self.send(data, _type(key), body)
        elif key in site.media:
            self.stream(site.media[key], body)
        else:
            self.plain(HTTPStatus.NOT_FOUND, "not found\n", body)

    def headers_for(self, status: HTTPStatus, content_type: str, length: int | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()

    def send(
        self, data: bytes, content_type: str, body: bool, status: HTTPStatus = HTTPStatus.OK
    ) -> None:
        self.headers_for(status, content_type, len(data))
        if body:
            self.wfile.write(data)

    def plain(self, status: HTTPStatus, text: str, body: bool) -> None:
        self.send(text.encode(), TYPES[".txt"], body, status)

    def stream(self, file: Path, body: bool) -> None:
        try:
            handle = file.open("rb")
        except OSError:
            self.plain(HTTPStatus.NOT_FOUND, "not found\n", body)
            return
        with handle:
            size = file.stat().st_size
            self.headers_for(HTTPStatus.OK, _type(file.name), size)
            while body and (chunk := handle.read(CHUNK)):
                self.wfile.write(chunk)

    def events(self) -> None:
        """Server-sent events: the state now, then one event per build."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        listener = self.server.hub.listen()
        try:
            while not self.server.stopping.is_set():
                try:
                    state = listener.get(timeout=HEARTBEAT_S)
                    self.wfile.write(f"event: state\ndata: {state}\n\n".encode())
                except queue.Empty:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            self.server.hub.leave(listener)
            self.close_connection = True


def _type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, hub: Hub, host: str = "127.0.0.1") -> None:
        self.hub = hub
        self.stopping = threading.Event()
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)
