"""htmx 4 request helpers (our own: libraries written for htmx 2 read the old header names)."""

from __future__ import annotations

from flask import request


def is_partial() -> bool:
    """htmx 4 asks for a fragment with `HX-Request-Type: partial`. `full` (boosted links,
    `hx-select`) and history restores — which carry no `HX-Request` header at all — want the
    whole page, like a normal request."""
    return request.headers.get("HX-Request-Type") == "partial"


def layout() -> str:
    return "layout/partial.html" if is_partial() else "layout/base.html"
