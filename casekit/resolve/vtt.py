"""A small WebVTT reader: cues with times and plain text (voice tags removed)."""

from __future__ import annotations

import re

from casekit.tree import Cue

_TIME = r"(?:(\d+):)?(\d{2}):(\d{2})[.,](\d{3})"
_CUE_TIMING = re.compile(rf"^{_TIME}\s+-->\s+{_TIME}")
_TAG = re.compile(r"</?[^>]+>")


class VttError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _seconds(h: str | None, m: str, s: str, ms: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def parse_vtt(text: str) -> list[Cue]:
    """Cues of a WebVTT file; raises ``VttError`` (with a line) on malformed input."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise VttError(1, "a WebVTT file starts with the line 'WEBVTT'")
    cues: list[Cue] = []
    index = 1
    while index < len(lines):
        line = lines[index]
        timing = _CUE_TIMING.match(line)
        if not timing:
            if "-->" in line:
                raise VttError(index + 1, f"malformed cue timing {line.strip()!r}")
            index += 1
            continue
        g = timing.groups()
        start, end = _seconds(*g[0:4]), _seconds(*g[4:8])
        if end < start:
            raise VttError(index + 1, "cue ends before it starts")
        index += 1
        text_lines: list[str] = []
        while index < len(lines) and lines[index].strip():
            text_lines.append(_TAG.sub("", lines[index]).strip())
            index += 1
        cues.append(Cue(start, end, " ".join(x for x in text_lines if x)))
    return cues


def format_time(seconds: float) -> str:
    """``1:05`` or ``1:02:05``, for durations and cue times printed for people."""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
