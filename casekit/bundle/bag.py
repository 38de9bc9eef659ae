"""The BagIt files (RFC 8493) that let standard tools check the bundle."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from casekit import tree as t
from casekit.bundle import PAYLOAD
from casekit.bundle.capacity import human
from casekit.bundle.manifest import BundleFile
from casekit.render.common import source_date

BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"


def _encode_path(path: str) -> str:
    """RFC 8493 2.1.3: percent-encode %, CR and LF in manifest paths."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def manifest_lines(entries: Iterable[tuple[str, str]]) -> bytes:
    return "".join(f"{sha}  {_encode_path(path)}\n" for path, sha in sorted(entries)).encode(
        "utf-8"
    )


def bag_info(course: t.Course, payload: list[BundleFile]) -> bytes:
    config = course.config
    octets = sum(f.size for f in payload)
    fields = [
        ("Source-Organization", config.organisation),
        ("External-Identifier", f"{config.id}-{config.version}"),
        ("External-Description", config.title),
        ("Course-Id", config.id),
        ("Course-Title", config.title),
        ("Course-Version", config.version),
        ("Course-Language", config.language),
        ("Bagging-Date", source_date(course).date().isoformat()),
        ("Payload-Oxum", f"{octets}.{len(payload)}"),
        ("Bag-Size", human(octets)),
    ]
    return "".join(f"{key}: {' '.join(value.split())}\n" for key, value in fields).encode("utf-8")


Write = Callable[[str, bytes], str]  # (path, bytes) -> sha256 of what was written


def write_bag(
    course: t.Course, files: list[BundleFile], tag_hashes: dict[str, str], write: Write
) -> None:
    """Write the four BagIt files; ``tag_hashes`` are the other tag files (outside ``data/``)."""
    payload = [f for f in files if f.path.startswith(PAYLOAD + "/")]
    tags = dict(tag_hashes)
    tags["bagit.txt"] = write("bagit.txt", BAGIT_TXT)
    tags["bag-info.txt"] = write("bag-info.txt", bag_info(course, payload))
    tags["manifest-sha256.txt"] = write(
        "manifest-sha256.txt", manifest_lines((f.path, f.sha256) for f in payload)
    )
    write("tagmanifest-sha256.txt", manifest_lines(tags.items()))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
