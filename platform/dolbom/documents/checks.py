"""What an uploaded file must be before it is kept: a PDF, JPEG or PNG by its first bytes (the
name and the browser's content type are the sender's claim, not evidence), not empty, not over
the limit; and a display name that cannot carry a path or control characters."""

from __future__ import annotations

import os
import unicodedata
from typing import BinaryIO

MAX_BYTES = 10 * 1024 * 1024
MAX_NAME = 200

# Magic numbers: PDF (ISO 32000 header), JPEG (SOI marker + the first segment's 0xFF), PNG.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
HEAD = max(len(sig) for sig, _ in SIGNATURES)
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def sniff(head: bytes) -> str | None:
    """The content type the bytes prove, or None for anything else (HTML, executables, …)."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def peek(stream: BinaryIO) -> bytes:
    """The first bytes, with the stream put back where it was."""
    start = stream.tell()
    head = stream.read(HEAD)
    stream.seek(start)
    return head


def measure(stream: BinaryIO) -> int:
    """The size from the current position to the end, without reading the data."""
    start = stream.tell()
    end = stream.seek(0, os.SEEK_END)
    stream.seek(start)
    return end - start


def display_name(raw: str | None, content_type: str) -> str:
    """The uploaded name, for display only: no directories, no control or format characters
    (bidi overrides make `exe.pdf` look like `fdp.exe`), at most 200 characters with the
    extension kept; a fallback when nothing is left."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(_visible(ch) for ch in name)
    name = " ".join(name.split()).strip(". ")
    if not name:
        name = f"document.{EXTENSIONS.get(content_type, 'bin')}"
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_NAME - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_NAME]
    return name


def _visible(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Zs":  # no-break and other spaces: a plain space
        return " "
    return "" if category[0] in "CZ" else ch


def size_label(size: int) -> str:
    """`12 KB`, `3.4 MB`: what the list and the limit hint show."""
    if size < 1024 * 1024:
        return f"{max(1, -(-size // 1024)):,} KB"
    return f"{size / (1024 * 1024):.1f} MB"
