"""`make run`'s example rows: 243 volunteers over all the tenant's dongs (Jeonju's figure,
2024) and work orders in every state over the last four months. Names are synthetic and the
phones obviously fake (010-0000-xxxx). Only when the plugin's tables are empty."""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.plugins.api import case_info, current_dongs, today
from dolbom_squad.models import CHECK_ITEMS, SKILLS, Assignment, Photo, Volunteer, WorkOrder

VOLUNTEERS = 243
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = ["영숙", "정희", "순자", "민수", "성호", "경자", "동현", "미경", "재훈", "은주", "상철",
         "혜진", "광수", "명자", "태식", "옥순", "병철", "선영", "종민", "숙희", "기훈", "현숙"]  # fmt: skip
JOBS = {
    "repair": ["현관 방충망과 문고리 교체", "욕실 수도꼭지 누수 수리", "방문 경첩 수리",
               "부엌 형광등 교체", "창문 틈 막기 (외풍)"],
    "cleanup": ["저장 강박으로 쌓인 짐 정리", "이사 전 집 안 정리", "장마 뒤 곰팡이 청소",
                "부엌·욕실 대청소"],
    "safety": ["1970년대 주택 전기·가스 점검", "낡은 가스 호스 확인 요청", "누전 차단기 점검"],
}  # fmt: skip
ADDRESSES = ["전주시 완산구 예시로 12", "전주시 덕진구 보기길 3-4", "전주시 완산구 샘플로 77"]


def tiny_png(rgb: tuple[int, int, int], width: int = 96, height: int = 64) -> bytes:
    """A plain-coloured PNG standing in for a completion photo."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def seed(session: Session, staff: dict[str, int]) -> None:
    if session.scalar(sa.select(sa.func.count()).select_from(Volunteer)):
        return
    dongs = [d.code for d in current_dongs(session)]
    if not dongs:
        return
    rng = random.Random(243)
    by = staff.get("coordinator") or staff.get("admin") or 0
    start = today()
    rows = []
    for i in range(VOLUNTEERS):
        skills = rng.sample(list(SKILLS), rng.choice((1, 1, 2, 3)))
        rows.append({
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "phone": f"010-0000-{i + 1:04d}",
            "dong_code": dongs[i % len(dongs)],
            "skills": skills,
            "active": rng.random() > 0.08,
            "joined_on": start - dt.timedelta(days=rng.randint(30, 1500)),
            "created_by": by,
            "created_at": dt.datetime.now(dt.UTC),
            "lock_version": 1,
        })  # fmt: skip
    session.execute(sa.insert(Volunteer), rows)
    _orders(session, rng, dongs, by)


def _orders(session: Session, rng: random.Random, dongs: list[str], by: int) -> None:
    cases = [c for c in (case_info(session, i) for i in range(1, 61)) if c and c.dong_code]
    active = {}
    for vid, dong in session.execute(
        sa.select(Volunteer.id, Volunteer.dong_code).where(Volunteer.active.is_(True))
    ):
        active.setdefault(dong, []).append(vid)
    now = today()
    for n in range(90):
        kind = rng.choice(("repair", "repair", "cleanup", "safety"))
        case = cases[n % len(cases)] if cases and n % 3 == 0 else None
        dong = case.dong_code if case else rng.choice(dongs)  # an order takes its case's dong
        requested = now - dt.timedelta(days=rng.randint(0, 120))
        urgency = "urgent" if kind == "repair" and rng.random() < 0.5 else "normal"
        age = (now - requested).days
        status = ("received" if age < 4 else "assigned" if age < 12 else
                  "cancelled" if rng.random() < 0.06 else "done")  # fmt: skip
        order = WorkOrder(
            kind=kind, dong_code=dong, case_id=case.id if case else None,
            address=None if case else rng.choice(ADDRESSES),
            description=rng.choice(JOBS[kind]), urgency=urgency, requested_on=requested,
            due_on=requested + dt.timedelta(days=2 if urgency == "urgent" else 14),
            status=status, created_by=by,
        )  # fmt: skip
        session.add(order)
        session.flush()
        hands = active.get(dong, [])
        if status in ("assigned", "done") and hands:
            order.assigned_on = requested + dt.timedelta(days=1)
            for vid in rng.sample(hands, min(len(hands), rng.choice((1, 2, 2, 3)))):
                session.add(Assignment(order_id=order.id, volunteer_id=vid, assigned_by=by))
        elif status in ("assigned", "done"):
            order.status = "received"
        if order.status == "done":
            order.completed_on = min(now, requested + dt.timedelta(days=rng.randint(1, 10)))
            order.completion_notes = "봉사자 방문해 작업을 마쳤습니다. 어르신 확인 완료."
            if kind == "safety":
                order.checklist = {k: rng.choice(("ok", "ok", "action", "na")) for k in CHECK_ITEMS}
            colour = (rng.randint(80, 220), rng.randint(80, 220), rng.randint(80, 220))
            data = tiny_png(colour)
            session.add(Photo(order_id=order.id, content_type="image/png", size=len(data),
                              data=data, uploaded_by=by))  # fmt: skip
        elif order.status == "cancelled":
            order.cancelled_on = requested + dt.timedelta(days=2)
            order.cancel_reason = "어르신이 가족 도움으로 해결했다고 알려 옴"
    session.flush()
