"""The list's screens for coordinators and city administrators: upload, the batches, one batch
with its progress bar (polled while the job runs; the page can be left and come back to), its
report of rows not imported, its figures per dong, the export for the national system."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dolbom.plugins.api import (
    current_dongs,
    dong_names,
    is_partial,
    job_id,
    job_state,
    log_access,
    request_session,
    tenant_roles,
)
from dolbom_blindspots import columns as C
from dolbom_blindspots import exporting, operations, queries, reading
from dolbom_blindspots.models import BATCH_STATUSES, RISKS, Batch
from dolbom_blindspots.scoring import ScoringMissing, read_scoring, rules_missing
from dolbom_blindspots.validate import clean

managers = tenant_roles("coordinator", "city_admin")
ENDPOINT = "tenant.plugin_blindspots"


def _go(url: str) -> Response:
    if request.headers.get("HX-Request"):
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url, 303)  # type: ignore[return-value]


def _rules_problem(*, full: bool = False) -> str | None:
    if not full:
        return rules_missing(request_session(), g.tenant.slug)
    try:
        read_scoring(request_session(), g.tenant.slug)
    except ScoringMissing as exc:
        return str(exc)
    return None


def _upload_context(errors: dict[str, str] | None = None, label: str = "") -> dict[str, Any]:
    return {"errors": errors or {}, "label": label, "rules_problem": _rules_problem(),
            "max_mb": reading.MAX_BYTES // 1048576, "columns": C, "risks": RISKS}  # fmt: skip


@managers
def index():  # type: ignore[no-untyped-def]
    return render_template("blindspots/index.html", batches=queries.batches(request_session()),
                           statuses=BATCH_STATUSES, **_upload_context())  # fmt: skip


@managers
def upload():  # type: ignore[no-untyped-def]
    session, m = request_session(), g.membership
    file = request.files.get("file")
    label = (request.form.get("label") or "").strip()
    errors: dict[str, str] = {}
    if len(label) > 100:
        errors["label"] = _("이름은 100자까지입니다")
    problem = _rules_problem(full=True)
    if problem:
        errors["file"] = problem
    elif file is None or not file.filename:
        errors["file"] = _("명단 파일을 고르세요")
    if not errors and file is not None:
        data = file.read(reading.MAX_BYTES + 1)
        try:
            batch = operations.create_batch(session, g.tenant.slug, file_name=file.filename or "",
                                            data=data, label=label, user_id=m.user_id)  # fmt: skip
        except reading.FileRefused as exc:
            errors["file"] = str(exc)
        else:
            session.commit()  # the import is queued once this commits
            return _go(url_for(f"{ENDPOINT}.batch", batch_id=batch.id))
    context = _upload_context(errors, label)
    if is_partial():
        return render_template("blindspots/_upload.html", **context), 422
    return render_template("blindspots/index.html", batches=queries.batches(session),
                           statuses=BATCH_STATUSES, **context), 422  # fmt: skip


@managers
def template():  # type: ignore[no-untyped-def]
    return Response(exporting.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=blindspots_template.csv"})  # fmt: skip


def _batch_or_404(batch_id: int) -> Batch:
    batch = request_session().get(Batch, batch_id)
    if batch is None:
        abort(404)
    return batch


def state(batch: Batch) -> dict[str, Any]:
    """What the progress bar shows: the batch's own status once settled, else the job's."""
    if batch.status in ("imported", "failed", "discarded"):
        return {"status": batch.status, "progress": 100, "step": None, "message": batch.message}
    job = job_state(job_id(g.tenant.slug, "blindspots-import", str(batch.id)), g.tenant.slug)
    if job is None:
        return {"status": batch.status, "progress": 0, "step": None, "message": None}
    status, progress, step = job
    if status == "failed":
        return {"status": "failed", "progress": progress, "step": None,
                "message": batch.message or _("작업이 중단되었습니다. 다시 실행하세요.")}  # fmt: skip
    return {"status": "running" if status in ("started", "finished") else "queued",
            "progress": progress, "step": step, "message": None}  # fmt: skip


def _body_context(batch: Batch) -> dict[str, Any]:
    session = request_session()
    figures = queries.batch_figures(session, batch.id)
    names = dong_names(session, figures["by_dong"]) | {
        d.code: d.name for d in current_dongs(session)
    }
    return {"batch": batch, "state": state(batch), "figures": figures, "names": names,
            "report": queries.problems(session, batch.id, request.args.get("page")),
            "statuses": BATCH_STATUSES, "risks": RISKS, "encodings": reading.ENCODING_LABELS}  # fmt: skip


@managers
def batch(batch_id: int):  # type: ignore[no-untyped-def]
    b = _batch_or_404(batch_id)
    template = "blindspots/_batch_body.html" if is_partial() else "blindspots/batch.html"
    return render_template(template, **_body_context(b))


@managers
def progress(batch_id: int):  # type: ignore[no-untyped-def]
    return render_template("blindspots/_batch_body.html", **_body_context(_batch_or_404(batch_id)))


@managers
def retry(batch_id: int):  # type: ignore[no-untyped-def]
    b = _batch_or_404(batch_id)
    if state(b)["status"] == "failed":
        b.status, b.message = "queued", None
        request_session().commit()
        operations.rerun(g.tenant.slug, b, user_id=g.membership.user_id)
    return _go(url_for(f"{ENDPOINT}.batch", batch_id=b.id))


@managers
def discard(batch_id: int):  # type: ignore[no-untyped-def]
    """Throw away a list that failed or still waits: its stored file is deleted."""
    session = request_session()
    b = _batch_or_404(batch_id)
    if state(b)["status"] in operations.DISCARDABLE:
        session.rollback()  # the row lock is taken afresh in discard()
        if operations.discard(session, batch_id) is not None:
            log_access(session, subject_type="blindspots_batch", subject_id=batch_id,
                       action="delete", detail="올린 명단 폐기 (파일 삭제)")  # fmt: skip
        session.commit()
    return _go(url_for(f"{ENDPOINT}.batch", batch_id=batch_id))


def _download(data: bytes, name: str, fmt: str) -> Response:
    mimetype = ("text/csv" if fmt == "csv" else
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}.{fmt}"})  # fmt: skip


def _export_form(
    b: Batch, fmt: str, *, reason: str = "", error: str | None = None, status: int = 200
):  # type: ignore[no-untyped-def]
    return render_template("blindspots/export.html", batch=b, fmt=fmt, reason=reason,
                           error=error, max_reason=REASON_MAX), status  # fmt: skip


REASON_MAX = 100  # the access log keeps 200 characters of detail


@managers
def export(batch_id: int, fmt: str):  # type: ignore[no-untyped-def]
    """GET: the form asking why the file is taken; POST with a reason: the file, access-logged
    with that reason (domain.md: an export of personal data says why)."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    session = request_session()
    b = _batch_or_404(batch_id)
    if b.status != "imported":
        abort(404)
    if request.method == "GET":
        return _export_form(b, fmt)
    reason = clean(request.form.get("reason") or "")
    if not reason:
        return _export_form(b, fmt, error=_("내려받는 까닭을 적으세요 (접근 기록에 남습니다)"), status=422)  # fmt: skip
    if len(reason) > REASON_MAX:
        return _export_form(b, fmt, reason=reason, status=422,
                            error=_("까닭은 %(n)d자까지입니다", n=REASON_MAX))  # fmt: skip
    tasks = queries.export_rows(session, b.id)
    rows = exporting.result_rows(tasks, dong_names(session, {t.dong_code for t in tasks}))
    log_access(session, subject_type="blindspots_batch", subject_id=b.id, action="download",
               detail=f"회신 파일 {fmt} {len(rows)}행 — 까닭: {reason}"[:200])  # fmt: skip
    session.commit()
    data = (exporting.to_csv(exporting.RESULT_HEADER, rows) if fmt == "csv"
            else exporting.to_xlsx(exporting.RESULT_HEADER, rows, "방문 결과"))  # fmt: skip
    return _download(data, f"blindspots_{b.id}_results", fmt)


@managers
def report(batch_id: int, kind: str):  # type: ignore[no-untyped-def]
    if kind != "csv":
        abort(404)
    b = _batch_or_404(batch_id)
    rows = queries.all_problems(request_session(), b.id)
    return _download(exporting.to_csv(exporting.REPORT_HEADER, rows), f"blindspots_{b.id}_report", "csv")  # fmt: skip
