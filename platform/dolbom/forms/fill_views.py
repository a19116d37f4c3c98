"""Filling in assessments (`/<tenant>/assessments/…`): list, start, autosave answer by answer,
submit, read and print, correct. Views are thin: domain work is in `operations`, what the screen
shows in `fill`. Every view of a response is written to the access log."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from dolbom.audit.access import log_access
from dolbom.clock import today
from dolbom.forms import operations as ops
from dolbom.forms import queries
from dolbom.forms import responses as rs
from dolbom.forms.answers import Context
from dolbom.forms.evaluate import evaluate
from dolbom.forms.fill import build_page, make_ctx, raw_answers, raw_from_form
from dolbom.forms.models import FormResponse
from dolbom.identity.access import tenant_roles
from dolbom.web.context import db
from dolbom.web.htmx import is_partial

fill_roles = tenant_roles("city_admin", "coordinator", "frontline_worker")


def scope() -> queries.Scope:
    m = g.membership
    return queries.Scope(m.role, m.user_id, tuple(m.dong_codes))


def context() -> Context:
    return Context(today(), {d.code for d in queries.dong_choices(db(), today())})


def _log(response: FormResponse, action: str, detail: str | None = None) -> None:
    log_access(
        db(),
        user_id=g.membership.user_id,
        ip=request.remote_addr,
        subject_type="form_response",
        subject_id=response.id,
        action=action,
        detail=detail,
    )


def answer_ctx(response: FormResponse, cf, dongs):  # type: ignore[no-untyped-def]
    base = url_for("tenant.assessments.answer", response_id=response.id, key="_")[:-1]
    return make_ctx("fill", cf, dongs, base)


def _dong_names(session, response: FormResponse, choices) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The response's dong name from today's list, or from the table for a dong since merged."""
    names = {d.code: d.name for d in choices}
    if response.dong_code and response.dong_code not in names:
        names.update(queries.dong_names(session, {response.dong_code}))
    return names


def _response_or_404(response_id: int) -> FormResponse:
    response = queries.response_in_scope(db(), scope(), response_id)
    if response is None:
        abort(404)
    return response


@fill_roles
def index():  # type: ignore[no-untyped-def]
    status = request.args.get("status") or None
    if status not in (None, "draft", "complete"):
        abort(400)
    page = request.args.get("page", "1")
    if not page.isdecimal() or not 1 <= int(page) <= 10_000:
        abort(400)
    rows, total = queries.responses(db(), scope(), status=status, page=int(page))
    dongs = queries.dong_names(db(), {r.dong_code for r in rows if r.dong_code})
    return render_template(
        "forms/responses.html",
        rows=rows,
        total=total,
        page=int(page),
        pages=max(1, -(-total // queries.PAGE_SIZE)),
        status=status,
        dongs=dongs,
        forms=queries.published_forms(db()),
    )


@fill_roles
def start():  # type: ignore[no-untyped-def]
    session = db()
    forms = queries.published_forms(session)
    choices = queries.dong_choices(session, today())
    my_dongs = list(g.membership.dong_codes)
    errors: dict[str, str] = {}
    values = {"form": request.values.get("form", ""), "dong": request.values.get("dong", "")}
    if request.method == "POST":
        form = next((f for f in forms if f.key == values["form"]), None)
        if form is None:
            errors["form"] = _("조사할 서식을 고르세요")
        codes = {c.code for c in choices}
        if values["dong"] not in codes:
            errors["dong"] = _("대상자가 사는 행정동을 고르세요")
        elif (
            g.membership.role == "frontline_worker" and my_dongs and values["dong"] not in my_dongs
        ):
            errors["dong"] = _("담당 행정동의 대상자만 조사할 수 있습니다")
        if not errors and form is not None:
            response = rs.start_response(
                session, form, user_id=g.membership.user_id, dong_code=values["dong"]
            )
            _log(response, "create")
            session.commit()
            return redirect(url_for("tenant.assessments.show", response_id=response.id), 303)
    if not values["dong"] and len(my_dongs) == 1:
        values["dong"] = my_dongs[0]
    status = 422 if errors else 200
    return render_template(
        "forms/start.html", forms=forms, dongs=choices, errors=errors, values=values
    ), status


@fill_roles
def show(response_id: int):  # type: ignore[no-untyped-def]
    session = db()
    response = _response_or_404(response_id)
    cf = rs.compiled(response.version, g.tenant.slug)
    ev = evaluate(cf, response.answers)
    page = build_page(cf, response.answers, response.pending, ev)
    _log(response, "view")
    choices = queries.dong_choices(session, today())
    dongs = _dong_names(session, response, choices)
    session.commit()
    if response.status == "complete":
        return render_template(
            "forms/read.html",
            response=response,
            page=page,
            dongs=dongs,
            revisions=queries.revisions(session, response),
            questions=cf.questions,
            printing=False,
        )
    return render_template(
        "forms/fill.html",
        response=response,
        page=page,
        dongs=dongs,
        c=answer_ctx(response, cf, choices),
    )


@fill_roles
def answer(response_id: int, key: str):  # type: ignore[no-untyped-def]
    """Autosave one answer. The reply is the question's message (422 when the value could not
    be taken; it is kept as typed) plus out-of-band updates: the save status, progress, scores
    and any question or section whose visibility changed."""
    session = db()
    if queries.response_in_scope(session, scope(), response_id) is None:
        abort(404)
    response = rs.lock_response(session, response_id)
    if response is None:
        abort(404)
    if response.status != "draft":
        return render_template("forms/_stale.html", key=key), 409
    cf = rs.compiled(response.version, g.tenant.slug)
    q = cf.questions.get(key)
    if q is None:
        abort(404)
    before = evaluate(cf, response.answers)
    if request.form.get("_clear"):
        raw = None
    else:
        raw = raw_from_form(q, request.form)
        remove = request.form.get("_remove_row", "")
        if q.type == "group" and remove.isdecimal() and isinstance(raw, list):
            raw = [row for i, row in enumerate(raw) if i != int(remove)]
    saved = rs.save_answer(
        session, response, cf, key, raw, user_id=g.membership.user_id, ctx=context()
    )
    _log(response, "edit", f"answer:{key}")
    session.commit()
    ev = saved.evaluation
    page = build_page(cf, response.answers, response.pending, ev)
    states = {s.key: s for s in page.questions()}
    changed_questions = [
        states[k]
        for k in (ev.visible ^ before.visible)
        if k in states and cf.section_of[k] not in (ev.hidden_sections ^ before.hidden_sections)
    ]
    changed_sections = [
        s for s in page.sections if s.section.key in (ev.hidden_sections ^ before.hidden_sections)
    ]
    rerender = (
        request.form.get("_clear")
        or request.form.get("_remove_row")
        or request.form.get("_add_row")
    )
    body = render_template(
        "forms/_saved.html",
        response=response,
        page=page,
        state=states[key],
        changed_questions=changed_questions,
        changed_sections=changed_sections,
        rerender=bool(rerender),
        # The dong list is only needed when questions are drawn again.
        c=answer_ctx(
            response,
            cf,
            queries.dong_choices(session, today())
            if rerender or changed_questions or changed_sections
            else [],
        ),
        add_row=bool(request.form.get("_add_row")),
    )
    return body, (422 if saved.error else 200)


@fill_roles
def submit(response_id: int):  # type: ignore[no-untyped-def]
    session = db()
    if queries.response_in_scope(session, scope(), response_id) is None:
        abort(404)
    response = rs.lock_response(session, response_id)
    if response is None:
        abort(404)
    cf = rs.compiled(response.version, g.tenant.slug)
    try:
        rs.submit(session, response, cf, user_id=g.membership.user_id)
    except ops.Incomplete as exc:
        session.rollback()
        return render_template(
            "forms/_incomplete.html",
            response=response,
            cf=cf,
            missing=exc.missing,
            errors=exc.errors,
        ), 422
    except ops.FormsError as exc:
        session.rollback()
        flash(str(exc), "error")
        return _go(url_for("tenant.assessments.show", response_id=response_id))
    _log(response, "edit", "submit")
    session.commit()
    flash(_("조사를 제출했습니다."), "ok")
    return _go(url_for("tenant.assessments.show", response_id=response_id))


def _go(url: str) -> Response:
    if is_partial() or request.headers.get("HX-Request"):
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url, 303)


@fill_roles
def print_view(response_id: int):  # type: ignore[no-untyped-def]
    session = db()
    response = _response_or_404(response_id)
    cf = rs.compiled(response.version, g.tenant.slug)
    ev = evaluate(cf, response.answers)
    _log(response, "print")
    dongs = queries.dong_names(session, {response.dong_code} if response.dong_code else set())
    session.commit()
    return render_template(
        "forms/read.html",
        response=response,
        page=build_page(cf, response.answers, {}, ev),
        dongs=dongs,
        revisions=[],
        questions=cf.questions,
        printing=True,
    )


@fill_roles
def correct(response_id: int):  # type: ignore[no-untyped-def]
    """A full form of a complete response; saving needs a reason and keeps the old values."""
    session = db()
    response = _response_or_404(response_id)
    if response.status != "complete":
        return redirect(url_for("tenant.assessments.show", response_id=response_id), 303)
    cf = rs.compiled(response.version, g.tenant.slug)
    if request.method == "GET":
        _log(response, "view", "correct")
        session.commit()
        ev = evaluate(cf, response.answers)
        page = build_page(cf, response.answers, {}, ev)
        return render_template(
            "forms/correct.html", response=response, page=page, reason="",
            lock_version=response.lock_version, errors={}, conflict=None,
            c=make_ctx("plain", cf, queries.dong_choices(session, today())),
        )  # fmt: skip
    raw = raw_answers(cf, request.form)
    reason = request.form.get("reason", "")
    lock = request.form.get("lock_version", "")
    locked = rs.lock_response(session, response_id)
    assert locked is not None
    try:
        changed = rs.correct(
            session, locked, cf, raw, reason=reason,
            lock_version=int(lock) if lock.isdecimal() else -1,
            user_id=g.membership.user_id, ctx=context(),
        )  # fmt: skip
    except (ops.Incomplete, ops.Conflict, ops.FormsError) as exc:
        session.rollback()
        errors = exc.errors if isinstance(exc, ops.Incomplete) else {}
        missing = set(exc.missing) if isinstance(exc, ops.Incomplete) else set()
        for key in missing:
            errors.setdefault(key, _("필수 문항입니다"))
        parsed, _errors = rs.parse_all(cf, raw, context())
        ev = evaluate(cf, parsed)
        page = build_page(cf, parsed, {}, ev, errors=errors, missing=missing, raw=raw)
        return render_template(
            "forms/correct.html", response=response, page=page, reason=reason,
            lock_version=lock, errors=errors,
            conflict=None if isinstance(exc, ops.Incomplete) else str(exc),
            c=make_ctx("plain", cf, queries.dong_choices(session, today())),
        ), (409 if isinstance(exc, ops.Conflict) else 422)  # fmt: skip
    _log(locked, "edit", f"correct:{len(changed)}")
    session.commit()
    flash(_("정정했습니다. 이전 값은 정정 이력에 남았습니다."), "ok")
    return redirect(url_for("tenant.assessments.show", response_id=response_id), 303)


@fill_roles
def correct_check(response_id: int):  # type: ignore[no-untyped-def]
    """Which questions and sections the correction form should hide for what is typed now, so
    conditions work there as they do while filling in. Returns keys only, nothing typed."""
    response = _response_or_404(response_id)
    cf = rs.compiled(response.version, g.tenant.slug)
    answers, _errors = rs.parse_all(cf, raw_answers(cf, request.form), context())
    ev = evaluate(cf, answers)
    hidden_questions = sorted(set(cf.questions) - ev.visible)
    return render_template(
        "forms/_visibility.html",
        questions=hidden_questions,
        sections=sorted(ev.hidden_sections),
    )
