"""Synthetic people and cases for demos, tests and benchmarks: Korean names, the tenant's
dongs, ages 60–99, the rules' facts spread as in a running programme, and a complete K-FRAIL
response for most cases. Each case has the history its stage implies: steps on the timeline,
the judgement, a plan and a meeting decision, monitoring checks, contacts, a closure, and a
deadline from the tenant's service levels. Seeded, so the same seed gives the same people."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases.models import STAGES, Case
from dolbom.cases.synthetic_history import history
from dolbom.clock import today as local_today
from dolbom.db import utcnow
from dolbom.districts.models import Dong
from dolbom.forms.evaluate import evaluate
from dolbom.forms.models import Form
from dolbom.forms.operations import latest_published
from dolbom.forms.responses import compiled
from dolbom.people.models import Person
from dolbom.people.operations import set_rrn
from dolbom.people.rrn import parse_rrn

_FAMILY = "김이박최정강조윤장임한오서신권황안송류홍"
_GIVEN = ("영숙", "정숙", "순자", "영자", "옥순", "말순", "춘자", "정자", "복순", "순희",
          "영수", "영호", "정호", "상철", "광수", "성수", "종수", "병철", "만수", "기순")  # fmt: skip
_FATIGUE = ("always", "mostly", "sometimes", "rarely", "never")
_ILLNESS = ("hypertension", "diabetes", "cancer", "lung", "heart_attack", "heart_failure",
            "angina", "asthma", "arthritis", "stroke", "kidney")  # fmt: skip
_STAGE_WEIGHTS = {"application": 8, "survey": 10, "judgement": 8, "plan": 10, "meeting": 6,
                  "provision": 30, "monitoring": 20, "closed": 8}  # fmt: skip


def _person(rng: random.Random, dongs: list[str], today: dt.date) -> dict[str, Any]:
    age = min(99, 60 + int(rng.expovariate(1 / 14)))
    birth = today - dt.timedelta(days=age * 365 + rng.randrange(365))
    alone = rng.random() < 0.38
    return {
        "name": rng.choice(_FAMILY) + rng.choice(_GIVEN),
        "birth_date": birth,
        "sex": rng.choice("남여여"),
        "dong_code": rng.choice(dongs) if dongs else None,
        "lives_alone": alone,
        "household_size": 1 if alone else rng.choice((2, 2, 3, 4)),
        "ltc_grade": rng.choice(
            (
                "등급외",
                "등급외",
                "미신청",
                "미신청",
                "미신청",
                "3등급",
                "4등급",
                "5등급",
                "인지지원등급",
            )
        ),
        "disability": rng.choice(("없음",) * 7 + ("경증", "중증", "중증")),
        "income_band": rng.choice(
            ("수급", "차상위", "중위50", "중위50", "중위100", "일반", "일반")
        ),
    }


def _kfrail(rng: random.Random) -> dict[str, Any]:
    illness = rng.sample(_ILLNESS, rng.choice((0, 1, 2, 3, 4, 6, 7)))
    return {
        "kf_fatigue": rng.choice(_FATIGUE),
        "kf_resistance": rng.random() < 0.4,
        "kf_ambulation": rng.random() < 0.35,
        "kf_illness": illness or ["none"],
        "kf_weight_loss": rng.random() < 0.2,
    }


def generate(session: Session, tenant: str, count: int, *, seed: int = 2026, user_id: int = 0,
             today: dt.date | None = None, workers: Mapping[str, int] | None = None) -> int:  # fmt: skip
    """Add `count` people, each with one case. `workers` names the responsible worker by dong
    (others fall to `user_id`). Returns the number added."""
    rng = random.Random(seed)
    today = today or local_today()
    dongs = list(
        session.scalars(sa.select(Dong.code).where(Dong.valid_to.is_(None)).order_by(Dong.code))
    )
    form = session.scalar(sa.select(Form).where(Form.key == "kfrail"))
    version = latest_published(session, form) if form else None
    cf = compiled(version, tenant) if version else None
    stages = list(_STAGE_WEIGHTS)
    weights = list(_STAGE_WEIGHTS.values())
    people = []
    for _ in range(count):
        facts = _person(rng, dongs, today)
        person = Person(**facts)
        # A made-up number with the right birth date and sex digit, stored as real ones are.
        century = 0 if facts["birth_date"].year < 2000 else 2
        digit = (1 if facts["sex"] == "남" else 2) + century
        number = f"{facts['birth_date']:%y%m%d}-{digit}{rng.randrange(10**6):06d}"
        set_rrn(person, tenant, parse_rrn(number, today=today))
        people.append(person)
    session.add_all(people)
    session.flush()
    cases = []
    for p in people:
        stage = rng.choices(stages, weights)[0]
        opened = today - dt.timedelta(days=rng.randrange(1, 400))
        source = rng.choices(("본인", "가족", "기관", "직권", "주민신고", "발굴명단", "조사"),
                             (30, 20, 15, 5, 8, 12, 10))[0]  # fmt: skip
        worker = (workers or {}).get(p.dong_code or "", user_id) or None
        cases.append(Case(person_id=p.id, dong_code=p.dong_code, source=source, stage=stage,
                          opened_on=opened, created_by=user_id, worker_id=worker))  # fmt: skip
    session.add_all(cases)
    session.flush()
    history(session, rng, cases, today, user_id)
    if cf is not None and version is not None and form is not None:
        from dolbom.forms.models import FormResponse

        now = utcnow()
        for case in cases:
            if case.stage == "application" or rng.random() < 0.15:
                continue  # not surveyed yet
            answers = _kfrail(rng)
            answers = {k: v for k, v in answers.items() if k in cf.order}
            session.add(FormResponse(form_id=form.id, version_id=version.id, status="complete",
                                     answers=answers, pending={}, scores=evaluate(cf, answers).scores,
                                     dong_code=case.dong_code, case_id=case.id, created_by=user_id,
                                     submitted_at=now, submitted_by=user_id))  # fmt: skip
        session.flush()
    return count


__all__ = ["STAGES", "generate"]
