"""Platform operator pages: tenants, their plugins and exports, jobs."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
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
from dolbom.admin.queries import failed_jobs, recent_jobs, tenant_rows
from dolbom.identity.access import platform_role_required
from dolbom.identity.models import Role
from dolbom.jobs import enqueue, reconcile
from dolbom.jobs.models import JobRecord
from dolbom.plugins.host import get_host
from dolbom.tenancy.dump import export_job
from dolbom.tenancy.operations import TenantError, set_plugin
from dolbom.web.context import db

bp = Blueprint("admin", __name__, url_prefix="/admin")
operator_only = platform_role_required(Role.PLATFORM_OPERATOR)


def export_dir() -> Path:
    return current_app.config["DOLBOM_SETTINGS"].instance / "exports"


@bp.get("/")
@operator_only
def tenants():  # type: ignore[no-untyped-def]
    return render_template(
        "admin/tenants.html",
        rows=tenant_rows(db()),
        plugins={name: p.title for name, p in sorted(get_host().plugins.items())},
    )


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
    return render_template("admin/job.html", job=record)


@bp.get("/jobs/<path:job_id>/progress")
@operator_only
def job_progress(job_id: str):  # type: ignore[no-untyped-def]
    record = db().get(JobRecord, job_id)
    if record is None:
        abort(404)
    reconcile(db(), record)
    return render_template("admin/_job_progress.html", job=record)


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
