"""Security headers on every response: pages, fragments, error pages and static files.

Flask adds them after each request; a WSGI layer around the whole app adds any that are still
missing and answers a plain 500 page (with the headers) if even the error handler failed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, request

log = logging.getLogger(__name__)

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=63072000; includeSubDomains"


def headers_for(secure: bool, static: bool) -> list[tuple[str, str]]:
    headers = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if secure:
        headers.append(("Strict-Transport-Security", HSTS))
    if not static:
        # Pages show personal data: never in a shared cache.
        headers.append(("Cache-Control", "no-store"))
    return headers


def add_security_headers(response: Response) -> Response:
    static = request.path.startswith("/static/")
    for name, value in headers_for(request.is_secure, static):
        response.headers[name] = value
    if not static:
        response.headers.add("Vary", "HX-Request, HX-Request-Type")
    return response


FALLBACK_500 = (
    '<!doctype html><html lang="ko"><meta charset="utf-8"><title>오류</title>'
    '<link rel="stylesheet" href="/static/css/app.css"><main class="app-main">'
    '<section class="app-error"><p class="app-error-code">500</p>'
    '<h1 class="app-title">일시적인 오류가 발생했습니다</h1>'
    "<p>잠시 뒤에 다시 시도하세요. 문제가 계속되면 운영팀에 문의하세요.</p></section></main></html>"
).encode()


class SecurityHeaders:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        secure = environ.get("wsgi.url_scheme") == "https"
        static = str(environ.get("PATH_INFO", "")).startswith("/static/")
        extra = headers_for(secure, static)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in headers}
            headers.extend((n, v) for n, v in extra if n.lower() not in present)
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, start)
        except Exception:  # the error handler itself failed (e.g. database and Redis down)
            log.exception("request failed outside the error handler")
            headers = [("Content-Type", "text/html; charset=utf-8"), *extra]
            start_response("500 INTERNAL SERVER ERROR", headers)
            return [FALLBACK_500]


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # type: ignore[method-assign]
