"""What a plugin may read and do in the core, as plain functions on a tenant session.

Plugins never import core models: these functions hand out small frozen records (`PersonBrief`,
`CaseInfo`, `DongInfo`, `RuleParam`) and take the few state changes a plugin needs (a new
application, an access-log entry, a job queued after commit). Every function works on the
session it is given, which is bound to one tenant's schema, so tenant isolation holds as for
core code; scope checks (`case_in_scope`, `member_dongs`) follow the signed-in membership."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import g, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from dolbom.cases.models import IN_SERVICE, STAGES, Case
from dolbom.clock import today
from dolbom.districts.models import Dong, Gu
from dolbom.people.models import Person
from dolbom.people.rrn import Rrn, RrnError, parse_rrn
from dolbom.rules.facts import CASE_SOURCES, INCOME_BANDS, LTC_GRADES

__all__ = [
    "CASE_SOURCES",
    "INCOME_BANDS",
    "LTC_GRADES",
    "STAGES",
    "CareFacts",
    "CaseInfo",
    "DongInfo",
    "PersonBrief",
    "Rrn",
    "RrnError",
    "RuleParam",
    "blind_indexes",
    "case_in_scope",
    "case_info",
    "cases_of_people",
    "current_dongs",
    "decrypt_rrn",
    "dong_names",
    "encrypt_rrn",
    "enqueue_after_commit",
    "job_state",
    "log_access",
    "member_dongs",
    "open_application",
    "open_bytes",
    "parse_resident_number",
    "people_by_rrn",
    "people_matching",
    "person_brief",
    "person_briefs",
    "person_care_facts",
    "rate_limited",
    "rule_parameter",
    "seal_bytes",
    "sniff_upload",
    "today",
]


@dataclass(frozen=True)
class CaseInfo:
    id: int
    person_id: int
    dong_code: str | None
    source: str | None
    stage: str
    opened_on: dt.date
    services_started_on: dt.date | None

    @property
    def in_service(self) -> bool:
        """The person is a recipient (수급자): the meeting approved and services run."""
        return self.stage in IN_SERVICE

    @property
    def stage_label(self) -> str:
        return STAGES.get(self.stage, self.stage)

    @classmethod
    def of(cls, case: Any) -> CaseInfo:
        return cls(case.id, case.person_id, case.dong_code, case.source, case.stage,
                   case.opened_on, case.services_started_on)  # fmt: skip


@dataclass(frozen=True)
class PersonBrief:
    """Who a person is, as far as a list may show: never the resident number itself."""

    id: int
    name: str
    rrn_masked: str | None
    birth_date: dt.date | None
    dong_code: str | None
    phone: str | None


@dataclass(frozen=True)
class DongInfo:
    code: str
    name: str
    gu: str


@dataclass(frozen=True)
class RuleParam:
    """A rule parameter's value in force on a day, with where it comes from."""

    value: Any
    label: str
    unit: str | None
    source: str
    article: str | None
    note: str | None
    rule_set: str
    version: int

    @property
    def citation(self) -> str:
        return " ".join(p for p in (self.source, self.article, self.note and f"({self.note})") if p)


_CASE_COLUMNS = (Case.id, Case.person_id, Case.dong_code, Case.source, Case.stage,
                 Case.opened_on, Case.services_started_on)  # fmt: skip


def case_info(session: Session, case_id: int) -> CaseInfo | None:
    row = session.execute(sa.select(*_CASE_COLUMNS).where(Case.id == case_id)).first()
    return CaseInfo(*row) if row else None


def cases_of_people(session: Session, person_ids: Iterable[int]) -> dict[int, list[CaseInfo]]:
    """Every case of these people, newest first."""
    ids = list(set(person_ids))
    out: dict[int, list[CaseInfo]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.execute(
        sa.select(*_CASE_COLUMNS).where(Case.person_id.in_(ids)).order_by(Case.id.desc())
    )
    for row in rows:
        out[row.person_id].append(CaseInfo(*row))
    return out


def member_dongs() -> list[str] | None:
    """The signed-in member's dongs when their role is narrowed to some (읍면동 담당자), else
    None: every dong of the tenant."""
    m = g.membership
    return list(m.dong_codes or []) if m.role == "frontline_worker" else None


def case_in_scope(session: Session, case_id: int) -> CaseInfo | None:
    """The case if the signed-in member may see it (their dongs for a frontline worker)."""
    from dolbom.cases.queries import scope_clause

    m = g.membership
    row = session.execute(
        sa.select(*_CASE_COLUMNS).where(
            Case.id == case_id, scope_clause(m.role, m.dong_codes or [])
        )
    ).first()
    return CaseInfo(*row) if row else None


def person_brief(session: Session, person_id: int) -> PersonBrief | None:
    row = session.execute(
        sa.select(Person.id, Person.name, Person.rrn_masked, Person.birth_date, Person.dong_code,
                  Person.phone).where(Person.id == person_id)
    ).first()  # fmt: skip
    return PersonBrief(*row) if row else None


def current_dongs(session: Session, on: dt.date | None = None) -> list[DongInfo]:
    """The tenant's dongs valid on a day (today), by gu and name."""
    day = on or today()
    rows = session.execute(
        sa.select(Dong.code, Dong.name, Gu.name)
        .join(Gu, Gu.id == Dong.gu_id)
        .where(Dong.valid_from <= day, sa.or_(Dong.valid_to.is_(None), Dong.valid_to > day))
        .order_by(Gu.name, Dong.name)
    ).all()
    return [DongInfo(*r) for r in rows]


def dong_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """Names for dong codes, also of dongs that have since merged or split."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return dict(session.execute(sa.select(Dong.code, Dong.name).where(Dong.code.in_(wanted))).all())


def parse_resident_number(text: str) -> Rrn:
    """Check a resident registration number; raises RrnError with a Korean message."""
    return parse_rrn(text, today=today())


def blind_indexes(tenant: str, canonicals: Iterable[str]) -> dict[str, str]:
    """The keyed blind index of each canonical number (`YYMMDD-NNNNNNN`): store this, never the
    number, to find the same person again or to spot duplicates."""
    from dolbom.people import pii

    c = pii.cipher()
    return {n: c.blind_index(tenant, n) for n in canonicals}


def encrypt_rrn(tenant: str, rrn: Rrn) -> bytes:
    """A resident number sealed for storage (AES-GCM, bound to the tenant), for a plugin that
    must hand it on later (a new application from an outreach list). Store `rrn.masked` beside
    it for display and `blind_indexes` for look-up; never the number itself."""
    from dolbom.people import pii

    return pii.cipher().encrypt(tenant, rrn.canonical)


def decrypt_rrn(tenant: str, blob: bytes) -> Rrn:
    from dolbom.people import pii

    return parse_resident_number(pii.cipher().decrypt(tenant, blob))


def seal_bytes(tenant: str, data: bytes, context: str) -> bytes:
    """A file holding personal data (an uploaded list) encrypted for storage, bound to the
    tenant and `context` (say "<table>:<id>"), until a job has read it."""
    from dolbom.people import pii

    return pii.cipher().seal(tenant, data, context)


def open_bytes(tenant: str, blob: bytes, context: str) -> bytes:
    """What `seal_bytes` sealed with the same tenant and context; raises otherwise."""
    from dolbom.people import pii

    return pii.cipher().unseal(tenant, blob, context)


def people_by_rrn(session: Session, indexes: Sequence[str]) -> dict[str, int]:
    """Registry matches for blind indexes, in one query: index → person id (lowest id when the
    registry holds a duplicate)."""
    out: dict[str, int] = {}
    for start in range(0, len(indexes), 5000):
        chunk = list(indexes[start : start + 5000])
        rows = session.execute(
            sa.select(Person.rrn_index, sa.func.min(Person.id))
            .where(Person.rrn_index.in_(chunk))
            .group_by(Person.rrn_index)
        )
        out.update({index: pid for index, pid in rows})
    return out


def open_application(session: Session, tenant: str, *, name: str, source: str,
                     user_id: int, rrn: Rrn | None = None, person_id: int | None = None,
                     dong_code: str | None = None, address: str | None = None,
                     phone: str | None = None, note: str | None = None,
                     risk_level: str | None = None) -> CaseInfo:  # fmt: skip
    """A new application (접수) — for a person already in the registry (`person_id`), or for a
    new one registered here with the details given. The worker becomes responsible for it."""
    from dolbom.cases.operations import open_case
    from dolbom.people.operations import PersonInput, register

    if source not in CASE_SOURCES:
        raise ValueError(f"unknown case source {source!r}")
    if person_id is not None:
        person = session.get(Person, person_id)
        if person is None:
            raise LookupError(f"no person {person_id}")
    else:
        person = register(session, tenant, PersonInput(name=name, rrn=rrn, dong_code=dong_code,
                                                       address=address, phone=phone),
                          user_id=user_id)  # fmt: skip
    case = open_case(session, person, source=source, source_note=note, user_id=user_id,
                     risk_level=risk_level)  # fmt: skip
    return CaseInfo.of(case)


def log_access(session: Session, *, subject_type: str, subject_id: int, action: str,
               detail: str | None = None) -> None:  # fmt: skip
    """An access-log entry for the signed-in member handling a person's data (view, edit,
    create, delete, print, download). `subject_type` is "person", "case" or the plugin's own."""
    from dolbom.audit.access import log_access as _log

    _log(session, user_id=g.membership.user_id, ip=request.remote_addr,
         subject_type=subject_type, subject_id=subject_id, action=action, detail=detail)  # fmt: skip


def rule_parameter(session: Session, tenant: str, rule_set: str, key: str,
                   on: dt.date | None = None) -> RuleParam | None:  # fmt: skip
    """A parameter of the tenant's published rule set `rule_set` in force on a day (today), with
    its citation — or None when the rule set, the parameter or a value for that day is missing.
    The city edits these in its rules console; a plugin never hard-codes an amount."""
    from dolbom.rules.models import RuleSet, RuleSetVersion

    row = session.execute(
        sa.select(RuleSetVersion.id, RuleSetVersion.checksum, RuleSetVersion.number)
        .join(RuleSet, (RuleSet.id == RuleSetVersion.rule_set_id)
              & (RuleSet.current_number == RuleSetVersion.number))
        .where(RuleSet.key == rule_set)
    ).first()  # fmt: skip
    if row is None:
        return None
    ruleset = _parsed(session, row.id, row.checksum)
    p = ruleset.parameter(key) if ruleset else None
    v = p.value_on(on or today()) if p else None
    if p is None or v is None:
        return None
    return RuleParam(v.value, p.label, p.unit, v.cite.source, v.cite.article, v.cite.note,
                     rule_set, row.number or 0)  # fmt: skip


# Published versions never change (the model refuses it): their parsed text is cached by id and
# checksum, so a job reading twenty parameters parses the YAML once.
_PARSED: dict[tuple[int, str], Any] = {}


def _parsed(session: Session, version_id: int, checksum: str) -> Any:
    from dolbom.rules.models import RuleSetVersion
    from dolbom.rules.reader import parse_yaml

    key = (version_id, checksum)
    if key not in _PARSED:
        source = session.scalar(
            sa.select(RuleSetVersion.source).where(RuleSetVersion.id == version_id)
        )
        if len(_PARSED) > 256:
            _PARSED.clear()
        _PARSED[key] = parse_yaml(source or "")[0]
    return _PARSED[key]


def enqueue_after_commit(session: Session, job: Callable[..., Any], tenant: str, key: str,
                         *args: Any, **options: Any) -> None:  # fmt: skip
    """Queue a tenant job once the session's transaction has committed (never for a rollback):
    the job then sees what the transaction wrote. Same arguments as `dolbom.jobs.enqueue`."""
    from dolbom.jobs import enqueue

    def after_commit(_session: Session) -> None:
        enqueue(job, tenant, key, *args, **options)

    event.listen(session, "after_commit", after_commit, once=True)


def job_state(job_id: str, tenant: str) -> tuple[str, int, str | None] | None:
    """(status, percent, message) of a tenant's job for a progress bar; None if it is not the
    tenant's. A job whose worker died is reported failed rather than left spinning."""
    from dolbom.db import shared_session
    from dolbom.jobs import reconcile
    from dolbom.jobs.models import JobRecord

    with shared_session() as s:
        record = s.get(JobRecord, job_id)
        if record is None or record.tenant_slug != tenant:
            return None
        record = reconcile(s, record)
        return record.status, record.progress or 0, record.message


def rate_limited(bucket: str, limit: int, per_seconds: int) -> bool:
    """Count one request from the client's address in `bucket` (name it per tenant and form);
    True once more than `limit` came within the window. Addresses are hashed in Redis."""
    from dolbom.kv import get_redis

    ip = hashlib.sha256((request.remote_addr or "-").encode()).hexdigest()[:32]
    key = f"ratelimit:{bucket}:{ip}"
    pipe = get_redis().pipeline()
    pipe.set(key, 0, ex=per_seconds, nx=True)
    pipe.incr(key)
    _, count = pipe.execute()
    return int(count) > limit


def sniff_upload(head: bytes) -> str | None:
    """The content type an upload's first bytes prove (PDF, JPEG or PNG), or None for anything
    else: the name and the browser's content type are the sender's claim, not evidence."""
    from dolbom.documents.checks import sniff

    return sniff(head)


# A resident who reports a neighbour knows a name and where they live, not a resident number:
# triage asks "is this person already known here?" from those.
_SPACE = re.compile(r"\s+")


def _squeezed(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    return sa.func.regexp_replace(column, r"\s+", "", "g")


def people_matching(session: Session, *, dong_code: str, name: str | None = None,
                    address: str | None = None, limit: int = 10) -> list[PersonBrief]:  # fmt: skip
    """Registry people living in `dong_code` whose name equals `name` or whose address contains
    `address` or is contained in it (compared without spaces), newest first. Nothing when neither is given."""
    clauses = []
    if name and _SPACE.sub("", name):
        clauses.append(_squeezed(Person.name) == _SPACE.sub("", name))
    squeezed_address = _SPACE.sub("", address or "")
    if len(squeezed_address) >= 4:  # "101호" alone matches half the dong
        pattern = "%" + squeezed_address.replace("\\", "").replace("%", "").replace("_", "") + "%"
        person_address = _squeezed(sa.func.coalesce(Person.address, ""))
        clauses.append(person_address.ilike(pattern))
        # ...or the other way round: the report gives more than the registry holds.
        clauses.append(
            sa.and_(
                sa.func.length(person_address) >= 4,
                sa.literal(squeezed_address).ilike(sa.func.concat("%", person_address, "%")),
            )
        )
    if not clauses:
        return []
    rows = session.execute(
        sa.select(Person.id, Person.name, Person.rrn_masked, Person.birth_date, Person.dong_code,
                  Person.phone)
        .where(Person.dong_code == dong_code, sa.or_(*clauses))
        .order_by(Person.id.desc())
        .limit(limit)
    ).all()  # fmt: skip
    return [PersonBrief(*r) for r in rows]


# What the registry knows of a person's situation, so a plugin's form starts from it instead of
# asking the worker to type it again.
@dataclass(frozen=True)
class CareFacts:
    """What the registry knows of a person's situation (None: not recorded)."""

    lives_alone: bool | None
    household_size: int | None
    ltc_grade: str | None  # a key of LTC_GRADES
    income_band: str | None  # a key of INCOME_BANDS


def person_care_facts(session: Session, person_id: int) -> CareFacts | None:
    row = session.execute(
        sa.select(Person.lives_alone, Person.household_size, Person.ltc_grade,
                  Person.income_band).where(Person.id == person_id)
    ).first()  # fmt: skip
    return CareFacts(*row) if row else None


def person_briefs(session: Session, person_ids: Iterable[int]) -> dict[int, PersonBrief]:
    """`person_brief` for many people in one query (a list's rows)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = session.execute(
        sa.select(Person.id, Person.name, Person.rrn_masked, Person.birth_date, Person.dong_code,
                  Person.phone).where(Person.id.in_(ids))
    )  # fmt: skip
    return {r[0]: PersonBrief(*r) for r in rows}
