"""State changes for forms and responses. Each function works inside the caller's transaction
and raises a `FormsError` subclass with a Korean message when it refuses."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.db import utcnow
from dolbom.forms import yamlio
from dolbom.forms.answers import Context, Raw, parse_answer
from dolbom.forms.compile import CompiledForm, compile_form, load_definition
from dolbom.forms.definition import DefinitionError, Problem, read_definition, to_data
from dolbom.forms.evaluate import Evaluation, evaluate
from dolbom.forms.models import Form, FormResponse, FormResponseRevision, FormVersion


class FormsError(RuntimeError):
    """A refusal with a message for the person who asked."""


class Conflict(FormsError):
    """Someone else saved the same record since it was opened."""


@dataclass
class DefinitionProblems(FormsError):
    """A definition with errors: each with its path, YAML line (when from a file) and message."""

    problems: list[Problem]
    lines: dict[tuple, int] = field(default_factory=dict)
    file: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    def line_of(self, problem: Problem) -> int | None:
        path = problem.path
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def messages(self) -> list[str]:
        out = []
        for p in self.problems:
            line = self.line_of(p)
            where = f"{self.file or '정의'}" + (f":{line}" if line else "")
            out.append(f"{where}: {p.where()}: {p.message}")
        return out

    def summary(self) -> str:
        return "\n".join(self.messages())


@dataclass
class Incomplete(FormsError):
    """A submission that cannot be completed yet."""

    missing: list[str]  # question keys
    errors: dict[str, str]  # question key → message

    def __post_init__(self) -> None:
        super().__init__(f"빠진 문항 {len(self.missing)}개, 확인할 문항 {len(self.errors)}개")


def checksum(definition: dict[str, Any]) -> str:
    canonical = json.dumps(definition, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# -- definitions ----------------------------------------------------------------------------


def parse_yaml(text: str, file: str | None = None) -> tuple[CompiledForm, dict[str, Any]]:
    """A YAML definition checked fully: (compiled form, canonical document) or
    DefinitionProblems naming file, line and reason for every problem."""
    try:
        data, lines = yamlio.load(text)
    except yamlio.YamlProblem as exc:
        raise DefinitionProblems([Problem((), exc.message)], {(): exc.line or 0}, file) from exc
    try:
        cf = load_definition(data)
    except DefinitionError as exc:
        raise DefinitionProblems(exc.problems, lines, file) from exc
    return cf, to_data(cf.form)


def check_definition(data: Any) -> list[Problem]:
    """Every problem of a definition document (structure first, then expressions)."""
    try:
        load_definition(data)
    except DefinitionError as exc:
        return exc.problems
    return []


def import_form(
    session: Session,
    text: str,
    *,
    user_id: int | None,
    file: str | None = None,
    publish_now: bool = False,
) -> FormVersion:
    """A YAML definition becomes the form's draft (the form is created if its key is new);
    with `publish_now` it is published at once. Nothing is stored when it has errors."""
    cf, data = parse_yaml(text, file)
    form = session.scalar(sa.select(Form).where(Form.key == cf.form.key).with_for_update())
    if form is None:
        form = Form(key=cf.form.key, title=cf.form.title)
        session.add(form)
        session.flush()
    draft = _draft_of(session, form)
    if draft is None:
        draft = FormVersion(form_id=form.id, created_by=user_id)
        session.add(draft)
    draft.title = cf.form.title
    draft.definition = data
    draft.source = text
    draft.checksum = checksum(data)
    draft.valid = True
    draft.updated_at = utcnow()
    draft.updated_by = user_id
    session.flush()
    if publish_now:
        return publish(session, form, user_id=user_id)
    return draft


def add_missing_forms(session: Session, files: list[tuple[str, str]]) -> list[str]:
    """Import and publish the pack forms whose key the tenant does not have yet; forms it has
    are left alone (the city may have its own versions by now). Returns the keys added."""
    have = set(session.scalars(sa.select(Form.key)))
    added = []
    for file, text in files:
        cf, _data = parse_yaml(text, file)
        if cf.form.key not in have:
            import_form(session, text, user_id=None, file=file, publish_now=True)
            added.append(cf.form.key)
    return added


def _draft_of(session: Session, form: Form) -> FormVersion | None:
    return session.scalar(
        sa.select(FormVersion).where(FormVersion.form_id == form.id, FormVersion.number.is_(None))
    )


def latest_published(session: Session, form: Form) -> FormVersion | None:
    if form.current_number is None:
        return None
    return session.scalar(
        sa.select(FormVersion).where(
            FormVersion.form_id == form.id, FormVersion.number == form.current_number
        )
    )


def new_form(session: Session, key: str, title: str, *, user_id: int | None) -> FormVersion:
    """An empty form with a draft of one section and one question, to edit from there."""
    data = {
        "key": key,
        "title": title,
        "sections": [
            {
                "key": "section1",
                "title": "첫 번째 섹션",
                "questions": [{"key": "question1", "type": "text", "label": "첫 번째 문항"}],
            }
        ],
    }
    problems = check_definition(data)
    if problems:
        raise DefinitionProblems(problems)
    if session.scalar(sa.select(Form.id).where(Form.key == key)) is not None:
        raise FormsError(f"키가 '{key}'인 서식이 이미 있습니다")
    form = Form(key=key, title=title)
    session.add(form)
    session.flush()
    return save_draft(session, form, data, user_id=user_id)


def open_draft(session: Session, form: Form, *, user_id: int | None) -> FormVersion:
    """The form's draft, made from its newest published version when there is none."""
    draft = _draft_of(session, form)
    if draft is not None:
        return draft
    base = latest_published(session, form)
    if base is None:
        raise FormsError("이 서식에는 초안도 게시본도 없습니다")
    draft = FormVersion(
        form_id=form.id,
        title=base.title,
        definition=base.definition,
        source=base.source,
        checksum=base.checksum,
        valid=True,
        created_by=user_id,
        updated_by=user_id,
    )
    session.add(draft)
    session.flush()
    return draft


def save_draft(
    session: Session,
    form: Form,
    data: dict[str, Any],
    *,
    user_id: int | None,
    lock_version: int | None = None,
    source: str | None = None,
) -> FormVersion:
    """Store an edited definition in the draft, with or without errors (errors are shown at
    the questions and block publishing). A stale `lock_version` is a Conflict."""
    draft = _draft_of(session, form)
    if draft is None:
        draft = FormVersion(form_id=form.id, created_by=user_id)
        session.add(draft)
    elif lock_version is not None and draft.lock_version != lock_version:
        raise Conflict("다른 사람이 이 초안을 먼저 고쳤습니다. 화면을 새로 고친 뒤 다시 고치세요.")
    problems = check_definition(data)
    draft.title = str(data.get("title") or form.title)[:200]
    draft.definition = data
    draft.source = source
    draft.checksum = checksum(data)
    draft.valid = not problems
    draft.updated_at = utcnow()
    draft.updated_by = user_id
    session.flush()
    return draft


def publish(session: Session, form: Form, *, user_id: int | None) -> FormVersion:
    """The draft becomes the next numbered version; it never changes after this."""
    draft = _draft_of(session, form)
    if draft is None:
        raise FormsError("게시할 초안이 없습니다")
    try:
        cf = load_definition(draft.definition)
    except DefinitionError as exc:
        raise DefinitionProblems(exc.problems) from exc
    if cf.form.key != form.key:
        raise FormsError(f"서식 키는 바꿀 수 없습니다 ('{form.key}'를 그대로 두세요)")
    current = latest_published(session, form)
    if current is not None and current.checksum == draft.checksum:
        raise FormsError(f"게시된 버전 {current.number}과(와) 달라진 내용이 없습니다")
    number = (form.current_number or 0) + 1
    draft.number = number
    draft.published_at = utcnow()
    draft.published_by = user_id
    form.current_number = number
    form.title = cf.form.title
    session.flush()
    return draft


def discard_draft(session: Session, form: Form, *, lock_version: int | None = None) -> None:
    draft = _draft_of(session, form)
    if draft is None:
        return
    if form.current_number is None:
        raise FormsError("게시된 적이 없는 서식의 초안은 버릴 수 없습니다")
    if lock_version is not None and draft.lock_version != lock_version:
        raise Conflict("다른 사람이 이 초안을 먼저 고쳤습니다. 화면을 새로 고치세요.")
    session.delete(draft)
    session.flush()


def export_yaml(version: FormVersion) -> str:
    """The version as YAML: the imported text itself while unchanged, else canonical."""
    if version.source is not None:
        return version.source
    return yamlio.dump(version.definition)


# -- responses ------------------------------------------------------------------------------

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
