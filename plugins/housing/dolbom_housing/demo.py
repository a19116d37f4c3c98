"""`make run`'s example rows: Jeonju's 평화동 building (50 renovated permanent-rental flats, most
occupied by demo cases' people), the planned 285-flat building and a few people waiting."""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.plugins.api import CaseInfo, cases_of_people, current_dongs, person_briefs, today
from dolbom_housing import operations as ops
from dolbom_housing import scoring
from dolbom_housing.models import Building, Flat, Tenancy

SERVICES = ["방문간호 주 2회", "생활지원사 상주 (평일 9~18시)", "공동식당 점심", "응급안전안심서비스",
            "주 1회 건강체조"]  # fmt: skip
HOSPITALS = ["전북대학교병원", "전주예수병원", "대자인병원", "전주병원", None]


def _dong(session: Session, name: str) -> str | None:
    dongs = current_dongs(session)
    for d in dongs:
        if d.name == name:
            return d.code
    return dongs[0].code if dongs else None


def seed(session: Session, tenant: str, staff: dict[str, int]) -> None:
    if session.scalar(sa.select(sa.func.count()).select_from(Building)):
        return
    rng = random.Random(285)
    day = today()
    user = staff.get("coordinator", 0)
    jeonju = tenant == "jeonju"
    first = Building(
        name="평화동 케어안심주택" if jeonju else "케어안심주택 1호관",
        address="전북특별자치도 전주시 완산구 평화동 영구임대아파트 (리모델링)" if jeonju else None,
        dong_code=_dong(session, "평화1동"), kind="remodel", status="open", services=SERVICES,
        note="영구임대주택 50호를 안전손잡이·문턱 제거·응급호출을 갖추도록 고쳤습니다.",
        created_by=user, updated_by=user,
    )  # fmt: skip
    planned = Building(
        name="전주 케어안심주택 전용 건물 (계획)" if jeonju else "케어안심주택 2호관 (계획)",
        dong_code=None, kind="dedicated", status="planned", planned_flats=285,
        services=["방문진료", "방문간호", "공동식당", "주야간 생활지원"],
        note="한 동 전체를 케어안심주택으로 짓는 계획 (285호).", created_by=user, updated_by=user,
    )  # fmt: skip
    session.add_all([first, planned])
    session.flush()
    flats = [Flat(building_id=first.id, number=f"{floor}{n:02d}", floor=floor, safety_bars=True,
                  no_thresholds=True, emergency_call=not (floor == 5 and n > 8), status="available")
             for floor in range(1, 6) for n in range(1, 11)]  # fmt: skip
    flats[17].status = "repair"
    flats[17].note = "욕실 미끄럼 방지 공사 중"
    session.add_all(flats)
    session.flush()

    # People through their cases: open ones, recipients first, 65 and over.
    by_person = cases_of_people(session, range(1, 2000))
    cases = [cs[0] for cs in by_person.values() if cs and cs[0].stage != "closed"]
    people = person_briefs(session, [c.person_id for c in cases])
    elderly = [
        c for c in cases if (a := scoring.age_on(people[c.person_id].birth_date, day)) and a >= 65
    ]
    elderly.sort(key=lambda c: (not c.in_service, c.id))
    free = [f for f in flats if f.status == "available"]
    housed: list[CaseInfo] = []
    for flat, case in zip(free[:40], [c for c in elderly if c.in_service][:40], strict=False):
        start = case.services_started_on or case.opened_on
        moved_in = min(day, start + dt.timedelta(days=rng.randrange(0, 60)))
        session.add(Tenancy(flat_id=flat.id, person_id=case.person_id, case_id=case.id,
                            dong_code=case.dong_code, moved_in_on=moved_in, created_by=user))  # fmt: skip
        flat.status = "occupied"
        housed.append(case)
    session.flush()
    waiting = [c for c in elderly if c not in housed][:6]
    for i, case in enumerate(waiting):
        discharge = day - dt.timedelta(days=rng.choice((3, 12, 25, 45, 80))) if i % 3 != 2 else None
        values = {"applied_on": day - dt.timedelta(days=rng.randrange(1, 40)),
                  "discharge_on": discharge, "hospital": rng.choice(HOSPITALS) if discharge else None,
                  "lives_alone": rng.random() < 0.7, "ltc_grade": rng.choice(("3등급", "4등급", "등급외", None)),
                  "income_band": rng.choice(("수급", "차상위", "일반", None)),
                  "unsafe_housing": rng.random() < 0.4, "note": None}  # fmt: skip
        ops.create_entry(session, tenant, case, values, user_id=user, on=day)
