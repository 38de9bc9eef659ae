"""The largest file a stick's file system and a zip without ZIP64 can hold: one source
for ``check`` (which names every course file over it) and the bundle (which refuses it)."""

from __future__ import annotations

#: FAT32, the file system most USB sticks come with: a file's size is a 32-bit number
FAT32_MAX_FILE = 4 * 1024**3 - 1
#: a zip entry without the ZIP64 extension (old unzip tools, many e-book readers)
ZIP32_MAX_ENTRY = 0xFFFF_FFFF


def over_4gib(size: int) -> str:
    """Which of those limits a file of ``size`` bytes breaks, as part of a message; ""."""
    if size <= min(FAT32_MAX_FILE, ZIP32_MAX_ENTRY):
        return ""
    return (
        f"{size} bytes ({size / 1024**3:.1f} GiB): over 4 GiB, the largest file a FAT32 "
        f"stick holds ({FAT32_MAX_FILE} bytes) and a zip without ZIP64 carries (the bundle "
        "zip, an EPUB with embedded media)"
    )
