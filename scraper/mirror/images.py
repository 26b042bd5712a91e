"""Tiny valid images generated in code (stdlib only) for ``/uploads/...`` paths."""

from __future__ import annotations

import hashlib
import struct
import zlib


def _seed(name: str) -> bytes:
    return hashlib.sha256(name.encode("utf-8")).digest()


def make_jpeg(width: int = 640, height: int = 424, level: int = 160) -> bytes:
    """A baseline grayscale JPEG of one flat grey ``level`` (0..255).

    Every 8x8 block only has a DC coefficient; the first block carries the level
    as a DC difference and all others repeat it, so the entropy data is trivial.
    """
    diff = 8 * (max(0, min(255, level)) - 128)  # DC coefficient with a unit quantisation table
    cat = abs(diff).bit_length()
    dc_symbol = max(cat, 1)  # keep both DC symbols distinct even for a zero difference
    out = bytearray(b"\xff\xd8")
    out += b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    out += b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + b"\x01" * 64
    out += b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    # DC table: two 2-bit codes, "00" -> category 0, "01" -> category `dc_symbol`
    out += b"\xff\xc4" + struct.pack(">H", 2 + 1 + 16 + 2) + b"\x00"
    out += bytes([0, 2] + [0] * 14) + bytes([0, dc_symbol])
    # AC table: a single 1-bit code "0" -> EOB
    out += b"\xff\xc4" + struct.pack(">H", 2 + 1 + 16 + 1) + b"\x10" + bytes([1] + [0] * 15) + b"\x00"
    out += b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"

    bits: list[str] = []
    if cat:
        value = diff if diff > 0 else diff + (1 << cat) - 1
        bits.append("01" + format(value, f"0{cat}b") + "0")
    else:
        bits.append("000")
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    bits.append("000" * (blocks - 1))
    stream = "".join(bits)
    stream += "1" * (-len(stream) % 8)
    for i in range(0, len(stream), 8):
        byte = int(stream[i : i + 8], 2)
        out.append(byte)
        if byte == 0xFF:
            out.append(0x00)
    out += b"\xff\xd9"
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def make_png(width: int = 320, height: int = 200, color: tuple[int, int, int] = (10, 110, 189)) -> bytes:
    """An RGB PNG with a soft vertical gradient of ``color``."""
    rows = bytearray()
    for y in range(height):
        k = 0.6 + 0.4 * y / max(1, height - 1)
        pixel = bytes(int(c * k) for c in color)
        rows += b"\x00" + pixel * width
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def image_for(path: str) -> tuple[str, bytes] | None:
    """(content type, bytes) for an image path, varied but stable per path; None if not an image."""
    lower = path.lower()
    seed = _seed(path)
    if lower.endswith((".jpg", ".jpeg")):
        return "image/jpeg", make_jpeg(level=90 + seed[0] % 140)
    if lower.endswith(".png"):
        small = "logo" in lower or "favicon" in lower
        size = (80, 80) if small else (320, 200)
        return "image/png", make_png(*size, color=(seed[0] % 200, 60 + seed[1] % 150, 120 + seed[2] % 130))
    return None
