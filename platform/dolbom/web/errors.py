"""Error pages in the app's own look, as full pages or htmx fragments."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("잘못된 요청입니다"),
        _l("요청을 처리할 수 없습니다. 입력을 확인하고 다시 시도하세요."),
    ),
    403: (
        _l("접근 권한이 없습니다"),
        _l("이 페이지를 볼 권한이 없습니다. 필요하면 기관 관리자에게 요청하세요."),
    ),
    404: (_l("페이지를 찾을 수 없습니다"), _l("주소가 바뀌었거나 없는 페이지입니다.")),
    405: (_l("허용되지 않는 요청입니다"), _l("이 주소에서는 그 방식의 요청을 받지 않습니다.")),
    413: (_l("파일이 너무 큽니다"), _l("20MB보다 작은 파일을 올리세요.")),
    429: (_l("요청이 너무 많습니다"), _l("잠시 뒤에 다시 시도하세요.")),
    500: (
        _l("일시적인 오류가 발생했습니다"),
        _l("잠시 뒤에 다시 시도하세요. 문제가 계속되면 운영팀에 문의하세요."),
    ),
}


def _render(code: int, detail: str | None = None):  # type: ignore[no-untyped-def]
    title, message = MESSAGES.get(code, MESSAGES[400] if code < 500 else MESSAGES[500])
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=str(title),
            message=detail or str(message),
        ),
        code,
    )


def handle_http(exc: HTTPException):  # type: ignore[no-untyped-def]
    if exc.code is None or exc.code < 400:
        return exc
    from flask_wtf.csrf import CSRFError

    if isinstance(exc, CSRFError):
        from flask_babel import gettext as _

        return _render(
            400, _("보안 토큰이 만료되었거나 없습니다. 페이지를 새로 고친 뒤 다시 시도하세요.")
        )
    body, code = _render(exc.code)
    # Keep what the exception says about itself (Allow on 405, Retry-After, WWW-Authenticate).
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return body, code, headers


def refuse_control_characters():  # type: ignore[no-untyped-def]
    """A NUL byte can never be stored (PostgreSQL refuses it in text) and no person types one:
    refuse the request before any form reads it, instead of failing at the database."""
    for _key, values in request.values.lists():
        if any("\x00" in v for v in values):
            from flask_babel import gettext as _

            return _render(
                400, _("입력에 쓸 수 없는 문자(NUL)가 들어 있습니다. 지우고 다시 보내세요.")
            )
    return None


def handle_data_error(exc: DataError):  # type: ignore[no-untyped-def]
    """A value the database cannot hold (a number out of range, a date it refuses) that no
    form check caught: the request was wrong, not the server. Logged without the values."""
    log.warning("database refused a value: %s", type(exc.orig).__name__)
    session = g.get("db")
    if session is not None:
        session.rollback()
    from flask_babel import gettext as _

    return _render(400, _("입력한 값이 허용 범위를 벗어났습니다. 확인하고 다시 시도하세요."))


def handle_unexpected(exc: Exception):  # type: ignore[no-untyped-def]
    if isinstance(exc, HTTPException) and not isinstance(exc, InternalServerError):
        return handle_http(exc)
    original = getattr(exc, "original_exception", None) or exc
    if isinstance(original, DataError):
        return handle_data_error(original)
    log.error("unhandled error: %s", type(original).__name__, exc_info=original)
    session = g.get("db")
    if session is not None:
        # The failed transaction must not break the error page's own queries (user, menu).
        session.rollback()
    try:
        return _render(500)
    except Exception:  # the page itself needs what just failed (database, Redis): plain page
        from dolbom.web.security import FALLBACK_500

        log.error("error page failed; sent the plain one")
        return FALLBACK_500, 500, {"Content-Type": "text/html; charset=utf-8"}


def init_app(app: Flask) -> None:
    app.before_request(refuse_control_characters)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
