"""The provider's side: an inbox of the referrals sent to its institution and, for each, only
what it needs (name, masked resident number, address, contact, the needs and plan row for its
service) — nothing else of the case. Every opened referral is in the access log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dolbom.audit.access import log_access
from dolbom.cases.transitions import Refused, Stale
from dolbom.catalogue.models import Programme, Provider
from dolbom.clock import today
from dolbom.identity.access import tenant_roles
from dolbom.people.models import Person
from dolbom.referrals import operations, records
from dolbom.referrals.lifecycle import available
from dolbom.referrals.models import STATUSES, Referral
from dolbom.referrals.views import STALE
from dolbom.web.context import db

provider_only = tenant_roles("provider_staff")
SOON_DAYS = 1
INBOX_LIMIT = 200
BOXES = {
    "new": "새 의뢰",
    "soon": "기한 임박",
    "service": "서비스 중",
    "waiting": "대기",
    "ended": "끝난 의뢰",
}


def _provider(session: Session) -> Provider:
    pid = g.membership.provider_id
    provider = session.get(Provider, pid) if pid else None
    if provider is None:
        abort(403)  # a provider account without its institution sees nothing
    return provider


def _box_clause(box: str) -> sa.ColumnElement[bool]:
    soon = today() + dt.timedelta(days=SOON_DAYS)
    return {
        "new": Referral.status == "sent",
        "soon": (Referral.status == "sent") & (Referral.due_on <= soon),
        "service": Referral.status.in_(("accepted", "in_service")),
        "waiting": Referral.status == "waiting",
        "ended": Referral.status.in_(("declined", "revoked", "completed", "stopped")),
    }[box]


@provider_only
def inbox():  # type: ignore[no-untyped-def]
    session = db()
    provider = _provider(session)
    box = request.args.get("box", "new")
    box = box if box in BOXES else "new"
    mine = Referral.provider_id == provider.id
    # One query for the five counts (a FILTER per box), not five.
    counts = dict(zip(BOXES, session.execute(sa.select(*[
        sa.func.count().filter(_box_clause(key)) for key in BOXES]).where(mine)).one(), strict=True))  # fmt: skip
    # Plain columns, not ORM objects: a hundred rows of entities cost more than the page.
    rows = session.execute(
        sa.select(Referral.id, Referral.status, Referral.due_on, Referral.period_from,
                  Referral.period_until, Person.name, Programme.name.label("programme"))
        .join(Person, Person.id == Referral.person_id)
        .join(Programme, Programme.id == Referral.programme_id)
        .where(mine, _box_clause(box))
        .order_by(Referral.due_on.asc().nulls_last(), Referral.id)
        .limit(INBOX_LIMIT)
    ).all()  # fmt: skip
    # Labels translated once per page, not once per row.
    statuses = {key: str(label) for key, label in STATUSES.items()}
    return render_template("referrals/inbox.html", provider=provider, box=box, boxes=BOXES,
                           counts=counts, rows=rows, today=today(), limit=INBOX_LIMIT,
                           statuses=statuses)  # fmt: skip


def _mine_or_404(session: Session, provider: Provider, referral_id: int) -> Referral:
    referral = session.scalar(
        sa.select(Referral).where(Referral.id == referral_id, Referral.provider_id == provider.id)
    )
    if referral is None:
        abort(404)  # another provider's referral does not exist for this one
    return referral


def _detail(referral: Referral, status: int = 200, **extra: Any):  # type: ignore[no-untyped-def]
    session = db()
    person = session.get(Person, referral.person_id)
    context: dict[str, Any] = {
        "referral": referral, "person": person, "steps": available(referral.status, "provider_staff"),
        "records": records.records_of(session, referral.id),
        "cap": records.monthly_cap(session, referral.case_id, referral.programme),
        "used": records.used_in_month(session, referral.case_id, referral.programme_id, today()),
        "fmt_qty": records.fmt, "record_rows": records.ROWS, "recordable": referral.status in records.RECORDABLE,
        "message": None, "errors": {}, "values": {}, "records_errors": {}, "records_values": {},
        "records_message": None, "today": today(),
    }  # fmt: skip
    context.update(extra)
    return render_template("referrals/detail.html", **context), status


def _log(referral: Referral, action: str, detail: str) -> None:
    log_access(db(), user_id=g.membership.user_id, ip=request.remote_addr, subject_type="person",
               subject_id=referral.person_id, action=action, detail=detail)  # fmt: skip


@provider_only
def detail(referral_id: int):  # type: ignore[no-untyped-def]
    session = db()
    referral = _mine_or_404(session, _provider(session), referral_id)
    _log(referral, "view", f"의뢰 #{referral.id}")
    session.commit()
    return _detail(referral)


@provider_only
def respond(referral_id: int, action: str):  # type: ignore[no-untyped-def]
    session = db()
    referral = _mine_or_404(session, _provider(session), referral_id)
    raw = request.form.get("lock", "")
    reason = request.form.get("reason", "")
    try:
        operations.act(session, referral, action, role="provider_staff", user_id=g.membership.user_id,
                       reason=reason, lock_version=int(raw) if raw.isdecimal() else None)  # fmt: skip
    except (Refused, StaleDataError) as exc:
        session.rollback()
        refused = exc if isinstance(exc, Refused) else Stale(STALE)
        referral = _mine_or_404(session, _provider(session), referral_id)
        return _detail(referral, 409 if isinstance(refused, Stale) else 422, message=refused.message,
                       errors=refused.fields, values={"reason": reason, "action": action})  # fmt: skip
    _log(referral, "edit", f"의뢰 #{referral.id} {action}")
    session.commit()
    return redirect(url_for("tenant.provider.detail", referral_id=referral.id), 303)


@provider_only
def add_records(referral_id: int):  # type: ignore[no-untyped-def]
    session = db()
    referral = _mine_or_404(session, _provider(session), referral_id)
    if referral.status not in records.RECORDABLE:
        return _detail(
            referral, 422, records_message=_("수락했거나 서비스 중인 의뢰에만 기록할 수 있습니다")
        )
    batch = records.read(request.form, referral)
    if batch.errors:
        return _detail(referral, 422, records_errors=batch.errors, records_values=batch.values,
                       records_message=_("표시한 칸을 고치세요. 아무것도 저장하지 않았습니다."))  # fmt: skip
    try:
        saved = records.save(session, referral, batch, user_id=g.membership.user_id)
    except records.OverCap as exc:
        session.rollback()
        referral = _mine_or_404(session, _provider(session), referral_id)
        return _detail(referral, 422, records_values=batch.values,
                       records_message=" ".join(exc.problems) + " " + _("시군구 담당자의 승인이 있어야 상한을 넘겨 기록할 수 있습니다. 아무것도 저장하지 않았습니다."))  # fmt: skip
    _log(referral, "edit", f"서비스 기록 {len(saved)}건")
    session.commit()
    return redirect(url_for("tenant.provider.detail", referral_id=referral.id), 303)
