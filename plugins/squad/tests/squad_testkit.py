"""Helpers the squad plugin's tests share (not a conftest: module names stay unique)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import sqlalchemy as sa

from dolbom import db
from dolbom.cases.models import Case
from dolbom.people.models import Person
from dolbom.tenancy.operations import set_plugin
from dolbom_squad.demo import tiny_png
from dolbom_squad.models import Volunteer
from tests.fixtures import csrf_from

BASE = "/{slug}/p/squad"
PNG = tiny_png((200, 120, 40))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200 + b"\xff\xd9"


def squad_tenant(pack_tenant: Any) -> str:
    slug = pack_tenant("jeonju", plugins=("squad",))
    set_plugin(slug, "squad", True)
    return slug


def make_case(slug: str, dong: str = "pyeonghwa1", name: str = "오금순") -> int:
    with db.tenant_transaction(slug) as s:
        p = Person(name=name, birth_date=dt.date(1946, 3, 14), sex="여", dong_code=dong,
                   lives_alone=True, household_size=1)  # fmt: skip
        s.add(p)
        s.flush()
        case = Case(person_id=p.id, dong_code=dong, source="본인", stage="plan")
        s.add(case)
        s.flush()
        return case.id


def make_volunteer(
    slug: str, dong: str = "pyeonghwa1", name: str = "김봉사", *, active: bool = True
) -> int:
    with db.tenant_transaction(slug) as s:
        v = Volunteer(name=name, phone="010-0000-9999", dong_code=dong, skills=["safety"],
                      active=active, joined_on=dt.date(2025, 1, 2), created_by=0)  # fmt: skip
        s.add(v)
        s.flush()
        return v.id


def token(client: Any, slug: str) -> str:
    return csrf_from(client.get(f"/{slug}/").text)


def post(client: Any, url: str, data: dict[str, Any], *, htmx: bool = True, **kw: Any) -> Any:
    headers = {"HX-Request": "true", "HX-Request-Type": "partial"} if htmx else {}
    slug = url.split("/")[1]
    return client.post(url, data={"csrf_token": token(client, slug), **data}, headers=headers,
                       **kw)  # fmt: skip


def new_order(client: Any, slug: str, **fields: Any) -> Any:
    data = {"kind": "safety", "urgency": "normal", "description": "낡은 가스 호스 확인",
            "requested_on": "", "due_on": ""} | fields  # fmt: skip
    return post(client, f"{BASE.format(slug=slug)}/orders/new", data)


def order_id_of(response: Any) -> int:
    assert response.status_code == 204, response.text
    return int(response.headers["HX-Redirect"].rstrip("/").rsplit("/", 1)[-1])


def lock_of(slug: str, order_id: int) -> int:
    from dolbom_squad.models import WorkOrder

    with db.tenant_session(slug) as s:
        return s.scalar(sa.select(WorkOrder.lock_version).where(WorkOrder.id == order_id)) or 0


def photo(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def access_rows(slug: str, subject_type: str, subject_id: int) -> list[tuple[str, str | None]]:
    from dolbom.audit.access import AccessLog

    with db.tenant_session(slug) as s:
        return [
            (a, d)
            for a, d in s.execute(
                sa.select(AccessLog.action, AccessLog.detail)
                .where(AccessLog.subject_type == subject_type, AccessLog.subject_id == subject_id)
                .order_by(AccessLog.id)
            )
        ]
