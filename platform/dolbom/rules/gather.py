"""Facts about cases, read in bulk: the person, the case, and the latest complete response of
each form attached to the case. One query per kind, whatever the number of cases, so the
what-if over a whole tenant stays a few queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from dolbom.cases.models import IN_SERVICE, Case
from dolbom.districts.models import Dong, Gu
from dolbom.forms.models import Form, FormResponse
from dolbom.people.models import Person

_PERSON_FACTS = ("birth_date", "sex", "household_size", "lives_alone", "ltc_grade", "disability",
                 "income_band")  # fmt: skip


class Districts:
    """Dongs with their validity, to say which dong (and gu) an address is in on a date:
    a person registered in 금암1동 lives in 금암동 after the 2025-03-10 merger."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(
            sa.select(Dong.code, Dong.name, Dong.valid_to, Dong.successor_code, Gu.name).join(Gu)
        ).all()
        self.dongs = {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}

    def on(self, code: str | None, day: dt.date) -> tuple[str | None, str | None, bool | None]:
        """(dong name, gu name, lives in the tenant) on `day`; an unknown address is unknown."""
        if code is None:
            return None, None, None
        seen = set()
        while code in self.dongs and code not in seen:
            seen.add(code)
            name, valid_to, successor, gu = self.dongs[code]
            if valid_to is not None and valid_to <= day and successor:  # valid_to: exclusive
                code = successor
                continue
            return name, gu, True
        return None, None, False


def case_facts(
    session: Session, case_ids: Iterable[int] | None, day: dt.date
) -> dict[int, dict[str, Any]]:
    """Facts per case id on `day`; `case_ids=None` means every open case."""
    districts = Districts(session)
    query = sa.select(Case.id, Case.source, Case.stage, Person.dong_code,
                      *[getattr(Person, f) for f in _PERSON_FACTS]).join(Person)  # fmt: skip
    if case_ids is None:
        query = query.where(Case.stage != "closed")
    else:
        ids = list(case_ids)
        query = query.where(Case.id.in_(ids))
    facts: dict[int, dict[str, Any]] = {}
    for row in session.execute(query.order_by(Case.id)):
        f: dict[str, Any] = {name: row[4 + i] for i, name in enumerate(_PERSON_FACTS)}
        f["dong"], f["gu"], f["resident"] = districts.on(row.dong_code, day)
        f["case_source"] = row.source
        f["in_service"] = row.stage in IN_SERVICE
        facts[row.id] = f
    if facts:
        _add_assessments(session, facts)
    return facts


def _add_assessments(session: Session, facts: dict[int, dict[str, Any]]) -> None:
    ids = list(facts)
    # The newest complete response of each form only: an answer left blank in June must not
    # be filled in from January's response.
    latest = (
        sa.select(FormResponse.id)
        .where(FormResponse.status == "complete", FormResponse.case_id.in_(ids))
        .ext(distinct_on(FormResponse.case_id, FormResponse.form_id))
        .order_by(
            FormResponse.case_id,
            FormResponse.form_id,
            FormResponse.submitted_at.desc(),
            FormResponse.id.desc(),
        )
    )
    rows = session.execute(
        sa.select(FormResponse.case_id, Form.key, FormResponse.answers, FormResponse.scores)
        .join(Form, Form.id == FormResponse.form_id)
        .where(FormResponse.id.in_(latest))
    )
    for case_id, form_key, answers, scores in rows:
        f = facts[case_id]
        for q, value in (answers or {}).items():
            if not isinstance(value, dict):  # grids and groups are not single facts
                f[f"{form_key}.{q}"] = value
        for s, value in (scores or {}).items():
            f[f"{form_key}.{s}"] = value.get("value")
            f[f"{form_key}.{s}.level"] = value.get("level")
