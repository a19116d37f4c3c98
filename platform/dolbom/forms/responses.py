"""State changes for responses: start, save answer by answer, submit, correct. Each works
inside the caller's transaction and raises a `FormsError` subclass when it refuses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.db import utcnow
from dolbom.forms.answers import Context, Raw, parse_answer
from dolbom.forms.compile import CompiledForm, compile_form
from dolbom.forms.evaluate import Evaluation, evaluate
from dolbom.forms.models import Form, FormResponse, FormResponseRevision, FormVersion
from dolbom.forms.operations import Conflict, FormsError, Incomplete, latest_published
from dolbom.forms.reader import read_definition

_compiled: dict[tuple[str, int, str], CompiledForm] = {}


def compiled(version: FormVersion, cache_key: str = "") -> CompiledForm:
    """The version's compiled form, cached per process by (tenant, id, checksum): published
    versions never change and a draft's checksum changes with every edit."""
    key = (cache_key, version.id, version.checksum)
    cf = _compiled.get(key)
    if cf is None:
        cf = compile_form(read_definition(version.definition))
        if len(_compiled) > 512:
            _compiled.clear()
        _compiled[key] = cf
    return cf


def start_response(
    session: Session, form: Form, *, user_id: int, dong_code: str | None
) -> FormResponse:
    version = latest_published(session, form)
    if version is None:
        raise FormsError("아직 게시된 버전이 없는 서식입니다")
    response = FormResponse(
        form_id=form.id,
        version_id=version.id,
        status="draft",
        answers={},
        pending={},
        scores={},
        dong_code=dong_code,
        created_by=user_id,
        updated_by=user_id,
    )
    session.add(response)
    session.flush()
    return response


def lock_response(session: Session, response_id: int) -> FormResponse | None:
    """The response row locked for this transaction: autosaves of different fields arrive in
    parallel and each recomputes the scores from all answers."""
    return session.scalar(
        sa.select(FormResponse)
        .where(FormResponse.id == response_id)
        .with_for_update(of=FormResponse)
        .execution_options(populate_existing=True)
    )


@dataclass
class Saved:
    key: str
    error: str | None
    details: dict | None
    evaluation: Evaluation


def save_answer(
    session: Session,
    response: FormResponse,
    cf: CompiledForm,
    key: str,
    raw: Raw,
    *,
    user_id: int,
    ctx: Context,
) -> Saved:
    """One answer of a draft. A value that cannot be taken is kept as typed, with its message,
    and the earlier valid answer is dropped so scores never rest on stale input."""
    if response.status != "draft":
        raise FormsError("제출된 응답은 정정으로만 고칠 수 있습니다")
    q = cf.questions.get(key)
    if q is None:
        raise FormsError("이 서식에 없는 문항입니다")
    parsed = parse_answer(q, raw, ctx)
    details = {f"{a}:{b}": m for (a, b), m in (parsed.details or {}).items()}
    answers = dict(response.answers)
    pending = dict(response.pending)
    if parsed.error:
        pending[key] = {"raw": raw, "error": parsed.error, "details": details}
        if q.type in ("grid", "group") and parsed.value is not None:
            answers[key] = parsed.value  # the valid part of a table stays usable
        else:
            answers.pop(key, None)
    else:
        pending.pop(key, None)
        if parsed.value is None:
            answers.pop(key, None)
        else:
            answers[key] = parsed.value
    ev = evaluate(cf, answers)
    response.answers = answers
    response.pending = pending
    response.scores = ev.scores
    response.updated_at = utcnow()
    response.updated_by = user_id
    session.flush()
    return Saved(key, parsed.error, details or None, ev)


def submission_problems(
    cf: CompiledForm, answers: dict[str, Any], pending: dict[str, Any]
) -> tuple[Evaluation, list[str], dict[str, str]]:
    ev = evaluate(cf, answers)
    errors = dict(ev.rule_errors)
    for key, entry in pending.items():
        if key in ev.visible:
            errors[key] = entry.get("error") or "확인이 필요합니다"
    missing = [k for k in ev.missing if k not in errors]
    return ev, missing, errors


def submit(session: Session, response: FormResponse, cf: CompiledForm, *, user_id: int) -> None:
    if response.status != "draft":
        raise FormsError("이미 제출된 응답입니다")
    ev, missing, errors = submission_problems(cf, response.answers, response.pending)
    if missing or errors:
        raise Incomplete(missing, errors)
    now = utcnow()
    response.scores = ev.scores
    response.status = "complete"
    response.submitted_at = now
    response.submitted_by = user_id
    response.updated_at = now
    response.updated_by = user_id
    session.flush()


def parse_all(
    cf: CompiledForm, raw_answers: dict[str, Raw], ctx: Context
) -> tuple[dict[str, Any], dict[str, str]]:
    """Every answer of a whole-form submission: the values that could be taken, and messages."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, q in cf.questions.items():
        parsed = parse_answer(q, raw_answers.get(key), ctx)
        if parsed.error:
            errors[key] = parsed.error
        if parsed.value is not None and (not parsed.error or q.type in ("grid", "group")):
            answers[key] = parsed.value
    return answers, errors


def correct(
    session: Session,
    response: FormResponse,
    cf: CompiledForm,
    raw_answers: dict[str, Raw],
    *,
    reason: str,
    lock_version: int,
    user_id: int,
    ctx: Context,
) -> list[str]:
    """Correct a complete response: every answer checked again, the earlier values kept as a
    revision with the reason. Returns the keys that changed."""
    if response.status != "complete":
        raise FormsError("제출된 응답만 정정할 수 있습니다")
    reason = (reason or "").strip()
    problems: dict[str, str] = {}
    if not reason:
        problems["_reason"] = "정정 사유를 적으세요"
    elif len(reason) > 500:
        problems["_reason"] = "정정 사유는 500자까지입니다"
    if response.lock_version != lock_version:
        raise Conflict(
            "다른 사람이 이 응답을 먼저 정정했습니다. 새로 고친 뒤 다시 정정하세요. "
            "입력한 내용은 화면에 남아 있습니다."
        )
    answers, parse_errors = parse_all(cf, raw_answers, ctx)
    problems.update(parse_errors)
    ev, missing, errors = submission_problems(cf, answers, {})
    problems.update(errors)
    if problems or missing:
        raise Incomplete(missing, problems)
    changed = sorted(
        k for k in set(answers) | set(response.answers) if answers.get(k) != response.answers.get(k)
    )
    if not changed:
        raise FormsError("바뀐 답이 없습니다")
    session.add(
        FormResponseRevision(
            response_id=response.id,
            by=user_id,
            reason=reason,
            answers=response.answers,
            scores=response.scores,
            changed=changed,
        )
    )
    response.answers = answers
    response.scores = ev.scores
    response.updated_at = utcnow()
    response.updated_by = user_id
    session.flush()
    return changed
