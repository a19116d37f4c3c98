"""The caseload: a member's cases filtered by stage, dong, deadline, risk and worker, searched by
name or resident number (through the blind index, never the number itself), sorted and paged, with counts per
stage. Three queries whatever the size: counts, the page, and nothing per row."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from dolbom.cases.models import RISK_LEVELS, STAGES, Case
from dolbom.cases.queries import scope_clause
from dolbom.clock import today
from dolbom.people import pii
from dolbom.people.models import Person
from dolbom.people.rrn import RrnError, parse_rrn

PAGE = 50
SORTS = {
    "recent": (_l("최근 접수순"), (Case.opened_on.desc(), Case.id.desc())),
    "oldest": (_l("오래된 접수순"), (Case.opened_on, Case.id)),
    "name": (_l("이름순"), (Person.name, Case.id)),
    "stage": (_l("단계순"), (Case.stage, Case.id.desc())),
    "due": (_l("기한 임박순"), (Case.due_on.asc().nulls_last(), Case.id)),
}
DUE = {"overdue": _l("기한 지남"), "soon": _l("3일 안에 기한")}
SOON_DAYS = 3
_RRN_LIKE = re.compile(r"\d{6}-?\d{7}")


@dataclass
class Filters:
    stage: str = ""  # "" open cases, "all", "closed" or a stage
    dong: str = ""
    q: str = ""
    due: str = ""  # "", "overdue" or "soon"
    risk: str = ""
    mine: bool = False
    sort: str = "recent"
    page: int = 1
    problems: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, args: Mapping[str, str], dongs: Sequence[str]) -> Filters:
        f = cls()
        stage = args.get("stage", "")
        f.stage = stage if stage in STAGES or stage == "all" else ""
        dong = args.get("dong", "")
        f.dong = dong if dong in dongs else ""
        f.q = (args.get("q") or "").strip()[:50]
        f.due = args.get("due", "") if args.get("due", "") in DUE else ""
        f.risk = args.get("risk", "") if args.get("risk", "") in RISK_LEVELS else ""
        f.mine = args.get("mine") == "1"
        f.sort = args.get("sort", "") if args.get("sort", "") in SORTS else "recent"
        page = args.get("page", "1")
        f.page = max(1, min(int(page), 100_000)) if page.isdecimal() else 1
        return f

    def query_args(self, **change: object) -> dict[str, object]:
        """The filters as URL parameters (defaults left out), with some changed."""
        out = {
            "stage": self.stage,
            "dong": self.dong,
            "q": self.q,
            "due": self.due,
            "risk": self.risk,
            "mine": "1" if self.mine else "",
            "sort": self.sort,
            "page": self.page,
        }
        out.update(change)
        return {k: v for k, v in out.items() if v not in ("", None, 1, "recent")}


@dataclass
class Caseload:
    rows: list[Case]
    total: int
    counts: dict[str, int]
    filters: Filters

    @property
    def open_total(self) -> int:
        return sum(n for stage, n in self.counts.items() if stage != "closed")

    @property
    def pages(self) -> int:
        return max(1, (self.total + PAGE - 1) // PAGE)


def load(session: Session, tenant: str, role: str, dong_codes: Sequence[str], f: Filters,
         user_id: int | None = None) -> Caseload:  # fmt: skip
    scope = [scope_clause(role, dong_codes)]
    if f.dong:
        scope.append(Case.dong_code == f.dong)
    if f.mine:
        scope.append(Case.worker_id == user_id)
    if f.risk:
        scope.append(Case.risk_level == f.risk)
    if f.due == "overdue":
        scope.append(Case.due_on < today())
    elif f.due == "soon":
        scope.append(Case.due_on.between(today(), today() + dt.timedelta(days=SOON_DAYS)))
    search = _search(tenant, f)
    if search is not None:
        scope.append(search)
    counts = dict(
        session.execute(
            sa.select(Case.stage, sa.func.count()).join(Person).where(*scope).group_by(Case.stage)
        ).all()
    )
    where = list(scope)
    if f.stage == "":
        where.append(Case.stage != "closed")
    elif f.stage != "all":
        where.append(Case.stage == f.stage)
    total = sum(n for s, n in counts.items() if f.stage == "all" or s == f.stage
                or (f.stage == "" and s != "closed"))  # fmt: skip
    rows = list(
        session.scalars(
            sa.select(Case).join(Person).where(*where).order_by(*SORTS[f.sort][1])
            .limit(PAGE).offset((f.page - 1) * PAGE)
        )
    )  # fmt: skip
    return Caseload(rows, total, counts, f)


def is_rrn_search(q: str) -> bool:
    return bool(q) and _RRN_LIKE.fullmatch(re.sub(r"\s", "", q)) is not None


def _search(tenant: str, f: Filters) -> sa.ColumnElement[bool] | None:
    if not f.q:
        return None
    compact = re.sub(r"\s", "", f.q)
    if _RRN_LIKE.fullmatch(compact):
        try:
            rrn = parse_rrn(compact, today=today())
        except RrnError as exc:
            f.problems["q"] = str(exc)
            return sa.false()
        return Person.rrn_index == pii.cipher().blind_index(tenant, rrn.canonical)
    escaped = f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Person.name.ilike(f"%{escaped}%", escape="\\")
