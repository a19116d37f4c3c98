"""What the case page and the landing page show of care-safe housing."""

from __future__ import annotations

from flask import g, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from dolbom.plugins.api import CaseInfo, Panel, TenantContext, log_access, tenant_session
from dolbom_housing import queries
from dolbom_housing.models import Building, Flat
from dolbom_housing.web import MANAGERS, READERS


def _log_view(ctx: TenantContext, person_id: int) -> None:
    """The case page commits its own access-log row before the panels are drawn: this one, for
    the housing data shown, goes in a short transaction of its own."""
    if not has_request_context() or g.get("membership") is None:
        return
    with tenant_session(ctx.slug) as s, s.begin():
        log_access(s, subject_type="person", subject_id=person_id, action="view",
                   detail="케어안심주택 (사례 화면)")  # fmt: skip


def case_panels(ctx: TenantContext, session: Session, case: CaseInfo) -> list[Panel]:
    if ctx.role not in READERS:
        return []
    tenancy = queries.current_tenancy(session, person_id=case.person_id)
    if tenancy is not None:
        flat = session.get(Flat, tenancy.flat_id)
        building = session.get(Building, flat.building_id) if flat else None
        if flat is None or building is None:
            return []
        _log_view(ctx, case.person_id)
        lines = [_("입주일 %(day)s", day=tenancy.moved_in_on),
                 _("편의시설: %(items)s", items=", ".join(flat.features()) or _("없음")),
                 _("현장 서비스: %(items)s",
                   items=", ".join(building.services or []) or _("등록된 서비스 없음"))]  # fmt: skip
        if building.address:
            lines.insert(0, _("주소 %(address)s", address=building.address))
        if tenancy.check_flagged_on is not None:
            note = tenancy.check_note or tenancy.check_flagged_on
            lines.append(_("퇴거 확인 필요 — %(note)s", note=note))
        body = _(
            "%(building)s %(flat)s호에 살고 있습니다.", building=building.name, flat=flat.number
        )
        return [Panel(_("케어안심주택"), body, tuple(lines), _("입주 호 보기"),
                      url_for("tenant.plugin_housing.flat", flat_id=flat.id))]  # fmt: skip
    entry = queries.waiting_entry_of(session, case.person_id)
    if entry is not None:
        _log_view(ctx, case.person_id)
        place = queries.position(session, entry)
        score = (_("%(n)d점", n=entry.score) if entry.score is not None
                 else _("점수 없음 (등록일순)"))  # fmt: skip
        lines = [_("대기 등록일 %(day)s", day=entry.applied_on),
                 _("우선순위 점수 %(score)s", score=score)]  # fmt: skip
        if entry.discharge_on:
            lines.append(_("퇴원(예정)일 %(day)s", day=entry.discharge_on))
        if entry.case_closed_on:
            lines.append(_("사례 종결(%(day)s) — 대기 정리 필요", day=entry.case_closed_on))
        return [Panel(_("케어안심주택"), _("입주 대기 %(n)d번째입니다.", n=place), tuple(lines),
                      _("대기 내용·점수 보기"),
                      url_for("tenant.plugin_housing.entry", entry_id=entry.id))]  # fmt: skip
    if case.stage == "closed":
        return []
    return [Panel(_("케어안심주택"), _("입주 기록도 대기 기록도 없습니다."),
                  (_("퇴원 후 혼자 지내기 어려운 어르신이면 입주 대기에 올릴 수 있습니다."),),
                  _("입주 대기 등록"), url_for("tenant.plugin_housing.entry_new", case_id=case.id))]  # fmt: skip


def landing_panels(ctx: TenantContext, session: Session) -> list[Panel]:
    if ctx.role not in MANAGERS:
        return []
    occ = [o for o in queries.occupancy(session) if o.building.status == "open"]
    flats, occupied = sum(o.flats for o in occ), sum(o.occupied for o in occ)
    _entries, waiting = queries.waiting(session, None, per_page=1)
    flagged = len(queries.flagged_tenancies(session, None))
    lines = [_("빈 호 %(n)d호", n=queries.vacant_count(session)),
             _("입주 대기 %(n)d명", n=waiting)]  # fmt: skip
    if flagged:
        lines.append(_("퇴거 확인 필요 %(n)d건", n=flagged))
    body = _("입주 %(occupied)d / %(flats)d호", occupied=occupied, flats=flats)
    return [Panel(_("케어안심주택"), body, tuple(lines), _("케어안심주택 현황"),
                  url_for("tenant.plugin_housing.index"))]  # fmt: skip
