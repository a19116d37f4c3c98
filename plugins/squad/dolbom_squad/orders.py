"""Work orders (작업 요청): 접수 → 배정 → 완료, or 취소 with a reason.

An order is linked to a person's case when the person is registered (the case must be one the
member may see, and the order takes the case's dong). For someone not registered yet — a
neighbour reports a leaking roof — an address-only order is allowed: the squad still goes, and
the worker opens an application separately if the visit shows more need.

Only volunteers of the order's own dong may be assigned (the squad is organised per dong), and
only active ones. Every change checks the lock version the form was loaded with."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from dolbom.plugins.api import CaseInfo, DongInfo, today
from dolbom_squad import photos as photo_checks
from dolbom_squad.models import (
    CHECK_ITEMS,
    CHECK_RESULTS,
    KINDS,
    STATUSES,
    URGENCIES,
    Assignment,
    Volunteer,
    WorkOrder,
)
from dolbom_squad.reading import Reading, Refused, Stale, particle

MAX_VOLUNTEERS = 10
# Default due dates when the form leaves them empty: urgent repairs within two days.
DUE_DAYS = {"urgent": 2, "normal": 14}
_CASE_NUMBER = re.compile(r"(?:사례\s*)?#?\s*(\d{1,9})")

FindCase = Callable[[int], CaseInfo | None]


def in_scope(dongs: Sequence[str] | None) -> sa.ColumnElement[bool]:
    return sa.true() if dongs is None else WorkOrder.dong_code.in_(list(dongs))


def order_in_scope(
    session: Session, order_id: int, dongs: Sequence[str] | None
) -> WorkOrder | None:
    return session.scalar(sa.select(WorkOrder).where(WorkOrder.id == order_id, in_scope(dongs)))


def read_order(
    form: Mapping[str, str], *, dong_choices: Sequence[DongInfo], find_case: FindCase
) -> Reading:
    r = Reading(form)
    r.choice("kind", _("작업 종류"), KINDS)
    codes = {d.code: d.name for d in dong_choices}
    case: CaseInfo | None = None
    raw_case = r.raw("case_number")
    if raw_case:
        match = _CASE_NUMBER.fullmatch(raw_case)
        case = find_case(int(match.group(1))) if match else None
        if match is None:
            r.errors["case_number"] = _("사례 번호를 숫자로 적으세요 (예: 1234)")
        elif case is None:
            r.errors["case_number"] = _("사례 #%(n)s을(를) 찾을 수 없습니다", n=match.group(1))
    r.values["case_id"] = case.id if case else None
    address = r.text("address", _("주소"), 200, required=False)
    if not raw_case and not address:
        r.errors["address"] = _("사례 번호가 없으면 찾아갈 주소를 적으세요")
    dong = r.raw("dong_code") or (case.dong_code if case and case.dong_code in codes else "")
    if not dong:
        r.errors["dong_code"] = _("작업할 동을 고르세요")
    elif dong not in codes:
        r.errors["dong_code"] = _(
            "이 동의 작업은 등록할 수 없습니다 (담당하는 동만 고를 수 있습니다)"
        )
    elif case and case.dong_code and case.dong_code != dong and case.dong_code in codes:
        r.errors["dong_code"] = _("사례의 동(%(dong)s)과 다릅니다", dong=codes[case.dong_code])
    else:
        r.values["dong_code"] = dong
    r.text("description", _("요청 내용"), 2000)
    urgency = r.choice("urgency", _("긴급도"), URGENCIES)
    requested = r.day("requested_on", _("요청일"), default=today(), not_after=(today(), _("오늘")))
    if requested is not None:
        default_due = requested + dt.timedelta(days=DUE_DAYS.get(urgency or "normal", 14))
        r.day("due_on", _("완료 기한"), default=default_due, not_before=(requested, _("요청일")))
    return r


def create(session: Session, values: Mapping[str, object], *, user_id: int) -> WorkOrder:
    order = WorkOrder(created_by=user_id, status="received", **values)
    session.add(order)
    session.flush()
    return order


def _check(order: WorkOrder, lock_version: int | None, allowed: Sequence[str], what: str) -> None:
    # The lock first: when the status moved on, the user must first see that it did.
    if lock_version is None or lock_version != order.lock_version:
        raise Stale(_("다른 사람이 먼저 이 작업 요청을 바꿨습니다"))
    if order.status not in allowed:
        now = STATUSES.get(order.status, order.status)
        states = "·".join(str(STATUSES[s]) for s in allowed)
        raise Refused(
            _(
                "%(what)s%(josa)s %(states)s 상태의 작업에만 할 수 있습니다 (지금: %(now)s)",
                what=what,
                josa=particle(what, "은는"),
                states=states,
                now=now,
            )
        )


def assignees(session: Session, order_id: int) -> list[Volunteer]:
    return list(
        session.scalars(
            sa.select(Volunteer)
            .join(Assignment, Assignment.volunteer_id == Volunteer.id)
            .where(Assignment.order_id == order_id)
            .order_by(Volunteer.name, Volunteer.id)
        ).all()
    )


def assign(
    session: Session,
    order: WorkOrder,
    volunteer_ids: Sequence[str],
    *,
    user_id: int,
    lock_version: int | None,
    dong_names: Mapping[str, str],
    scope: Sequence[str] | None,
) -> dict[str, str]:
    """Send these volunteers (replacing the order's current ones). Returns errors by field;
    nothing changes when there are any. Raises Stale or Refused."""
    _check(order, lock_version, ("received", "assigned"), pgettext("action", "배정"))
    ids = list(dict.fromkeys(int(i) for i in volunteer_ids if str(i).isdecimal()))
    if not ids or len(ids) != len(set(volunteer_ids)):
        return {"volunteers": _("배정할 봉사자를 한 명 이상 고르세요")}
    if len(ids) > MAX_VOLUNTEERS:
        return {"volunteers": _("한 작업에 %(n)d명까지 배정할 수 있습니다", n=MAX_VOLUNTEERS)}
    found = {v.id: v for v in session.scalars(sa.select(Volunteer).where(Volunteer.id.in_(ids)))}
    here = dong_names.get(order.dong_code, order.dong_code)
    problems: list[str] = []
    for vid in ids:
        v = found.get(vid)
        if v is None or (scope is not None and v.dong_code not in scope):
            problems.append(_("봉사자 %(n)s번을 찾을 수 없습니다", n=vid))
        elif v.dong_code != order.dong_code:
            there = dong_names.get(v.dong_code, v.dong_code)
            problems.append(
                _(
                    "%(name)s 봉사자는 %(there)s 소속이라 %(here)s 작업에 배정할 수 없습니다. "
                    "%(here)s 봉사자를 고르세요",
                    name=v.name,
                    there=there,
                    here=here,
                )
            )
        elif not v.active:
            problems.append(_("%(name)s 봉사자는 지금 활동하지 않습니다 (비활동)", name=v.name))
    if problems:
        return {"volunteers": " / ".join(problems)}
    order.status = "assigned"
    order.assigned_on = order.assigned_on or today()
    # A reassignment changes no column of the order itself: mark it changed so the UPDATE — and
    # its version check — always runs, before the assignments are replaced. A concurrent save
    # then fails here (StaleDataError → 409) instead of silently replacing the other's choice.
    flag_modified(order, "status")
    session.flush()
    session.execute(sa.delete(Assignment).where(Assignment.order_id == order.id))
    for vid in ids:
        session.add(Assignment(order_id=order.id, volunteer_id=vid, assigned_by=user_id))
    session.flush()
    return {}


def read_completion(order: WorkOrder, form: Mapping[str, str]) -> Reading:
    r = Reading(form)
    r.day("completed_on", _("완료일"), default=today(),
          not_before=(order.requested_on, _("요청일")), not_after=(today(), _("오늘")))  # fmt: skip
    r.text("completion_notes", _("작업 내용"), 2000)
    if order.kind == "safety":
        checklist: dict[str, str] = {}
        for key, label in CHECK_ITEMS.items():
            answer = r.raw(f"check_{key}")
            if answer not in CHECK_RESULTS:
                r.errors[f"check_{key}"] = _(
                    "%(item)s: 양호·조치 필요·해당 없음 중에서 고르세요", item=label
                )
            else:
                checklist[key] = answer
        r.values["checklist"] = checklist
    return r


def complete(
    session: Session,
    order: WorkOrder,
    form: Mapping[str, str],
    uploads: list[photo_checks.Upload],
    *,
    user_id: int,
    lock_version: int | None,
) -> dict[str, str]:
    """Record the work done, the safety checklist and the photos, all or nothing."""
    _check(order, lock_version, ("assigned",), pgettext("action", "완료 기록"))
    r = read_completion(order, form)
    kept, problem = photo_checks.check(uploads)
    if problem:
        r.errors["photos"] = problem + _(" — 다른 항목은 그대로 두었으니 사진을 다시 고르세요")
    if r.errors:
        return r.errors
    order.status = "done"
    order.completed_on = r.values["completed_on"]
    order.completion_notes = r.values["completion_notes"]
    order.checklist = r.values.get("checklist")
    photo_checks.store(session, order.id, kept, by=user_id)
    session.flush()
    return {}


def cancel(
    session: Session, order: WorkOrder, form: Mapping[str, str], *, lock_version: int | None
) -> dict[str, str]:
    _check(order, lock_version, ("received", "assigned"), pgettext("action", "취소"))
    r = Reading(form)
    r.text("cancel_reason", _("취소 사유"), 500)
    if r.errors:
        return r.errors
    order.status = "cancelled"
    order.cancelled_on = today()
    order.cancel_reason = r.values["cancel_reason"]
    session.flush()
    return {}
