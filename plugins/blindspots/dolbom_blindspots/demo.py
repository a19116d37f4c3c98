"""`make run`'s example list: one imported batch of a few hundred synthetic rows (a few of them
bad, so the report is not empty), a quarter of them in the demo worker's dong, and some visits
already recorded — no need, linked to services, and new applications."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.plugins.api import current_dongs, decrypt_rrn, open_application, today
from dolbom_blindspots import synthetic
from dolbom_blindspots.importing import ImportRefused, import_batch
from dolbom_blindspots.models import Batch, Task
from dolbom_blindspots.operations import SOURCE, create_batch

ROWS = 320
# The demo worker's dong in the demo tenants (dolbom.demo), so their worklist is not empty.
WORKER_DONG = {"jeonju": "pyeonghwa1", "daejeon": "dunsan1"}
LINKED = ("노인맞춤돌봄서비스 연계", "긴급복지 생계지원 신청 안내", "방문건강관리 연계",
          "푸드뱅크 연계", "에너지바우처 안내")  # fmt: skip


def seed(session: Session, slug: str, staff: dict[str, int]) -> None:
    if session.scalar(sa.select(sa.func.count()).select_from(Batch)):
        return
    codes = [d.code for d in current_dongs(session)]
    if not codes:
        return
    mine = WORKER_DONG.get(slug)
    weighted = [mine] * (len(codes) // 3) + codes if mine in codes else codes
    rows = synthetic.make_rows(ROWS, weighted, seed=sum(map(ord, slug)))
    synthetic.spoil(rows, range(37, ROWS, 53))
    day = today()
    batch = create_batch(session, slug, file_name=f"발굴명단_{day:%Y%m}.csv",
                         data=synthetic.to_bytes(rows, "utf-8"),
                         label=f"{day:%Y}년 {day.month}월 발굴 명단 (예시)",
                         user_id=staff["coordinator"], queue=False)  # fmt: skip
    try:
        import_batch(session, slug, batch)
    except ImportRefused:  # an instance whose rules predate the plugin: no scoring, no demo
        session.delete(batch)
        return
    _visits(session, slug, batch.id, staff["worker"], day)


def _visits(session: Session, slug: str, batch_id: int, worker: int, day: dt.date) -> None:
    tasks = list(
        session.scalars(sa.select(Task).where(Task.batch_id == batch_id).order_by(Task.id))
    )
    now = dt.datetime.now(dt.UTC)
    for n, t in enumerate(tasks[5::6]):
        t.status, t.done_by, t.done_at = "done", worker, now
        t.visited_on = day - dt.timedelta(days=1 + n % 20)
        if n % 7 == 3:
            info = open_application(session, slug, name=t.name, source=SOURCE, user_id=worker,
                                    rrn=decrypt_rrn(slug, t.rrn_cipher), dong_code=t.dong_code,
                                    address=t.address, phone=t.phone, risk_level=t.risk,
                                    note=f"복지사각지대 발굴 명단 (관리번호 {t.national_key})")  # fmt: skip
            t.outcome, t.case_id, t.person_id = "application", info.id, info.person_id
            t.note = "방문 상담 후 통합돌봄 신청"
        elif n % 3 == 1:
            t.outcome, t.note = "linked", LINKED[n % len(LINKED)]
        else:
            t.outcome, t.note = "no_need", "이미 지원을 받고 있어 추가 지원 불필요"
    session.flush()
