"""Fitted PNGs written by ``render/png_encoder``: lossless in every mode it writes, read
alike by Pillow and libpng (OpenCV), stating their resolution and colour profile."""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
import pytest
from PIL import Image, ImageCms

from casekit.render.png_encoder import COLOUR_TYPES, png_bytes


def noisy(mode: str, size: tuple[int, int]) -> Image.Image:
    """Random samples, but rows repeating in places (as the Up filter meets them)."""
    rng = random.Random(f"{mode}{size}")
    bands = len(mode)
    rows = [bytes(rng.randrange(256) for _ in range(size[0] * bands)) for _ in range(size[1])]
    rows = [rows[y - 1] if y % 3 == 2 else rows[y] for y in range(size[1])]
    return Image.frombytes(mode, size, b"".join(rows))


@pytest.mark.parametrize("mode", sorted(COLOUR_TYPES))
@pytest.mark.parametrize("size", [(1, 1), (7, 1), (1, 5), (161, 97)])
def test_every_pixel_comes_back_in_pillow_and_libpng(mode: str, size: tuple[int, int]) -> None:
    image = noisy(mode, size)
    data = png_bytes(image, 150.0, None)
    assert data == png_bytes(image, 150.0, None)  # the same bytes for the same pixels
    with Image.open(io.BytesIO(data)) as back:
        back.load()
        assert (back.mode, back.size, back.tobytes()) == (mode, size, image.tobytes())
        assert back.info["dpi"] == pytest.approx((150.0, 150.0), abs=0.02)  # pixels a metre
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    expected = np.asarray(image)
    if mode == "RGB":
        expected = expected[:, :, ::-1]
    elif mode == "RGBA":
        expected = expected[:, :, [2, 1, 0, 3]]
    elif mode == "LA":  # libpng gives gray and alpha as BGRA
        gray, alpha = expected[..., 0], expected[..., 1]
        expected = np.stack([gray, gray, gray, alpha], axis=-1)
    assert np.array_equal(pixels.reshape(expected.shape), expected)


def test_the_colour_profile_is_carried() -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = png_bytes(noisy("RGB", (40, 30)), 72.0, profile)
    with Image.open(io.BytesIO(data)) as back:
        assert back.info["icc_profile"] == profile
    assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED) is not None
