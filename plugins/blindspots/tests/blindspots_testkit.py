"""Shared helpers of the blind-spot plugin's tests: a Jeonju tenant with the plugin on, people in
its registry, uploads through the web form, a real RQ worker."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
import sqlalchemy as sa
from rq import Worker

from dolbom import db, kv
from dolbom.cases.operations import open_case
from dolbom.clock import today
from dolbom.people.operations import PersonInput, register
from dolbom.people.rrn import parse_rrn
from dolbom.plugins.api import set_setting
from dolbom.tenancy.operations import set_plugin
from dolbom_blindspots import synthetic
from dolbom_blindspots.models import Batch, Problem, Task
from tests.fixtures import csrf_from

BASE = "/{slug}/p/blindspots"
TABLES = ("blindspots_batch", "blindspots_upload", "blindspots_problem", "blindspots_task")
HX = {"HX-Request": "true", "HX-Request-Type": "partial"}


def switch_on(slug: str, pack: str = "jeonju") -> str:
    set_plugin(slug, "blindspots", True)
    with db.tenant_transaction(slug) as s:  # the pack's rule set, under this test's tenant slug
        set_setting(s, "blindspots.rule_set", f"{pack}-blindspot-risk")
    return slug


@pytest.fixture
def jeonju(pack_tenant) -> str:  # type: ignore[no-untyped-def]
    return switch_on(pack_tenant("jeonju", plugins=("blindspots",)))


def url(slug: str, path: str = "/") -> str:
    return BASE.format(slug=slug) + path


def run_worker() -> None:
    """One real worker run (forks a work horse per job, as in production)."""
    Worker(["default"], connection=kv.get_redis()).work(burst=True, logging_level="WARNING")


def dongs(slug: str) -> list[str]:
    from dolbom.plugins.api import current_dongs

    with db.tenant_session(slug) as s:
        return [d.code for d in current_dongs(s)]


def register_people(slug: str, rrns: Iterable[str], *, dong: str = "pyeonghwa1",
                    with_case: bool = False) -> list[int]:  # fmt: skip
    ids = []
    with db.tenant_transaction(slug) as s:
        for n, text in enumerate(rrns):
            person = register(s, slug, PersonInput(name=f"대장 {n}", rrn=parse_rrn(text, today=today()),
                                                   dong_code=dong), user_id=0)  # fmt: skip
            if with_case:
                open_case(s, person, source="본인", source_note=None, user_id=0)
            ids.append(person.id)
    return ids


def upload(
    client,
    slug: str,
    data: bytes,
    name: str = "명단.csv",
    *,
    label: str = "",
    headers: dict | None = None,
):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(url(slug, "/")).text)
    return client.post(url(slug, "/upload"), headers=headers or {},
                       data={"csrf_token": token, "label": label, "file": (_io(data), name)},
                       content_type="multipart/form-data")  # fmt: skip


def _io(data: bytes):  # type: ignore[no-untyped-def]
    import io

    return io.BytesIO(data)


def small_file(slug: str, n: int = 30, bad: Iterable[int] = (), kind: str = "utf-8",
               rrns: list[str] | None = None, seed: int = 7) -> tuple[bytes, list[dict], dict]:  # fmt: skip
    rows = synthetic.make_rows(n, dongs(slug), seed=seed, rrns=rrns)
    kinds = synthetic.spoil(rows, bad)
    return synthetic.to_bytes(rows, kind), rows, kinds


def latest_batch(slug: str) -> Batch | None:
    with db.tenant_session(slug) as s:
        return s.scalar(sa.select(Batch).order_by(Batch.id.desc()).limit(1))


def problem_lines(slug: str, batch_id: int) -> list[int]:
    with db.tenant_session(slug) as s:
        return sorted(set(s.scalars(sa.select(Problem.line).where(Problem.batch_id == batch_id))))


def task_count(slug: str, batch_id: int | None = None) -> int:
    with db.tenant_session(slug) as s:
        q = sa.select(sa.func.count()).select_from(Task)
        if batch_id is not None:
            q = q.where(Task.batch_id == batch_id)
        return s.scalar(q) or 0
