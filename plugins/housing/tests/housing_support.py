"""Shared set-up for the housing plugin's tests: a Jeonju tenant with the plugin on, people with
cases, buildings with flats. Tests may use core internals; the plugin itself may not."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from dolbom import db
from dolbom.cases.models import Case
from dolbom.cases.transitions import transition
from dolbom.clock import today
from dolbom.people.models import Person
from dolbom.tenancy.operations import set_plugin
from dolbom_housing import operations as ops
from dolbom_housing.models import Building, Flat, QueueEntry, Tenancy
from tests.fixtures import csrf_from

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}


def housing_tenant(pack_tenant) -> str:  # type: ignore[no-untyped-def]
    slug = pack_tenant("jeonju", plugins=("housing",))
    set_plugin(slug, "housing", True)
    return slug


def a_case(slug: str, *, name: str = "김순자", born: dt.date = dt.date(1940, 5, 1),
           dong: str = "pyeonghwa1", stage: str = "provision", lives_alone: bool | None = True,
           ltc_grade: str | None = "3등급", income_band: str | None = None) -> int:  # fmt: skip
    with db.tenant_transaction(slug) as s:
        p = Person(name=name, birth_date=born, dong_code=dong, lives_alone=lives_alone,
                   ltc_grade=ltc_grade, income_band=income_band)  # fmt: skip
        s.add(p)
        s.flush()
        case = Case(person_id=p.id, dong_code=dong, source="기관", stage=stage,
                    services_started_on=today() if stage in ("provision", "monitoring") else None)  # fmt: skip
        s.add(case)
        s.flush()
        return case.id


def person_of(slug: str, case_id: int) -> int:
    with db.tenant_session(slug) as s:
        return s.get(Case, case_id).person_id


def close_case(slug: str, case_id: int) -> None:
    with db.tenant_transaction(slug) as s:
        case = s.get(Case, case_id)
        transition(s, case, "close", role="coordinator", user_id=1,
                   form={"closure_reason": "moved"}, lock_version=case.lock_version)  # fmt: skip


def a_building(slug: str, numbers: str = "101-105", *, name: str = "평화동 케어안심주택",
               dong: str | None = "pyeonghwa1", status: str = "open") -> tuple[int, list[int]]:  # fmt: skip
    with db.tenant_transaction(slug) as s:
        b = ops.save_building(s, None, {"name": name, "address": "전주시 완산구 평화동", "dong_code": dong,
                                        "kind": "remodel", "status": status, "planned_flats": None,
                                        "services": ["방문간호 주 2회", "생활지원사 상주"], "note": None},
                              user_id=1)  # fmt: skip
        from dolbom_housing.forms import flat_numbers

        numbers_list, problem = flat_numbers(numbers)
        assert problem is None
        flats = ops.add_flats(s, b, {"numbers": numbers_list, "floor": None, "safety_bars": True,
                                     "no_thresholds": True, "emergency_call": True})  # fmt: skip
        return b.id, [f.id for f in flats]


def rows(slug: str, model: type) -> list:  # type: ignore[type-arg]
    with db.tenant_session(slug) as s:
        return list(s.scalars(sa.select(model).order_by(model.id)))  # type: ignore[attr-defined]


def entry_of_case(slug: str, case_id: int) -> QueueEntry:
    with db.tenant_session(slug) as s:
        return s.scalar(sa.select(QueueEntry).where(QueueEntry.case_id == case_id))


def flat(slug: str, flat_id: int) -> Flat:
    with db.tenant_session(slug) as s:
        return s.get(Flat, flat_id)


def current_tenancy(slug: str, flat_id: int) -> Tenancy | None:
    with db.tenant_session(slug) as s:
        return s.scalar(
            sa.select(Tenancy).where(Tenancy.flat_id == flat_id, Tenancy.moved_out_on.is_(None))
        )


def building(slug: str, building_id: int) -> Building:
    with db.tenant_session(slug) as s:
        return s.get(Building, building_id)


def token(client, slug: str) -> str:  # type: ignore[no-untyped-def]
    return csrf_from(client.get(f"/{slug}/p/housing/queue/new").text)


def entry_form(case_id: int | None = None, **overrides: str) -> dict[str, str]:
    form = {"applied_on": today().isoformat(),
            "discharge_on": (today() - dt.timedelta(days=10)).isoformat(),
            "hospital": "전북대학교병원", "lives_alone": "yes", "ltc_grade": "3등급",
            "income_band": "", "note": ""}  # fmt: skip
    if case_id is not None:
        form["case_id"] = str(case_id)
    form.update(overrides)
    return form


def entry_id_from(response) -> int:  # type: ignore[no-untyped-def]
    location = response.headers.get("Location") or response.headers.get("HX-Redirect") or ""
    match = re.search(r"/queue/(\d+)$", location)
    assert match, (response.status_code, location, response.text[:500])
    return int(match.group(1))
