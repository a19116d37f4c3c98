"""Creating a tenant from the operator console: the packs on offer, the request, the job.

The operator's request (name, region, pack: public facts about a municipality) is kept as a
platform event; the job's payload is only the tenant's slug and that request's key, and the
job reads the rest. The job is idempotent: a tenant already there and ready is a success, so a
second run — RQ runs jobs at least once — changes nothing."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from flask_babel import lazy_gettext as _l
from rq import get_current_job
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from dolbom import audit
from dolbom.audit.models import PlatformEvent
from dolbom.config import ROOT
from dolbom.db import shared_session, tenant_session, utcnow
from dolbom.jobs import JobContext, tenant_job
from dolbom.people.models import Person
from dolbom.tenancy.models import Tenant
from dolbom.tenancy.operations import TenantError, TenantExists, create_tenant, drop_tenant
from dolbom.tenancy.packs import Pack, PackError, load_pack, read_pack
from dolbom.web.filters import JOB_KINDS

# The repository's packs (tenants/<slug>/). Tests point this at a folder of their own.
PACKS_DIR: Path = ROOT / "tenants"
KIND = "create"
REQUESTED = "tenant.create_requested"
# The job's steps, in order, as the progress bar names them (JobRecord.message holds the code).
STEPS = {
    "schema": _l("스키마 만들기"),
    "districts": _l("구·동과 기본 설정 넣기"),
    "forms": _l("서식 넣기"),
    "rules": _l("규칙 넣기"),
    "catalogue": _l("서비스 목록과 제공기관 넣기"),
    "done": _l("완료"),
}
JOB_KINDS.setdefault(KIND, _l("기관 만들기"))


class PackInvalid(RuntimeError):
    """The pack the request named no longer reads cleanly (edited since the request)."""


def packs_dir() -> Path:
    return PACKS_DIR


@dataclass(frozen=True)
class PackInfo:
    folder: str
    slug: str
    name: str
    region: str | None
    readable: bool = True


def _plain_folder(folder: str) -> bool:
    return bool(folder) and Path(folder).name == folder and not folder.startswith(".")


def available_packs() -> list[PackInfo]:
    """The packs in the packs folder, from their tenant.yaml only (full validation reads every
    form, rule and provider: that waits until one is chosen)."""
    root = packs_dir()
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.iterdir()):
        meta_file = path / "tenant.yaml"
        if not _plain_folder(path.name) or not meta_file.is_file():
            continue
        try:
            meta = yaml.safe_load(meta_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            meta = None
        if not isinstance(meta, dict):
            found.append(PackInfo(path.name, path.name, path.name, None, readable=False))
            continue
        region = meta.get("region")
        found.append(
            PackInfo(
                path.name,
                str(meta.get("slug") or path.name),
                str(meta.get("name") or path.name),
                str(region) if region else None,
            )
        )
    return found


def read_named_pack(folder: str) -> Pack:
    """Read and check a pack chosen by folder name; errors name files relative to the folder
    of packs (`daejeon/districts.yaml: gu[0].code: …`)."""
    if not _plain_folder(folder) or not (packs_dir() / folder).is_dir():
        raise PackError([f"{folder}: 팩 폴더가 없습니다"])
    try:
        return read_pack(packs_dir() / folder)
    except PackError as exc:
        prefix = f"{packs_dir()}/"
        raise PackError([e.replace(prefix, "") for e in exc.errors]) from None


@dataclass(frozen=True)
class Request:
    key: str
    name: str
    region: str | None
    pack: str | None
    user_id: int | None


def record_request(
    session: Session,
    slug: str,
    name: str,
    *,
    region: str | None,
    pack: str | None,
    user_id: int | None,
    ip: str | None,
) -> str:
    """Keep the operator's request in the caller's transaction; returns its key (the job's)."""
    key = utcnow().strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(3)
    audit.record(
        session,
        REQUESTED,
        user_id=user_id,
        tenant_slug=slug,
        ip=ip,
        key=key,
        name=name,
        region=region,
        pack=pack,
    )
    return key


def _request(slug: str, key: str) -> Request:
    with shared_session() as s:
        event = s.scalar(
            sa.select(PlatformEvent).where(
                PlatformEvent.action == REQUESTED,
                PlatformEvent.tenant_slug == slug,
                PlatformEvent.detail["key"].astext == key,
            )
        )
    if event is None:
        raise _final(TenantError(f"'{slug}' 기관을 만들라는 요청({key})이 없습니다."))
    d = event.detail
    return Request(key, d["name"], d.get("region"), d.get("pack"), event.user_id)


def _final(exc: Exception) -> Exception:
    """A refusal no automatic retry can change (a broken pack, a slug clash): the job goes to
    the failed list at once, where the operator retries it after fixing the cause."""
    job = get_current_job()
    if job is not None:
        job.retries_left = 0
    return exc


def _step(ctx: JobContext, percent: int, step: str) -> None:
    job = get_current_job()
    if job is not None:
        job.meta.setdefault("steps", []).append(step)  # saved by ctx.progress
    ctx.progress(percent, step)


_IDENTITY = frozenset({"path", "slug", "name", "region", "plugins"})


def _only(pack: Pack, keep: set[str]) -> Pack:
    """The pack with every data field but `keep` emptied: load_pack then writes just those."""
    empty: dict[str, Any] = {}
    for f in fields(Pack):
        if f.name in _IDENTITY or f.name in keep:
            continue
        empty[f.name] = f.default_factory() if f.default_factory is not MISSING else f.default
    return replace(pack, **empty)


def load_in_steps(session: Session, pack: Pack, report: Callable[[int, str], None]) -> None:
    """load_pack, part by part and in its order, reporting each part. Whatever a pack holds
    besides forms, rules and the catalogue (districts, profile, settings and any later field)
    is written first, as load_pack itself does."""
    data = {f.name for f in fields(Pack)} - _IDENTITY
    later = ("forms", "rules", "catalogue")
    report(35, "districts")
    load_pack(session, _only(pack, data - set(later)))
    for percent, part in zip((50, 70, 85), later, strict=True):
        report(percent, part)
        load_pack(session, _only(pack, {part}))


def _status(slug: str) -> str | None:
    with shared_session() as s:
        return s.scalar(sa.select(Tenant.status).where(Tenant.slug == slug))


def _has_people(slug: str) -> bool:
    with tenant_session(slug) as s:
        try:
            return bool(s.scalar(sa.select(sa.exists().select_from(Person))))
        except ProgrammingError:  # no schema or no table: nothing to lose
            return False


def _clear_leftover(slug: str, user_id: int | None) -> None:
    """create_tenant is all or nothing, so a failed run leaves nothing and a rerun simply
    creates. A tenant row that is not ready (from a manual step or an older release) is
    made again from scratch, unless people were already registered in it."""
    if _has_people(slug):
        raise _final(
            TenantError(
                f"'{slug}' 기관이 완성되지 않았는데 대상자 기록이 있습니다. 운영자가 확인하세요."
            )
        )
    drop_tenant(slug, user_id=user_id)


@tenant_job(KIND)
def create_tenant_job(ctx: JobContext, key: str) -> str:
    job = get_current_job()
    if job is not None:
        job.meta["steps"] = []  # this run's steps, not an earlier run's
    request = _request(ctx.tenant, key)
    status = _status(ctx.tenant)
    if status == "ready":
        _step(ctx, 100, "done")
        return "exists"
    if status is not None:
        _clear_leftover(ctx.tenant, request.user_id)
    pack = None
    if request.pack:
        try:
            pack = replace(read_named_pack(request.pack), slug=ctx.tenant)
        except PackError as exc:
            raise _final(
                PackInvalid(f"팩 '{request.pack}' 오류 {len(exc.errors)}건: {exc.errors[0]}")
            ) from exc
    _step(ctx, 5, "schema")
    try:
        create_tenant(
            ctx.tenant,
            request.name,
            region=request.region,
            pack=pack,
            user_id=request.user_id,
            load=lambda session, p: load_in_steps(
                session, p, lambda pct, step: _step(ctx, pct, step)
            ),
        )
    except TenantExists:
        if _status(ctx.tenant) != "ready":
            raise
        # Made meanwhile by another run of this request: the same outcome.
    except TenantError as exc:
        raise _final(exc) from None
    _step(ctx, 100, "done")
    return "created"
