"""What the case page and the landing page show of care-safe housing."""

from __future__ import annotations

from flask import g, has_request_context, url_for
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
        lines = [f"입주일 {tenancy.moved_in_on}",
                 "편의시설: " + (", ".join(flat.features()) or "없음"),
                 "현장 서비스: " + (", ".join(building.services or []) or "등록된 서비스 없음")]  # fmt: skip
        if building.address:
            lines.insert(0, f"주소 {building.address}")
        if tenancy.check_flagged_on is not None:
            lines.append(f"퇴거 확인 필요 — {tenancy.check_note or tenancy.check_flagged_on}")
        return [Panel("케어안심주택", f"{building.name} {flat.number}호에 살고 있습니다.",
                      tuple(lines), "입주 호 보기",
                      url_for("tenant.plugin_housing.flat", flat_id=flat.id))]  # fmt: skip
    entry = queries.waiting_entry_of(session, case.person_id)
    if entry is not None:
        _log_view(ctx, case.person_id)
        place = queries.position(session, entry)
        score = f"{entry.score}점" if entry.score is not None else "점수 없음 (등록일순)"
        lines = [f"대기 등록일 {entry.applied_on}", f"우선순위 점수 {score}"]
        if entry.discharge_on:
            lines.append(f"퇴원(예정)일 {entry.discharge_on}")
        if entry.case_closed_on:
            lines.append(f"사례 종결({entry.case_closed_on}) — 대기 정리 필요")
        return [Panel("케어안심주택", f"입주 대기 {place}번째입니다.", tuple(lines),
                      "대기 내용·점수 보기",
                      url_for("tenant.plugin_housing.entry", entry_id=entry.id))]  # fmt: skip
    if case.stage == "closed":
        return []
    return [Panel("케어안심주택", "입주 기록도 대기 기록도 없습니다.",
                  ("퇴원 후 혼자 지내기 어려운 어르신이면 입주 대기에 올릴 수 있습니다.",),
                  "입주 대기 등록", url_for("tenant.plugin_housing.entry_new", case_id=case.id))]  # fmt: skip


def landing_panels(ctx: TenantContext, session: Session) -> list[Panel]:
    if ctx.role not in MANAGERS:
        return []
    occ = [o for o in queries.occupancy(session) if o.building.status == "open"]
    flats, occupied = sum(o.flats for o in occ), sum(o.occupied for o in occ)
    _entries, waiting = queries.waiting(session, None, per_page=1)
    flagged = len(queries.flagged_tenancies(session, None))
    lines = [f"빈 호 {queries.vacant_count(session)}호", f"입주 대기 {waiting}명"]
    if flagged:
        lines.append(f"퇴거 확인 필요 {flagged}건")
    return [Panel("케어안심주택", f"입주 {occupied} / {flats}호", tuple(lines), "케어안심주택 현황",
                  url_for("tenant.plugin_housing.index"))]  # fmt: skip
