"""State changes: a list uploaded (stored, its import queued after commit), an import run
again, a visit's outcome recorded. Functions take the tenant session and commit nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from dolbom.plugins.api import (
    case_in_scope,
    cases_of_people,
    decrypt_rrn,
    enqueue,
    enqueue_after_commit,
    open_application,
    people_by_rrn,
    today,
)
from dolbom_blindspots import reading
from dolbom_blindspots.importing import import_job
from dolbom_blindspots.models import OUTCOMES, Batch, Task, Upload

JOB_TIMEOUT = 1800
SOURCE = "발굴명단"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_batch(session: Session, tenant: str, *, file_name: str, data: bytes, label: str,
                 user_id: int, queue: bool = True) -> Batch:  # fmt: skip
    """Store an upload that passed the checks and queue its import (after commit; `queue=False`
    for a caller that imports it itself). Raises FileRefused."""
    sniffed, estimate = reading.check(data)
    batch = Batch(
        label=(label.strip() or f"{today():%Y-%m} 발굴 명단")[:100],
        file_name=(file_name or "명단")[-200:], file_kind=sniffed.kind, encoding=sniffed.encoding,
        size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), status="queued",
        row_count=estimate, imported_count=0, bad_count=0,
        matched_count=0, uploaded_by=user_id, uploaded_at=_utcnow(),
    )  # fmt: skip
    session.add(batch)
    session.flush()
    session.add(Upload(batch_id=batch.id, content=data))
    if not queue:
        return batch
    # The payload is the batch id only; the job finds the file in the tenant's schema.
    enqueue_after_commit(session, import_job, tenant, str(batch.id), batch.id,
                         timeout=JOB_TIMEOUT, retries=1)  # fmt: skip
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
        errors["outcome"] = "방문 결과를 고르세요"
    visited: dt.date | None = None
    raw = (form.get("visited_on") or "").strip()
    try:
        visited = dt.date.fromisoformat(raw)
    except ValueError:
        errors["visited_on"] = "방문일을 YYYY-MM-DD로 적으세요" if raw else "방문일을 적으세요"
    if visited and visited > today():
        errors["visited_on"] = "방문일이 오늘보다 뒤입니다"
        visited = None
    note = " ".join((form.get("note") or "").split())
    if len(note) > 500:
        errors["note"] = f"연계 내용은 500자까지입니다 ({len(note)}자)"
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
        errors["outcome"] = (
            f"이미 신규 신청으로 사례 #{task.case_id}를 열었습니다. 바꿀 수 없습니다"
        )
        return result
    outcome, visited, note = _read(form, errors)
    case_id: int | None = None
    if outcome == "linked":
        raw = (form.get("case_number") or "").strip().lstrip("#")
        if not raw:
            errors["case_number"] = "연계한 사례 번호를 적으세요"
        elif not raw.isdigit() or case_in_scope(session, int(raw)) is None:
            errors["case_number"] = "볼 수 있는 사례 중에 그 번호가 없습니다"
        else:
            case_id = int(raw)
        if not note:
            errors["note"] = "연계한 서비스를 적으세요 (국가 시스템으로 회신됩니다)"
    if outcome == "application":
        if task.person_id is None:  # registered since the import? then it is that person
            task.person_id = people_by_rrn(session, [task.rrn_index]).get(task.rrn_index)
        existing = open_case_of(session, task.person_id)
        if existing is not None:
            errors["outcome"] = (
                f"이 사람은 진행 중인 사례 #{existing}가 있습니다. '서비스 연계'를 고르세요"
            )
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
        case_id, task.person_id = info.id, info.person_id
    task.outcome, task.visited_on, task.note, task.case_id = outcome, visited, note or None, case_id
    task.status, task.done_by, task.done_at = "done", user_id, _utcnow()
    session.flush()  # the version check: a concurrent save raises StaleDataError here
    result.case_id = case_id
    return result
