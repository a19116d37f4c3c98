"""Platform operator pages: tenants with their figures, creating them from packs, their plugins
and exports; jobs, and retrying the failed ones."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from dolbom import audit
from dolbom.admin.forms import NewTenant, check_new_tenant
from dolbom.admin.operations import JobGone, request_tenant, retry_failed_job
from dolbom.admin.provision import STEPS, available_packs
from dolbom.admin.queries import add_figures, failed_jobs, recent_jobs, tenant_rows
from dolbom.identity.access import platform_role_required
from dolbom.identity.models import Role
from dolbom.jobs import enqueue, reconcile
from dolbom.jobs.models import JobRecord
from dolbom.plugins.host import get_host
from dolbom.tenancy.dump import export_job
from dolbom.tenancy.models import Tenant
from dolbom.tenancy.operations import TenantError, set_plugin
from dolbom.web.context import db
from dolbom.web.htmx import is_partial

bp = Blueprint("admin", __name__, url_prefix="/admin")
operator_only = platform_role_required(Role.PLATFORM_OPERATOR)


def export_dir() -> Path:
    return current_app.config["DOLBOM_SETTINGS"].instance / "exports"


def _go(url: str) -> Response:
    """After a post: htmx navigates to the page itself, a plain form follows the redirect."""
    if request.headers.get("HX-Request"):
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url, 303)  # type: ignore[return-value]


def _create_context(form: NewTenant | None) -> dict:
    existing = set(db().scalars(sa.select(Tenant.slug)))
    return {
        "form": form or NewTenant({}),
        "packs": [(p, p.slug in existing) for p in available_packs()],
    }


@bp.get("/")
@operator_only
def tenants():  # type: ignore[no-untyped-def]
    return _tenants_page(None)


def _tenants_page(form: NewTenant | None, status: int = 200):  # type: ignore[no-untyped-def]
    if form is not None and is_partial():
        # A failed htmx post swaps just the creation section.
        return render_template("admin/_create.html", **_create_context(form)), status
    session = db()
    rows = tenant_rows(session)
    add_figures(session, rows)
    return render_template(
        "admin/tenants.html",
        rows=rows,
        plugins={name: p.title for name, p in sorted(get_host().plugins.items())},
        **_create_context(form),
    ), status


@bp.post("/tenants")
@operator_only
def create_tenant():  # type: ignore[no-untyped-def]
    session = db()
    form = check_new_tenant(session, request.form)
    if not form.ok:
        return _tenants_page(form, 422)
    job_id = request_tenant(session, form, user_id=current_user.user_id, ip=request.remote_addr)
    return _go(url_for("admin.job", job_id=job_id))


@bp.post("/tenants/<slug>/export")
@operator_only
def start_export(slug: str):  # type: ignore[no-untyped-def]
    from dolbom.tenancy.operations import get_tenant

    if get_tenant(db(), slug) is None:
        abort(404)
    job_id = enqueue(
        export_job,
        slug,
        "dump",
        str(export_dir()),
        queue="low",
        user_id=current_user.user_id,
        timeout=3600,
    )
    return redirect(url_for("admin.job", job_id=job_id)), 303


@bp.post("/tenants/<slug>/plugins/<plugin>")
@operator_only
def toggle_plugin(slug: str, plugin: str):  # type: ignore[no-untyped-def]
    enabled = request.form.get("enabled") == "1"
    try:
        set_plugin(slug, plugin, enabled, user_id=current_user.user_id)
    except TenantError as exc:
        flash(str(exc), "error")
    else:
        flash(
            _(
                "%(plugin)s 플러그인을 %(state)s.",
                plugin=plugin,
                state=_("켰습니다") if enabled else _("껐습니다"),
            ),
            "ok",
        )
    return redirect(url_for("admin.tenants"), 303)


@bp.get("/jobs/<path:job_id>")
@operator_only
def job(job_id: str):  # type: ignore[no-untyped-def]
    record = db().get(JobRecord, job_id)
    if record is None:
        abort(404)
    return render_template("admin/job.html", job=record, steps=STEPS)


@bp.get("/jobs/<path:job_id>/progress")
@operator_only
def job_progress(job_id: str):  # type: ignore[no-untyped-def]
    record = db().get(JobRecord, job_id)
    if record is None:
        abort(404)
    reconcile(db(), record)
    return render_template("admin/_job_progress.html", job=record, steps=STEPS)


@bp.get("/jobs/<path:job_id>/download")
@operator_only
def job_download(job_id: str):  # type: ignore[no-untyped-def]
    session = db()
    record = session.get(JobRecord, job_id)
    if record is None or record.status != "finished" or not record.result_file:
        abort(404)
    path = export_dir() / Path(record.result_file).name
    if not path.is_file():
        abort(404)
    audit.record(
        session,
        "tenant.dump_downloaded",
        user_id=current_user.user_id,
        tenant_slug=record.tenant_slug,
        ip=request.remote_addr,
        file=path.name,
    )
    session.commit()
    return send_file(path, as_attachment=True, download_name=path.name, mimetype="application/gzip")


@bp.get("/jobs")
@operator_only
def jobs():  # type: ignore[no-untyped-def]
    return render_template("admin/jobs.html", recent=recent_jobs(db()), failed=failed_jobs())


@bp.post("/jobs/<path:job_id>/retry")
@operator_only
def retry_job(job_id: str):  # type: ignore[no-untyped-def]
    try:
        retry_failed_job(db(), job_id, user_id=current_user.user_id, ip=request.remote_addr)
    except JobGone:
        message = _(
            "'%(id)s' 작업은 실패한 작업 목록에 없습니다. 이미 다시 실행했거나 없는 작업입니다.",
            id=job_id,
        )
        title = _("실패한 작업을 찾을 수 없습니다")
        return render_template("errors/error.html", code=404, title=title, message=message), 404
    flash(_("작업 %(id)s을(를) 다시 대기열에 넣었습니다.", id=job_id), "ok")
    return redirect(url_for("admin.jobs"), 303)
