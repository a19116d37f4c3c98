"""Documents on the case page: the section's data, upload (읍면동·시군구 담당자) and download
(any staff member who can see the case). Every answer that shows the case is access-logged."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge

from dolbom.cases.models import Case
from dolbom.cases.views import case_or_404, log_case, render_case, staff, user_names
from dolbom.documents import checks, operations
from dolbom.documents.models import DOCUMENT_KINDS, Document
from dolbom.documents.storage import Storage
from dolbom.identity.access import tenant_roles
from dolbom.web.context import db
from dolbom.web.errors import handle_http
from dolbom.web.htmx import is_partial

log = logging.getLogger(__name__)

UPLOADERS = ("frontline_worker", "coordinator")
UPLOAD_ENDPOINT = "tenant.cases.documents"


def storage() -> Storage:
    return Storage.for_tenant(current_app.config["DOLBOM_SETTINGS"].instance, g.tenant.slug)


def documents_context(session: Session, case: Case) -> dict[str, Any]:
    """What templates/cases/_documents.html needs; an action's errors and values override."""
    documents = operations.documents_of(session, case.id)
    return {
        "documents": documents,
        "document_names": user_names({d.uploaded_by for d in documents}),
        "document_kinds": DOCUMENT_KINDS,
        "document_size": checks.size_label,
        "document_accept": checks.ACCEPT,
        "document_limit_mb": checks.MAX_BYTES // (1024 * 1024),
        "document_upload": g.membership.role in UPLOADERS,
        "document_errors": {},
        "document_values": {},
        "document_message": None,
    }


def _answer(case: Case, status: int, **extra: Any):  # type: ignore[no-untyped-def]
    """The documents section for htmx, the whole case page otherwise."""
    if is_partial():
        context = documents_context(db(), case) | extra
        return render_template("cases/_documents.html", case=case, **context), status
    return render_case(case, status, **extra)


@tenant_roles(*UPLOADERS)
def upload(case_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    store = storage()
    kind, note = request.form.get("kind", ""), request.form.get("note", "")
    result = operations.upload(session, case, request.files.get("file"), kind=kind, note=note,
                               by=g.membership.user_id, storage=store)  # fmt: skip
    if isinstance(result, dict):
        log_case(case, "view")  # the answer shows the case (its documents) again
        session.commit()
        return _answer(case, 422, document_errors=result,
                       document_values={"kind": kind, "note": note})  # fmt: skip
    # The document's id, never its name: a file name often carries the person's name.
    log_case(case, "create", f"문서 {result.id}")
    try:
        session.commit()
    except Exception:
        store.remove(result.storage_key)
        raise
    if is_partial():
        message = _("문서를 보관했습니다: %(name)s", name=result.filename)
        return _answer(case, 200, document_message=message)
    flash(_("문서를 보관했습니다"), "ok")  # no file name: flashes wait in the session store
    return redirect(
        url_for("tenant.cases.show", case_id=case.id, tab="documents") + "#documents", 303
    )


def attachment(document: Document) -> str:
    """`Content-Disposition` with the name in RFC 5987 UTF-8 form and a plain ASCII fallback
    for old clients (Hangul has no ASCII transliteration worth showing)."""
    fallback = f"document-{document.id}.{checks.EXTENSIONS.get(document.content_type, 'bin')}"
    return (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(document.filename, safe='')}"
    )


@staff
def download(case_id: int, document_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    document = operations.document_of(session, case.id, document_id)
    if document is None:
        abort(404)
    path = storage().path(document.storage_key)
    if not path.is_file():
        log.error("document %d: file missing from storage", document.id)
        abort(404)
    log_case(case, "download", f"문서 {document.id}")
    session.commit()
    response = send_file(path, mimetype=document.content_type, conditional=False, etag=False)
    response.headers["Content-Disposition"] = attachment(document)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def too_large(exc: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
    """A body over the app's MAX_CONTENT_LENGTH is refused while the CSRF check reads the form,
    before any view runs and before anything is stored. For the upload form, say the documents'
    limit; the case is not known here (nor is membership checked yet), so only the message."""
    if request.endpoint != UPLOAD_ENDPOINT:
        return handle_http(exc)
    message = _("파일은 %(mb)dMB까지 올릴 수 있습니다", mb=checks.MAX_BYTES // (1024 * 1024))
    if is_partial():
        headers = {"HX-Retarget": "#document-file-msg", "HX-Reswap": "innerHTML"}
        return escape(message), 413, headers
    title = _("파일이 너무 큽니다")
    return render_template("errors/error.html", code=413, title=title, message=message), 413
