"""State changes of a report: filed by a resident, then triaged by staff — a duplicate of
another report, linked to an existing case, opened as a new application (접수), or closed as
해당 없음. Each triage step checks the page's lock_version (two people triaging the same
report: the second gets a conflict, nothing overwritten)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dolbom.plugins.api import blind_indexes, case_in_scope, open_application
from dolbom_reports.intake import CONSENT_VERSION
from dolbom_reports.models import Report, utcnow

_RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
OPEN = "new"
ACTIVE = ("linked", "application")  # a report that carries a case (and maybe a reward)


class Refused(ValueError):
    """A triage step that may not happen: `field` names the input the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Stale(Refused):
    pass


def reporter_key(tenant: str, phone_digits: str) -> str:
    """The same reporter, found again by phone without storing a second copy of the number."""
    key = f"tel:{phone_digits}"
    return blind_indexes(tenant, [key])[key]


def _receipt_no(session: Session, year: int) -> str:
    while True:
        code = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(6))
        number = f"{year}-{code}"
        if not session.scalar(sa.select(Report.id).where(Report.receipt_no == number)):
            return number


def file_report(session: Session, tenant: str, values: Mapping[str, Any]) -> Report:
    """A resident's report as read by `intake.read_report` (consent given now)."""
    now = utcnow()
    report = Report(
        receipt_no=_receipt_no(session, now.year),
        received_at=now,
        dong_code=values["dong_code"],
        address=values["address"],
        kinds=list(values["kinds"]),
        description=values.get("description"),
        subject_name=values.get("subject_name"),
        reporter_name=values["reporter_name"],
        reporter_phone=values["reporter_phone"],
        reporter_relation=values["reporter_relation"],
        reporter_key=reporter_key(tenant, values["phone_digits"]),
        consent_text=CONSENT_VERSION,
        consented_at=now,
        status=OPEN,
    )
    session.add(report)
    session.flush()
    return report


def lock_from(form: Mapping[str, Any]) -> int | None:
    try:
        return int(form.get("lock_version") or "")
    except ValueError:
        return None


def _begin(report: Report, lock_version: int | None) -> None:
    if lock_version is None or lock_version != report.lock_version:
        raise Stale(
            _("다른 사람이 먼저 이 신고를 처리했습니다. 지금 상태를 확인한 뒤 다시 하세요.")
        )
    if report.status != OPEN:
        raise Refused(_("이미 '%(status)s'(으)로 처리된 신고입니다.", status=report.status_label))


def _done(report: Report, status: str, user_id: int) -> None:
    report.status = status
    report.handled_by = user_id
    report.handled_at = utcnow()


def mark_duplicate(session: Session, report: Report, original_receipt: str, *, user_id: int,
                   lock_version: int | None) -> Report:  # fmt: skip
    """The same household was reported before: this one points at the first report."""
    _begin(report, lock_version)
    number = (original_receipt or "").strip().upper()
    if not number:
        raise Refused(_("먼저 들어온 신고의 접수번호를 적으세요"), "original")
    original = session.scalar(sa.select(Report).where(Report.receipt_no == number))
    if original is None or original.dong_code != report.dong_code:
        raise Refused(_("이 동의 신고 중에 그 접수번호가 없습니다"), "original")
    if original.id == report.id:
        raise Refused(_("자기 자신을 중복으로 표시할 수는 없습니다"), "original")
    if original.duplicate_of is not None:  # point at the first report, not a chain
        original = session.get(Report, original.duplicate_of) or original
    report.duplicate_of = original.id
    _done(report, "duplicate", user_id)
    session.flush()
    return original


def _parse_case_id(text: str) -> int | None:
    digits = (text or "").strip().lstrip("#")
    return int(digits) if digits.isdecimal() and len(digits) < 10 else None


def link_case(session: Session, report: Report, case_text: str, *, user_id: int,
              lock_version: int | None) -> int:  # fmt: skip
    """The household already has a case here: the report joins it (and its reward, if the case
    is approved later)."""
    _begin(report, lock_version)
    case_id = _parse_case_id(case_text)
    if case_id is None:
        raise Refused(_("사례 번호를 숫자로 적으세요"), "case_id")
    case = case_in_scope(session, case_id)
    if case is None:
        raise Refused(_("그 번호의 사례가 없거나 볼 수 있는 사례가 아닙니다"), "case_id")
    other = session.scalar(
        sa.select(Report.receipt_no).where(
            Report.case_id == case.id, Report.status.in_(ACTIVE), Report.id != report.id
        )
    )
    if other:
        raise Refused(_("이 사례에는 신고 %(receipt)s이(가) 이미 연결되어 있습니다. 중복으로 표시하세요",
                        receipt=other),
                      "case_id")  # fmt: skip
    report.case_id = case.id
    _done(report, "linked", user_id)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # another report was linked to this case at the same moment
        raise Refused(_("이 사례에는 다른 신고가 방금 연결되었습니다. 중복으로 표시하세요"),
                      "case_id") from exc  # fmt: skip
    return case.id


def open_case(session: Session, tenant: str, report: Report, *, person_id: int | None,
              name: str, address: str, user_id: int, lock_version: int | None) -> int:  # fmt: skip
    """A new application (접수, source 주민신고) for a registry person or a new one."""
    _begin(report, lock_version)
    name, address = name.strip(), address.strip()
    if person_id is None and not name:
        raise Refused(_("신청할 분의 이름을 적거나 명부에서 고르세요"), "name")
    if len(name) > 50:
        raise Refused(_("이름은 50자까지 적을 수 있습니다"), "name")
    if len(address) > 200:
        raise Refused(_("주소는 200자까지 적을 수 있습니다"), "address")
    try:
        case = open_application(session, tenant, name=name or "이름 모름", source="주민신고",
                                user_id=user_id, person_id=person_id, dong_code=report.dong_code,
                                address=address or report.address,
                                note=f"위기가구 신고 {report.receipt_no}")  # fmt: skip
    except LookupError as exc:
        raise Refused(_("명부에서 그 사람을 찾을 수 없습니다"), "person_id") from exc
    report.case_id = case.id
    _done(report, "application", user_id)
    session.flush()
    return case.id


def close_not_applicable(session: Session, report: Report, reason: str, *, user_id: int,
                         lock_version: int | None) -> None:  # fmt: skip
    _begin(report, lock_version)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("해당 없음으로 닫는 사유를 적으세요"), "reason")
    if len(reason) > 500:
        raise Refused(_("사유는 500자까지 적을 수 있습니다"), "reason")
    report.close_reason = reason
    _done(report, "not_applicable", user_id)
    session.flush()
