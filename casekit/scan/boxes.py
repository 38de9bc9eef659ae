"""Reading answer boxes on a fitted page, and deciding each question.

A box is measured by the share of dark pixels in its inside (the printed edge
and a margin for fitting error left out) after the light is evened out: the
measure Auto Multiple Choice uses, which handles crosses and fills alike and
survives photocopies. Shares between the bands are *unsure*: never guessed,
they go to a person. A box blacked out entirely is *cancelled* (the sheet's
instruction for taking a mark back).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from casekit.scan.fit import PX_PER_MM, FittedPage, strokes
from casekit.sheets.layout import Rect, Row

BoxState = Literal["empty", "filled", "crossed", "cancelled", "unsure"]
MARKED: tuple[BoxState, ...] = ("filled", "crossed")
Answer = Literal["answered", "blank", "multiple", "unsure"]

INK = 0.25  # a pixel is dark when it is this much darker than the paper around it
INSET_MM = 0.9  # the inside of a box: its printed edge and fitting error left out
EMPTY_BELOW = 0.06
MARKED_FROM = 0.16
# a second, lighter measure: light pencil passes it where erased smudges do not (on
# about 2,000 boxes of synthetic scanner, phone and descreened photocopy pages at
# 150 dpi no empty box reached 1.2% at it, no mark fell under 23%); a small dark dot
# below it stays a doubt
LIGHT_INK = 0.20
LIGHT_MARKED_FROM = 0.22
# the faintest mark: at 100 dpi a 1-pixel line of the lightest pencil is spread by the
# scan and the fitting until no pixel reaches LIGHT_INK; it still stands out from what
# is around it. A stroke this much darker than its surroundings (wider ink, an eraser's
# smudge, left out), connected over this many mm2, makes an empty-looking box a doubt
# (synthetic pages at 100-150 dpi: such marks 1.6 mm2 or more; empty and smudged boxes
# 0.72 at most, the specks of a dithered copy)
STROKE_INK = 0.10
STROKE_WIDER_MM = 2.5
STROKE_MM2 = 1.1
CANCELLED_FROM = 0.95  # nearly every pixel dark...
CANCELLED_INK = 0.6  # ...and black on average: blacked out, not shaded
FULL_FROM = 0.80  # a mark this full is shading only when it is clearly lighter...
SHADING_INK = 0.55  # ...than this; else it is a doubt between shading and cancelling
RIM_MM = (0.45, 0.9)  # the band inside the printed edge where a blacked-out box is dark too
RIM_CANCELLED = 0.85  # blacked out to the edges (shading leaves gaps: 0.75 at most measured)


@dataclass(frozen=True)
class BoxReading:
    state: BoxState
    share: float  # dark share of the inside, 0..1
    ink: float  # mean darkness of the inside, 0..1
    rim: float  # dark share of the band inside the printed edge, 0..1


@dataclass(frozen=True)
class QuestionReading:
    key: str
    answer: Answer
    chosen: tuple[int, ...]  # marked options (0-based), cancelled ones left out
    boxes: tuple[BoxReading, ...]


def read_box(page: FittedPage, rect: Rect) -> BoxReading:
    region = page.ink(rect, -INSET_MM)
    dark = region > INK
    share = float(dark.mean())
    light = region > LIGHT_INK
    light_share = float(light.mean())
    mean = float(region.mean())
    rim = _rim_share(page, rect)
    if share < EMPTY_BELOW and light_share < EMPTY_BELOW:
        state: BoxState = "unsure" if _faint_stroke(page, rect) else "empty"
    elif share < MARKED_FROM:
        if light_share >= LIGHT_MARKED_FROM:  # a light pencil mark
            state = "crossed" if _diagonal(light) else "filled"
        else:
            state = "unsure"
    elif share >= FULL_FROM and mean >= SHADING_INK:  # full and dark inside
        sides = _rim_sides(page, rect)
        if min(sides) >= RIM_CANCELLED and share >= CANCELLED_FROM and mean >= CANCELLED_INK:
            state = "cancelled"  # black out to every edge
        elif sorted(sides)[1] >= RIM_CANCELLED or rim >= RIM_CANCELLED:
            # black to three edges or all round, yet not a blackout: a sloppy one?
            state = "unsure"
        else:
            state = "filled"  # heavy shading: it leaves gaps along the edges
    elif rim >= RIM_CANCELLED:
        state = "unsure"  # dark out to the edges, yet not full: a blackout gone grey?
    else:
        state = "crossed" if _diagonal(dark) else "filled"
    return BoxReading(state, round(share, 3), round(mean, 3), round(rim, 3))


def _faint_stroke(page: FittedPage, rect: Rect) -> bool:
    """A pencil line too faint for the shares, found by its shape: connected strokes
    over STROKE_MM2 in the box's inside."""
    lines = (strokes(page.ink(rect, -INSET_MM), STROKE_WIDER_MM) > STROKE_INK).astype(np.uint8)
    count, _labels, stats, _centres = cv2.connectedComponentsWithStats(lines, connectivity=8)
    return count > 1 and int(stats[1:, cv2.CC_STAT_AREA].max()) >= STROKE_MM2 * PX_PER_MM**2


def _rim_share(page: FittedPage, rect: Rect) -> float:
    """The dark share of the band just inside the box's printed edge: blacked out
    boxes are dark out to the edge, shading stops short of it."""
    outer = page.ink(rect, -RIM_MM[0]) > INK
    band = round((RIM_MM[1] - RIM_MM[0]) * PX_PER_MM)
    inner = np.zeros_like(outer)
    inner[band : outer.shape[0] - band, band : outer.shape[1] - band] = True
    ring = outer[~inner]
    return float(ring.mean()) if ring.size else 0.0


def _rim_sides(page: FittedPage, rect: Rect) -> list[float]:
    """The dark share of the band along each edge (top, bottom, left, right): a
    blackout with one side left white is dark along the other three, shading's
    zigzag along two at most."""
    outer = page.ink(rect, -RIM_MM[0]) > INK
    band = max(1, round((RIM_MM[1] - RIM_MM[0]) * PX_PER_MM))
    strips = (outer[:band], outer[-band:], outer[:, :band], outer[:, -band:])
    return [float(strip.mean()) if strip.size else 0.0 for strip in strips]


def _diagonal(dark: np.ndarray) -> bool:
    """A cross: its dark pixels lie along the two diagonals rather than everywhere."""
    h, w = dark.shape
    if not dark.any() or h < 4 or w < 4:
        return False
    ys, xs = np.mgrid[0:h, 0:w]
    u, v = xs / (w - 1), ys / (h - 1)
    near = (np.abs(u - v) < 0.2) | (np.abs(u + v - 1) < 0.2)
    return float(dark[near].mean()) > 2.0 * float(dark[~near].mean() + 1e-6)


def read_row(page: FittedPage, row: Row) -> QuestionReading:
    boxes = tuple(read_box(page, rect) for rect in row.boxes)
    chosen = tuple(i for i, box in enumerate(boxes) if box.state in MARKED)
    if any(box.state == "unsure" for box in boxes):
        answer: Answer = "unsure"
    elif not chosen:
        answer = "blank"
    elif len(chosen) > 1 and row.kind == "single":
        answer = "multiple"
    else:
        answer = "answered"
    return QuestionReading(row.key, answer, chosen, boxes)
