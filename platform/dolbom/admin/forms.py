"""The operator's new-tenant form: checked in full before anything is created."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from dolbom.admin.provision import KIND, available_packs, read_named_pack
from dolbom.jobs import reconcile
from dolbom.jobs.models import JobRecord
from dolbom.tenancy.models import Tenant
from dolbom.tenancy.packs import PackError
from dolbom.tenancy.provisioning import schema_exists
from dolbom.tenancy.slugs import SlugError, check_slug

FIELDS = ("pack", "slug", "name", "region")


@dataclass
class NewTenant:
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    # Every problem in the chosen pack, each naming its file and field.
    pack_errors: list[str] = field(default_factory=list)
    # A creation of the same slug already under way.
    running_job: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def check_new_tenant(session: Session, form: Mapping[str, str]) -> NewTenant:
    """Blank slug, name and region come from the chosen pack's tenant.yaml."""
    values = {k: (form.get(k) or "").strip() for k in FIELDS}
    result = NewTenant(values)
    errors = result.errors
    if values["pack"]:
        info = next((p for p in available_packs() if p.folder == values["pack"]), None)
        if info is None:
            errors["pack"] = _("목록에 없는 팩입니다.")
        else:
            values["slug"] = values["slug"] or info.slug
            values["name"] = values["name"] or info.name
            values["region"] = values["region"] or (info.region or "")
            try:
                read_named_pack(info.folder)
            except PackError as exc:
                result.pack_errors = exc.errors
                errors["pack"] = _(
                    "팩에 고칠 곳이 %(n)d개 있습니다. 아무것도 만들지 않았습니다.",
                    n=len(exc.errors),
                )
    try:
        check_slug(values["slug"])
    except SlugError as exc:
        errors["slug"] = str(exc)
    if not values["name"]:
        errors["name"] = _("기관 이름을 쓰세요.")
    elif len(values["name"]) > 100:
        errors["name"] = _("기관 이름은 100자를 넘을 수 없습니다.")
    if len(values["region"]) > 50:
        errors["region"] = _("지역은 50자를 넘을 수 없습니다.")
    if "slug" not in errors:
        _check_free(session, result)
    return result


def _check_free(session: Session, result: NewTenant) -> None:
    slug = result.values["slug"]
    if session.scalar(sa.select(Tenant.id).where(Tenant.slug == slug)) is not None:
        result.errors["slug"] = _("'%(slug)s' 기관이 이미 있습니다.", slug=slug)
        return
    if schema_exists(session.connection(), slug):
        result.errors["slug"] = _(
            "'%(slug)s' 스키마가 이미 있지만 기관 기록이 없습니다. 확인한 뒤 지우세요.",
            slug=slug,
        )
        return
    running = session.scalars(
        sa.select(JobRecord).where(
            JobRecord.tenant_slug == slug,
            JobRecord.kind == KIND,
            JobRecord.status.in_(("queued", "started")),
        )
    ).all()
    for record in running:
        if reconcile(session, record).status in {"queued", "started"}:
            result.running_job = record.id
            result.errors["slug"] = _("'%(slug)s' 기관을 이미 만드는 중입니다.", slug=slug)
            return
