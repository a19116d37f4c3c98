"""State changes: a list uploaded (stored, its import queued after commit), an import run
again, a visit's outcome recorded. Functions take the tenant session and commit nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from dolbom.plugins.api import (
    case_in_scope,
    cases_of_people,
    decrypt_rrn,
    enqueue,
    enqueue_after_commit,
    log_access,
    open_application,
    people_by_rrn,
    person_brief,
    today,
)
from dolbom_blindspots import reading
from dolbom_blindspots.importing import import_job, seal_upload
from dolbom_blindspots.models import OUTCOMES, Batch, Task, Upload
from dolbom_blindspots.validate import clean

JOB_TIMEOUT = 1800
SOURCE = "발굴명단"
KST = dt.timezone(dt.timedelta(hours=9))


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_batch(session: Session, tenant: str, *, file_name: str, data: bytes, label: str,
                 user_id: int, queue: bool = True) -> Batch:  # fmt: skip
    """Store an upload that passed the checks and queue its import (after commit; `queue=False`
    for a caller that imports it itself). Raises FileRefused — also for the same file as a
    list already taken (neither failed nor discarded): its people would get a second task."""
    sniffed, estimate = reading.check(data)
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = session.scalar(
        sa.select(Batch).where(Batch.sha256 == sha256, Batch.status.not_in(("failed", "discarded")))
        .order_by(Batch.id).limit(1)
    )  # fmt: skip
    if earlier is not None:
        raise reading.FileRefused(_(
            "같은 파일을 %(date)s에 이미 올렸습니다 ('%(label)s'). 같은 명단을 두 번 가져오면 방문 대상이 겹칩니다.",
            date=earlier.uploaded_at.astimezone(KST).date().isoformat(), label=earlier.label))  # fmt: skip
    batch = Batch(
        label=(label.strip() or f"{today():%Y-%m} 발굴 명단")[:100],
        file_name=(file_name or "명단")[-200:], file_kind=sniffed.kind, encoding=sniffed.encoding,
        size_bytes=len(data), sha256=sha256, status="queued",
        row_count=estimate, imported_count=0, bad_count=0,
        matched_count=0, uploaded_by=user_id, uploaded_at=_utcnow(),
    )  # fmt: skip
    session.add(batch)
    session.flush()
    session.add(Upload(batch_id=batch.id, content=seal_upload(tenant, batch.id, data)))
    if not queue:
        return batch
    # The payload is the batch id only; the job finds the file in the tenant's schema.
    enqueue_after_commit(session, import_job, tenant, str(batch.id), batch.id,
                         timeout=JOB_TIMEOUT, retries=1)  # fmt: skip
    return batch


DISCARDABLE = ("queued", "failed")


def discard(session: Session, batch_id: int) -> Batch | None:
    """Throw away a list that was not imported (failed, or still waiting): its stored file is
    deleted and the batch kept as "discarded" for the record. Waits for a running import (the
    batch row's lock); returns None when the batch is gone or no longer discardable."""
    batch = session.get(Batch, batch_id, with_for_update=True, populate_existing=True)
    if batch is None or batch.status not in (*DISCARDABLE, "running"):
        return None
    session.execute(sa.delete(Upload).where(Upload.batch_id == batch.id))
    batch.status, batch.message, batch.finished_at = "discarded", None, _utcnow()
    session.flush()
    return batch


def rerun(tenant: str, batch: Batch, *, user_id: int) -> str:
    """Queue a failed import again (its file is still stored)."""
    return enqueue(import_job, tenant, str(batch.id), batch.id, user_id=user_id,
                   timeout=JOB_TIMEOUT, retries=1)  # fmt: skip


class Stale(RuntimeError):
    """Someone saved the task since the form was loaded."""


@dataclass
class Outcome:
    errors: dict[str, str] = field(default_factory=dict)
    case_id: int | None = None


def open_case_of(session: Session, person_id: int | None) -> int | None:
    """The matched person's case still in progress (not closed), newest first."""
    if person_id is None:
        return None
    cases = cases_of_people(session, [person_id]).get(person_id, [])
    return next((c.id for c in cases if c.stage != "closed"), None)


def _read(form: Mapping[str, str], errors: dict[str, str]) -> tuple[str, dt.date | None, str]:
    outcome = (form.get("outcome") or "").strip()
    if outcome not in OUTCOMES:
        errors["outcome"] = _("방문 결과를 고르세요")
    visited: dt.date | None = None
    raw = (form.get("visited_on") or "").strip()
    try:
        visited = dt.date.fromisoformat(raw)
    except ValueError:
        errors["visited_on"] = (
            _("방문일을 YYYY-MM-DD로 적으세요") if raw else _("방문일을 적으세요")
        )
    if visited and visited > today():
        errors["visited_on"] = _("방문일이 오늘보다 뒤입니다")
        visited = None
    note = clean(form.get("note") or "")
    if len(note) > 500:
        errors["note"] = _("연계 내용은 500자까지입니다 (%(n)d자)", n=len(note))
    return outcome, visited, note


def record_outcome(session: Session, tenant: str, task: Task, form: Mapping[str, str], *,
                   user_id: int, lock_version: int | None) -> Outcome:  # fmt: skip
    """The visit's outcome. 불필요: nothing more; 서비스 연계: the case (in the member's scope) the
    person is served through; 신규 신청: a new application (발굴명단) for the registry person or,
    unmatched, a new person registered from the sealed resident number."""
    if lock_version is None or lock_version != task.lock_version:
        raise Stale
    result = Outcome()
    errors = result.errors
    if task.outcome == "application":
        errors["outcome"] = _(
            "이미 신규 신청으로 사례 #%(id)s를 열었습니다. 바꿀 수 없습니다", id=task.case_id
        )
        return result
    outcome, visited, note = _read(form, errors)
    case_id: int | None = None
    if outcome in ("linked", "application") and task.person_id is None:
        # Registered since the import? Then it is that person.
        task.person_id = people_by_rrn(session, [task.rrn_index]).get(task.rrn_index)
    if outcome == "linked":
        raw = (form.get("case_number") or "").strip().lstrip("#")
        chosen = case_in_scope(session, int(raw)) if raw.isdecimal() and len(raw) <= 9 else None
        if not raw:
            errors["case_number"] = _("연계한 사례 번호를 적으세요")
        elif chosen is None:
            errors["case_number"] = _("볼 수 있는 사례 중에 그 번호가 없습니다")
        elif task.person_id is None:
            errors["case_number"] = _("명단의 사람이 주민 대장에 없어 연계할 사례가 없습니다. '신규 신청'을 고르세요")  # fmt: skip
        elif chosen.person_id != task.person_id:
            errors["case_number"] = _("이 사례는 명단의 사람(주민 대장에서 찾은 사람)의 사례가 아닙니다")  # fmt: skip
        else:
            case_id = chosen.id
        if not note:
            errors["note"] = _("연계한 서비스를 적으세요 (국가 시스템으로 회신됩니다)")
    if outcome == "application":
        existing = open_case_of(session, task.person_id)
        if existing is not None:
            # The number only when the member may open that case.
            errors["outcome"] = (
                _("이 사람은 진행 중인 사례 #%(id)s가 있습니다. '서비스 연계'를 고르세요", id=existing)
                if case_in_scope(session, existing) is not None
                else _("이 사람은 다른 동에서 진행 중인 사례가 있습니다. 그 동의 담당자에게 알리세요")
            )  # fmt: skip
        elif task.person_id is not None:
            person = person_brief(session, task.person_id)
            if person is None or person.dong_code != task.dong_code:
                # The case opens in the registry person's dong: never outside the task's.
                errors["outcome"] = _("주민 대장에는 이 사람이 다른 동에 등록되어 있어 이 동에서 신청을 열 수 없습니다. 전입 신고를 확인하거나 그 동의 담당자에게 넘기세요")  # fmt: skip
    if errors:
        return result
    if outcome == "application":
        info = open_application(
            session, tenant, name=task.name, source=SOURCE, user_id=user_id,
            rrn=None if task.person_id else decrypt_rrn(tenant, task.rrn_cipher),
            person_id=task.person_id, dong_code=task.dong_code, address=task.address,
            phone=task.phone, note=f"복지사각지대 발굴 명단 (관리번호 {task.national_key})",
            risk_level=task.risk,
        )  # fmt: skip
        if task.person_id is None:
            log_access(session, subject_type="person", subject_id=info.person_id,
                       action="create", detail="발굴 명단에서 신규 등록")  # fmt: skip
        log_access(session, subject_type="case", subject_id=info.id, action="create",
                   detail=f"발굴 명단 신규 신청 (과제 {task.id})")  # fmt: skip
        case_id, task.person_id = info.id, info.person_id
    task.outcome, task.visited_on, task.note, task.case_id = outcome, visited, note or None, case_id
    task.status, task.done_by, task.done_at = "done", user_id, _utcnow()
    session.flush()  # the version check: a concurrent save raises StaleDataError here
    result.case_id = case_id
    return result
