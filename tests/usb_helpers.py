"""Shared helpers of the USB bundle tests: build a bundle once, forge one consistently,
watch a page of it in the browser."""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from casekit.bundle import MANIFEST_SCRIPT
from casekit.bundle.viewer import manifest_script
from tests.conftest import build

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini"


def build_usb(course: Path, out: Path, **options: object) -> list[Path]:
    """Build the usb format of ``course`` into ``out``; the bundle (and zip) written."""
    result = build(course, ["usb"], out, ("learner",), **options)
    return [path for record in result.outputs if record.format == "usb" for path in record.paths]


@functools.cache
def _pristine_bundle() -> Path:
    """The mini course's learner bundle (and its zip), built once per test process."""
    tmp = Path(tempfile.mkdtemp(prefix="casekit-bundle-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    shutil.copytree(MINI, tmp / "mini")
    return build_usb(tmp / "mini", tmp / "build", zip=True)[0]


def fresh_bundle(tmp: Path, **options: object) -> Path:
    """A bundle of the mini course of the test's own (``tmp/build/...``, its course copied
    to ``tmp/mini``), free to damage. With no options but ``zip`` it is a copy of the
    process's one build (builds are byte-identical, see test_usb_bundle); other options
    build it."""
    course = tmp / "mini"
    if not course.exists():
        shutil.copytree(MINI, course)
    if set(options) - {"zip"}:
        return build_usb(course, tmp / "build", **options)[0]
    pristine = _pristine_bundle()
    target = tmp / "build" / pristine.relative_to(pristine.parents[2])
    shutil.copytree(pristine, target, symlinks=True)
    if options.get("zip"):
        shutil.copy2(pristine.parent / f"{pristine.name}.zip", target.parent)
    return target


def manifest(bundle: Path) -> dict:
    return json.loads((bundle / "manifest.json").read_text("utf-8"))


def rehash_consistently(bundle: Path) -> None:
    """What a careful forger does after changing a payload file: rewrite
    manifest.json, manifest-sha256.txt and tagmanifest-sha256.txt to match."""
    manifest = json.loads((bundle / "manifest.json").read_text("utf-8"))
    for entry in manifest["files"]:
        data = (bundle / entry["path"]).read_bytes()
        entry["size"], entry["sha256"] = len(data), hashlib.sha256(data).hexdigest()
    text = json.dumps(manifest, ensure_ascii=False).encode("utf-8")
    (bundle / "manifest.json").write_bytes(text)
    (bundle / MANIFEST_SCRIPT).write_bytes(manifest_script(text))  # for verify.html
    for name in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
        lines = []
        for line in (bundle / name).read_text("utf-8").splitlines():
            path = line.split("  ", 1)[1]
            lines.append(f"{hashlib.sha256((bundle / path).read_bytes()).hexdigest()}  {path}\n")
        (bundle / name).write_text("".join(lines), "utf-8")


class Watched:
    """A page that records every request and every console problem."""

    def __init__(self, browser, width: int = 1100) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.requests: list[str] = []
        self.problems: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on(
            "console",
            lambda m: self.problems.append(m.text) if m.type in ("error", "warning") else None,
        )
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))

    def assert_offline_and_clean(self) -> None:
        assert self.requests
        left = [u for u in self.requests if not u.startswith(("file://", "data:"))]
        assert left == [], left
        assert self.problems == []
        self.page.close()


def run_page(browser, page_file: Path, folder: Path) -> tuple[str, list[str], Watched]:
    watched = Watched(browser)
    watched.page.goto(page_file.as_uri())
    watched.page.set_input_files("#folder", str(folder))
    watched.page.wait_for_selector("#verdict:not([hidden])", timeout=20000)
    verdict = watched.page.inner_text("#verdict")
    return verdict, watched.page.locator("#differences li").all_inner_texts(), watched
