"""The import job: read the stored file, check every row, seal and index the resident numbers,
match against the registry, score with the rules engine and create the outreach tasks.

All of it in one transaction with the batch row locked: a crash leaves no task and no problem
row (the batch is marked failed in a transaction of its own), and a second run — RQ runs a job
at least once, an operator may press "다시 실행" — waits for the lock and then finds the batch
imported and does nothing. The file's bytes are deleted once the import has committed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from dolbom.plugins.api import (
    JobContext,
    blind_indexes,
    current_dongs,
    encrypt_rrn,
    open_bytes,
    people_by_rrn,
    seal_bytes,
    tenant_job,
    tenant_session,
)
from dolbom_blindspots import reading
from dolbom_blindspots.models import Batch, Problem, Task, Upload
from dolbom_blindspots.scoring import ScoringMissing, read_scoring
from dolbom_blindspots.validate import DongResolver, check_rows

CHUNK = 5000  # rows per registry query and per INSERT
Progress = Callable[[int, str], None]
STEPS = {
    "read": "파일 읽는 중",
    "check": "행 검사 중",
    "match": "대장 대조·위험도 계산 중",
    "save": "저장 중",
    "done": "완료",
}


class ImportRefused(RuntimeError):
    """A reason the whole list cannot be imported (no rules, unreadable rows): not retried."""


def _context(batch_id: int) -> str:
    return f"blindspots_upload:{batch_id}"


def seal_upload(tenant: str, batch_id: int, data: bytes) -> bytes:
    """The file as stored: sealed with the tenant's key, bound to its batch."""
    return seal_bytes(tenant, data, _context(batch_id))


def open_upload(tenant: str, upload: Upload) -> bytes:
    return open_bytes(tenant, upload.content, _context(upload.batch_id))


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _nothing(_pct: int, _msg: str) -> None:
    return None


def import_batch(session: Session, tenant: str, batch: Batch, *, progress: Progress = _nothing,
                 after_chunk: Callable[[int], None] | None = None) -> dict[str, int]:  # fmt: skip
    """Import `batch` inside the caller's transaction (the caller holds the batch row's lock
    and commits). Raises ImportRefused for a list that cannot be imported at all."""
    upload = session.get(Upload, batch.id)
    if upload is None:
        raise ImportRefused("올린 파일이 남아 있지 않습니다. 명단을 다시 올리세요.")
    try:
        content = open_upload(tenant, upload)
    except Exception as exc:  # not sealed for this tenant and batch (a copied row)
        raise ImportRefused("저장된 파일을 열 수 없습니다. 명단을 다시 올리세요.") from exc
    try:
        scoring = read_scoring(session, tenant)
    except ScoringMissing as exc:
        raise ImportRefused(str(exc)) from exc
    progress(5, STEPS["read"])
    sniffed = reading.Sniffed(batch.file_kind, batch.encoding)
    dongs = DongResolver(current_dongs(session))
    try:
        checked = check_rows(
            reading.rows(content, sniffed), dongs,
            progress=lambda n: progress(5 + min(35, n * 35 // max(1, batch.row_count or n)), STEPS["check"]),
        )  # fmt: skip
    except reading.FileRefused as exc:
        raise ImportRefused(str(exc)) from exc
    good = checked.good
    indexes = blind_indexes(tenant, [r.rrn.canonical for r in good])
    scored = sorted(((scoring.score(r.indicators), r) for r in good), key=lambda x: (-x[0][0], x[1].line))  # fmt: skip
    matched = 0
    for start in range(0, len(scored), CHUNK):
        chunk = scored[start : start + CHUNK]
        found = people_by_rrn(session, [indexes[r.rrn.canonical] for _s, r in chunk])
        rows: list[dict[str, Any]] = []
        for (score, risk), r in chunk:
            index = indexes[r.rrn.canonical]
            person_id = found.get(index)
            matched += person_id is not None
            rows.append({
                "batch_id": batch.id, "line": r.line, "national_key": r.national_key,
                "name": r.name, "rrn_index": index, "rrn_masked": r.rrn.masked,
                "rrn_cipher": encrypt_rrn(tenant, r.rrn), "birth_date": r.rrn.birth_date,
                "sex": r.rrn.sex, "address": r.address, "phone": r.phone,
                "dong_code": r.dong_code, "indicators": list(r.indicators), "score": score,
                "risk": risk, "person_id": person_id, "status": "open", "outcome": None,
                "visited_on": None, "note": None, "case_id": None, "done_by": None,
                "done_at": None, "lock_version": 1,
            })  # fmt: skip
        session.execute(Task.__table__.insert(), rows)  # Core: full dicts, one statement per page
        done = start + len(chunk)
        progress(40 + 55 * done // max(1, len(scored)), STEPS["match"])
        if after_chunk is not None:
            after_chunk(done)
    if checked.problems:
        session.execute(Problem.__table__.insert(), [
            {"batch_id": batch.id, "line": p.line, "column": p.column, "reason": p.reason[:200]}
            for p in checked.problems
        ])  # fmt: skip
    progress(97, STEPS["save"])
    batch.row_count = checked.rows
    batch.imported_count = len(good)
    batch.bad_count = checked.bad_lines
    batch.matched_count = matched
    batch.scoring = scoring.record()
    batch.status, batch.message, batch.finished_at = "imported", None, _utcnow()
    session.delete(upload)
    session.flush()
    return {"rows": checked.rows, "imported": len(good), "bad": checked.bad_lines,
            "matched": matched}  # fmt: skip


def mark_failed(tenant: str, batch_id: int, message: str) -> None:
    with tenant_session(tenant) as s, s.begin():
        batch = s.get(Batch, batch_id, with_for_update=True)
        if batch is not None and batch.status not in ("imported", "discarded"):
            batch.status, batch.message, batch.finished_at = "failed", message[:300], _utcnow()


def run_import(tenant: str, batch_id: int, *, progress: Progress = _nothing,
               after_chunk: Callable[[int], None] | None = None) -> dict[str, Any]:  # fmt: skip
    with tenant_session(tenant) as s, s.begin():
        batch = s.get(Batch, batch_id, with_for_update=True)
        if batch is None:
            return {"status": "missing"}
        if batch.status == "discarded":  # thrown away while it waited: nothing to do
            return {"status": "discarded"}
        if batch.status == "imported":
            return {"status": "imported", "already": True}
        batch.status, batch.message, batch.started_at = "running", None, _utcnow()
    try:
        with tenant_session(tenant) as s, s.begin():
            batch = s.get(Batch, batch_id, with_for_update=True)  # held until the commit
            if batch is None or batch.status in ("imported", "discarded"):
                return {"status": batch.status if batch else "missing", "already": True}
            counts = import_batch(s, tenant, batch, progress=progress, after_chunk=after_chunk)
    except ImportRefused as exc:
        mark_failed(tenant, batch_id, str(exc))
        return {"status": "failed"}
    except BaseException:
        mark_failed(tenant, batch_id, "가져오는 중 오류가 나서 아무것도 저장하지 않았습니다. 다시 실행하세요.")  # fmt: skip
        raise
    progress(100, STEPS["done"])
    return {"status": "imported", **counts}


@tenant_job("blindspots-import")
def import_job(ctx: JobContext, batch_id: int) -> dict[str, Any]:
    return run_import(ctx.tenant, int(batch_id), progress=ctx.progress)
