"""Audio and video for the metadata tests: files tagged as a phone or a tagger leaves
them (made with ffmpeg), and what ffprobe and ffmpeg's stream hash say about a file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import MINI, require_tool

#: strings that must never reach a learner: title, owner, GPS position, chapter, device
PRIVATE = ("Private title", "Aigul Seitkyzy", "+43.2380+076.9450", "Chapter one", "iPhone 15")


def ffmpeg(*args: object) -> None:
    subprocess.run(
        [require_tool("ffmpeg"), "-nostdin", "-v", "error", "-y", *map(str, args)], check=True
    )


def tagged_media(folder: Path) -> dict[str, Path]:
    """One file of each format casekit carries, full of private metadata: format tags,
    stream tags, chapters, and cover art (a picture stream) in the MP3 and M4A."""
    folder.mkdir(parents=True, exist_ok=True)
    chapters = folder / "chapters.txt"
    chapters.write_text(
        ";FFMETADATA1\ntitle=Private title\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=500\n"
        "title=Chapter one\n",
        "utf-8",
    )
    cover = folder / "cover.jpg"
    ffmpeg("-f", "lavfi", "-i", "color=red:s=16x16", "-frames:v", "1", cover)
    tags = [
        "-metadata", "artist=Aigul Seitkyzy", "-metadata", "location=+43.2380+076.9450/",
        "-metadata", "creation_time=2025-05-01T10:00:00Z", "-metadata", "comment=iPhone 15 Pro",
    ]  # fmt: skip
    video, audio = MINI / "media/intro.mp4", MINI / "media/greeting.mp3"
    made = {name: folder / name for name in ("v.mp4", "v.webm", "a.mp3", "a.m4a", "a.ogg")}
    ffmpeg("-i", video, "-i", chapters, "-map", "0", "-map_metadata", "1", "-map_chapters", "1",
           "-c", "copy", *tags, "-metadata:s:v", "title=Private title", made["v.mp4"])  # fmt: skip
    ffmpeg("-i", video, "-i", chapters, "-map", "0", "-map_metadata", "1", "-map_chapters", "1",
           "-c:v", "libvpx-vp9", "-b:v", "50k", "-c:a", "libopus", "-t", "2", *tags,
           made["v.webm"])  # fmt: skip
    ffmpeg("-i", audio, "-i", cover, "-map", "0", "-map", "1", "-c", "copy", "-id3v2_version",
           "3", "-metadata", "title=Private title", *tags, "-disposition:v", "attached_pic",
           made["a.mp3"])  # fmt: skip
    ffmpeg("-i", video, "-i", cover, "-map", "0:a", "-map", "1", "-c:a", "copy", "-c:v", "mjpeg",
           "-disposition:v", "attached_pic", "-metadata", "title=Private title", *tags,
           "-f", "ipod", made["a.m4a"])  # fmt: skip
    ffmpeg("-i", audio, "-c:a", "libopus", "-metadata", "title=Private title", *tags,
           made["a.ogg"])  # fmt: skip
    return made


def probe(path: Path) -> dict:
    """ffprobe's view: format, streams and chapters."""
    found = subprocess.run(
        [require_tool("ffprobe"), "-v", "error", "-show_format", "-show_streams",
         "-show_chapters", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(found)


#: tags a muxer writes itself and that say nothing about the recording or its owner
STRUCTURAL_TAGS = frozenset(
    ("major_brand", "minor_version", "compatible_brands", "language", "handler_name",
     "vendor_id", "encoder", "duration")
)  # fmt: skip


def private_tags(path: Path) -> list[str]:
    """Every tag, chapter and picture stream ffprobe finds beyond structural ones."""
    info = probe(path)
    found = [f"chapter {c.get('tags', {})}" for c in info.get("chapters", [])]
    for where, tags in [("format", info["format"].get("tags", {}))] + [
        (f"stream {s['index']}", s.get("tags", {})) for s in info["streams"]
    ]:
        found += [f"{where} {k}={v}" for k, v in tags.items() if k.lower() not in STRUCTURAL_TAGS]
    found += [
        f"stream {s['index']} is {s['codec_type']}"
        for s in info["streams"]
        if s["codec_type"] not in ("video", "audio") or s["disposition"].get("attached_pic")
    ]
    encoder = info["format"].get("tags", {}).get("encoder", "")
    if encoder not in ("", "Lavf"):  # bitexact: the muxer's bare name, no version, no device
        found.append(f"format encoder={encoder}")
    return found


def stream_hashes(path: Path) -> list[str]:
    """SHA-256 of every audio and video packet, per stream (cover art left out)."""
    found = subprocess.run(
        [require_tool("ffmpeg"), "-v", "error", "-i", str(path), "-map", "0:V?", "-map",
         "0:a?", "-c", "copy", "-f", "streamhash", "-hash", "sha256", "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return found.split()
