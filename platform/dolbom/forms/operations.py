"""State changes for form definitions: import, drafts, publishing, export. Each works inside
the caller's transaction and raises a `FormsError` subclass with a Korean message when it
refuses. Responses are in `responses`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.db import utcnow
from dolbom.forms import yamlio
from dolbom.forms.compile import CompiledForm, load_definition
from dolbom.forms.definition import DefinitionError, Problem
from dolbom.forms.models import Form, FormVersion
from dolbom.forms.writer import to_data


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
