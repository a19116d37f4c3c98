"""The admission queue (입주 대기): the list in priority order, a new entry for a case, one entry
with its score explanation, and the move-in from it (`/<tenant>/p/housing/queue/…`).

A worker may put a person of their own caseload on the list (`case_in_scope`); coordinators and
city administrators also edit, withdraw, recompute and move people in."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from dolbom.plugins.api import (
    INCOME_BANDS,
    LTC_GRADES,
    case_in_scope,
    is_partial,
    member_dongs,
    person_brief,
    person_briefs,
    person_care_facts,
    request_session,
    today,
)
from dolbom_housing import forms, queries, scoring
from dolbom_housing import operations as ops
from dolbom_housing.models import ENTRY_STATUSES, QueueEntry
from dolbom_housing.web import (
    can_manage,
    go,
    kept,
    log_person,
    manage,
    page_or_fragment,
    read,
    refusal,
)


def _ctx() -> dict[str, Any]:
    return {"grades": LTC_GRADES, "bands": INCOME_BANDS, "entry_statuses": ENTRY_STATUSES,
            "can_manage": can_manage(), "today": today()}  # fmt: skip


@read
def queue():  # type: ignore[no-untyped-def]
    session = request_session()
    page = request.args.get("page", "1")
    page_no = int(page) if page.isdecimal() and 0 < int(page) < 10_000 else 1
    entries, total = queries.waiting(session, member_dongs(), page=page_no)
    pages = max(1, -(-total // queries.QUEUE_PAGE))
    rank0 = (page_no - 1) * queries.QUEUE_PAGE
    return render_template(
        "housing/queue.html", entries=entries, total=total, page=page_no, pages=pages, rank0=rank0,
        people=person_briefs(session, [e.person_id for e in entries]),
        rules=scoring.load_rules(session, g.tenant.slug, today()), **_ctx(),
    )  # fmt: skip


def _entry_values(e: QueueEntry) -> dict[str, Any]:
    return {"applied_on": e.applied_on.isoformat(),
            "discharge_on": e.discharge_on.isoformat() if e.discharge_on else "",
            "hospital": e.hospital or "", "lives_alone": {True: "yes", False: "no"}.get(e.lives_alone, ""),  # type: ignore[arg-type]
            "ltc_grade": e.ltc_grade or "", "income_band": e.income_band or "",
            "unsafe_housing": e.unsafe_housing, "note": e.note or "", "lock_version": e.lock_version}  # fmt: skip


def _prefill(case_id: int | None) -> dict[str, Any]:
    """A new entry starts from what the registry knows of the person: no typing it twice."""
    values: dict[str, Any] = {"applied_on": today().isoformat()}
    case = case_in_scope(request_session(), case_id) if case_id else None
    if case is None:
        return values
    values["case_id"] = str(case.id)
    facts = person_care_facts(request_session(), case.person_id)
    if facts is not None:
        values["lives_alone"] = {True: "yes", False: "no"}.get(facts.lives_alone, "")  # type: ignore[arg-type]
        values["ltc_grade"] = facts.ltc_grade or ""
        values["income_band"] = facts.income_band or ""
    return values


@read
def entry_new():  # type: ignore[no-untyped-def]
    session, m = request_session(), g.membership
    if request.method == "GET":
        raw = request.args.get("case_id", "")
        values = _prefill(int(raw) if raw.isdecimal() and len(raw) < 10 else None)
        case = case_in_scope(session, int(values["case_id"])) if "case_id" in values else None
        person = person_brief(session, case.person_id) if case else None
        if person is not None:
            log_person(person.id, "view", "케어안심주택 대기 등록")
            session.commit()
        return render_template(
            "housing/entry_new.html", values=values, errors={}, person=person, **_ctx()
        )
    reading = forms.read_entry(request.form, today(), new=True)
    try:
        if reading.errors:
            raise ops.Refused(_("저장하지 않았습니다. 표시된 항목을 확인하세요."), reading.errors)
        case = case_in_scope(session, reading.values["case_id"])
        if case is None:
            raise ops.Refused(
                _("저장하지 않았습니다."), {"case_id": _("볼 수 있는 사례 중에 이 번호가 없습니다")}
            )
        entry = ops.create_entry(
            session, g.tenant.slug, case, reading.values, user_id=m.user_id, on=today()
        )
    except ops.Refused as exc:
        session.rollback()
        return page_or_fragment("housing/entry_new.html", "housing/_entry_form.html", 422, person=None,
                                values=kept(request.form), errors=exc.fields, message=exc.message, **_ctx())  # fmt: skip
    log_person(entry.person_id, "create", "케어안심주택 입주 대기 등록")
    session.commit()
    return go(url_for("tenant.plugin_housing.entry", entry_id=entry.id))


def _entry_or_404(entry_id: int) -> QueueEntry:
    session = request_session()
    entry = session.get(QueueEntry, entry_id)
    if entry is None or case_in_scope(session, entry.case_id) is None:
        abort(404)
    return entry


FRAGMENTS = {
    "edit": "housing/_entry_edit.html",
    "in": "housing/_move_in.html",
    "out": "housing/_withdraw.html",
}


def entry_page(entry: QueueEntry, status: int = 200, form_key: str | None = None, **extra: Any):  # type: ignore[no-untyped-def]
    """The entry's page with its score explanation — or, for a refused htmx post, the form."""
    session = request_session()
    ctx = {"e": entry, "values": _entry_values(entry), "errors": {},
           "in_values": {"moved_in_on": today().isoformat()}, "in_errors": {}, "out_values": {},
           "out_errors": {}, "vacant": queries.vacant_flats(session) if entry.status == "waiting" else [],
           **_ctx(), **extra}  # fmt: skip
    if form_key is not None and is_partial():
        return render_template(FRAGMENTS[form_key], **ctx), status
    person = person_brief(session, entry.person_id)
    log_person(entry.person_id, "view", "케어안심주택 입주 대기")
    session.commit()
    tenancy = queries.current_tenancy(session, person_id=entry.person_id)
    return render_template(
        "housing/entry.html", person=person, position=queries.position(session, entry),
        threshold=scoring.threshold_of(entry.breakdown or []), tenancy=tenancy,
        rules_now=scoring.load_rules(session, g.tenant.slug, today()), **ctx,
    ), status  # fmt: skip


@read
def entry(entry_id: int):  # type: ignore[no-untyped-def]
    return entry_page(_entry_or_404(entry_id))


def _refused(entry_id: int, exc: Exception, form_key: str):  # type: ignore[no-untyped-def]
    request_session().rollback()
    e = _entry_or_404(entry_id)
    status, message, fields = refusal(exc)
    if form_key == "edit":
        extra = {
            "values": kept(request.form) | {"lock_version": e.lock_version},
            "errors": fields,
            "message": message,
        }
    else:
        extra = {f"{form_key}_values": kept(request.form), f"{form_key}_errors": fields,
                 f"{form_key}_message": message}  # fmt: skip
    return entry_page(e, status, form_key, **extra)


@manage
def entry_edit(entry_id: int):  # type: ignore[no-untyped-def]
    session, e = request_session(), _entry_or_404(entry_id)
    reading = forms.read_entry(request.form, today(), new=False)
    try:
        if reading.errors:
            raise ops.Refused(_("저장하지 않았습니다. 표시된 항목을 확인하세요."), reading.errors)
        ops.update_entry(session, g.tenant.slug, e, reading.values, user_id=g.membership.user_id,
                         lock_version=forms.lock_from(request.form), on=today())  # fmt: skip
        log_person(e.person_id, "edit", "케어안심주택 입주 대기 수정")
        session.commit()
    except (ops.Refused, StaleDataError) as exc:
        return _refused(entry_id, exc, "edit")
    return go(url_for("tenant.plugin_housing.entry", entry_id=entry_id))


@manage
def withdraw(entry_id: int):  # type: ignore[no-untyped-def]
    session, e = request_session(), _entry_or_404(entry_id)
    try:
        ops.withdraw(session, e, (request.form.get("reason") or "").strip(), user_id=g.membership.user_id,
                     lock_version=forms.lock_from(request.form), on=today())  # fmt: skip
        log_person(e.person_id, "edit", "케어안심주택 입주 대기 취소")
        session.commit()
    except (ops.Refused, StaleDataError) as exc:
        return _refused(entry_id, exc, "out")
    return go(url_for("tenant.plugin_housing.entry", entry_id=entry_id))


@manage
def move_in(entry_id: int):  # type: ignore[no-untyped-def]
    session, e = request_session(), _entry_or_404(entry_id)
    reading = forms.read_move_in(request.form, today(), e.applied_on)
    try:
        if reading.errors:
            raise ops.Refused(
                _("입주를 기록하지 않았습니다. 표시된 항목을 확인하세요."), reading.errors
            )
        tenancy = ops.move_in(session, e, reading.values, user_id=g.membership.user_id,
                              lock_version=forms.lock_from(request.form))  # fmt: skip
        log_person(e.person_id, "edit", "케어안심주택 입주")
        session.commit()
    except (ops.Refused, StaleDataError) as exc:
        return _refused(entry_id, exc, "in")
    flash(_("입주를 기록했습니다."), "ok")
    return go(url_for("tenant.plugin_housing.flat", flat_id=tenancy.flat_id))


@manage
def recompute():  # type: ignore[no-untyped-def]
    session = request_session()
    try:
        n = ops.recompute(session, g.tenant.slug, on=today(), user_id=g.membership.user_id)
        session.commit()
    except StaleDataError:  # an entry was edited meanwhile: nothing recomputed, say so
        session.rollback()
        flash(
            _("그 사이 다른 사람이 대기 항목을 고쳤습니다. 다시 계산을 한 번 더 누르세요."), "error"
        )
        return go(url_for("tenant.plugin_housing.queue"))
    flash(
        _("대기 %(n)d명의 점수를 오늘(%(day)s) 기준으로 다시 계산했습니다.", n=n, day=today()), "ok"
    )
    return go(url_for("tenant.plugin_housing.queue"))
