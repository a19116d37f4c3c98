"""State changes for rule sets: import from packs, drafts, publishing (gated by examples) and
decisions. Functions take the tenant's session and commit nothing themselves."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, undefer

from dolbom.clock import today
from dolbom.db import utcnow
from dolbom.forms import yamlio
from dolbom.rules.catalogue import check_source, compiled_version, remember, tenant_catalogue
from dolbom.rules.definition import Problem, RuleSetProblems
from dolbom.rules.examples import Failure, run_examples
from dolbom.rules.models import RuleSet, RuleSetVersion


class RulesError(RuntimeError):
    pass


class Conflict(RulesError):
    pass


@dataclass
class ExamplesFailed(RulesError):
    failures: list[Failure]

    def __post_init__(self) -> None:
        super().__init__(f"예시 {len(self.failures)}건이 기대와 다릅니다")


STALE = "다른 사람이 이 초안을 먼저 고쳤거나 게시·삭제했습니다. 화면을 새로 고친 뒤 다시 하세요."


def lock_token(draft: RuleSetVersion) -> str:
    """What the editor sends back: the draft and the version of it the page was made from. The id
    matters too: a new draft made after a discard starts again at lock version 1."""
    return f"{draft.id}-{draft.lock_version}"


def check_lock(draft: RuleSetVersion | None, token: str | None) -> None:
    """`token=None` is an internal caller that checked already; anything else must match."""
    if token is not None and (draft is None or token != lock_token(draft)):
        raise Conflict(STALE)


def checksum(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()


def get_ruleset(session: Session, key: str, *, lock: bool = False) -> RuleSet | None:
    query = sa.select(RuleSet).where(RuleSet.key == key)
    return session.scalar(query.with_for_update() if lock else query)


def draft_of(session: Session, rs: RuleSet) -> RuleSetVersion | None:
    return session.scalar(
        sa.select(RuleSetVersion)
        .where(RuleSetVersion.rule_set_id == rs.id, RuleSetVersion.number.is_(None))
        .options(undefer(RuleSetVersion.source))
    )


def current_of(session: Session, rs: RuleSet) -> RuleSetVersion | None:
    if rs.current_number is None:
        return None
    return session.scalar(
        sa.select(RuleSetVersion)
        .where(RuleSetVersion.rule_set_id == rs.id, RuleSetVersion.number == rs.current_number)
        .options(undefer(RuleSetVersion.source))
    )


def import_ruleset(session: Session, tenant: str, source: str, *, user_id: int | None,
                   file: str | None = None) -> RuleSetVersion:  # fmt: skip
    """A pack's rule set, published at once: it must be free of problems and pass its examples."""
    catalogue, _ = tenant_catalogue(session, tenant)
    checked = check_source(source, catalogue)
    crs, problems, ruleset = checked
    if crs is None or ruleset is None:
        raise RuleSetProblems(problems)
    failures = run_examples(crs)
    if failures:
        raise ExamplesFailed(failures)
    rs = get_ruleset(session, ruleset.key, lock=True)
    if rs is None:
        rs = RuleSet(key=ruleset.key, title=ruleset.title)
        session.add(rs)
        session.flush()
    draft = draft_of(session, rs) or RuleSetVersion(rule_set_id=rs.id, created_by=user_id)
    _fill(draft, source, ruleset.title, valid=True, user_id=user_id)
    session.add(draft)
    session.flush()
    remember(session, tenant, draft, checked)
    return publish(session, tenant, rs, user_id=user_id, examples_passed=True)


def add_missing_rulesets(session: Session, tenant: str, files: list[tuple[str, str]]) -> list[str]:
    have = set(session.scalars(sa.select(RuleSet.key)))
    added = []
    for file, text in files:
        data, _ = yamlio.load(text)
        if isinstance(data, dict) and data.get("key") not in have:
            added.append(
                import_ruleset(session, tenant, text, user_id=None, file=file).rule_set.key
            )
    return added


def _fill(
    version: RuleSetVersion, source: str, title: str, *, valid: bool, user_id: int | None
) -> None:
    version.source = source
    version.title = title[:200]
    version.checksum = checksum(source)
    version.valid = valid
    version.updated_at = utcnow()
    version.updated_by = user_id


NEW_TEMPLATE = """key: {key}
title: {title_yaml}
description: 이 규칙의 근거와 재구성 여부를 적으세요.
parameters:
  min_age:
    label: 대상 최소 연령
    unit: 세
    values:
    - {{from: {today}, value: 65, cite: {{article: 1}}}}
programmes:
- key: example_programme
  name: 새 사업
  from: {today}
  eligibility:
  - id: age
    label: 만 {{min_age}}세 이상
    when: age >= param.min_age
    cite: {{article: 1}}
"""


def new_ruleset(session: Session, key: str, title: str, *, user_id: int | None) -> RuleSetVersion:
    if get_ruleset(session, key) is not None:
        raise RulesError(f"'{key}' 키를 쓰는 규칙 묶음이 이미 있습니다")
    rs = RuleSet(key=key, title=title[:200])
    session.add(rs)
    session.flush()
    draft = RuleSetVersion(rule_set_id=rs.id, created_by=user_id)
    # JSON's quoted string is YAML too: a title like "돌봄: 기본" or "[전주] …" stays one value.
    title_yaml = json.dumps(title, ensure_ascii=False)
    source = NEW_TEMPLATE.format(key=key, title_yaml=title_yaml, today=today().isoformat())
    _fill(draft, source, title, valid=False, user_id=user_id)
    session.add(draft)
    session.flush()
    return draft


def open_draft(session: Session, rs: RuleSet, *, user_id: int | None) -> RuleSetVersion:
    """The draft, made from the current version when there is none."""
    draft = draft_of(session, rs)
    if draft is not None:
        return draft
    current = current_of(session, rs)
    if current is None:
        raise RulesError("초안도 게시된 버전도 없습니다")
    draft = RuleSetVersion(rule_set_id=rs.id, created_by=user_id)
    _fill(draft, current.source, current.title, valid=True, user_id=user_id)
    session.add(draft)
    session.flush()
    return draft


def save_draft(session: Session, tenant: str, rs: RuleSet, source: str, *, user_id: int | None,
               lock: str | None) -> tuple[RuleSetVersion, list[Problem]]:  # fmt: skip
    """Keep the text whatever its problems (nothing typed is lost); problems block publishing.
    A stale `lock` (or a draft gone meanwhile) is a Conflict and stores nothing."""
    draft = draft_of(session, rs)
    check_lock(draft, lock)
    if draft is None:
        draft = RuleSetVersion(rule_set_id=rs.id, created_by=user_id)
        session.add(draft)
    catalogue, _ = tenant_catalogue(session, tenant)
    _crs, problems, ruleset = check_source(source, catalogue)
    if ruleset is not None and ruleset.key != rs.key:
        problems = [
            Problem(("key",), f"규칙 묶음 키는 바꿀 수 없습니다 ('{rs.key}'를 그대로 두세요)"),
            *problems,
        ]
    title = ruleset.title if ruleset and ruleset.title else rs.title
    _fill(draft, source, title, valid=not problems, user_id=user_id)
    session.flush()
    return draft, problems


def publish(session: Session, tenant: str, rs: RuleSet, *, user_id: int | None,
            examples_passed: bool = False, lock: str | None = None) -> RuleSetVersion:  # fmt: skip
    """The draft becomes the next numbered version — only free of problems and with every
    example passing."""
    draft = draft_of(session, rs)
    if draft is None:
        raise RulesError("게시할 초안이 없습니다")
    # What gets published is what the administrator last saw (examples, what-if), not a later
    # save by someone else.
    check_lock(draft, lock)
    crs, problems, ruleset = compiled_version(session, tenant, draft)
    if crs is None or ruleset is None:
        raise RuleSetProblems(problems)
    if ruleset.key != rs.key:
        raise RulesError(f"규칙 묶음 키는 바꿀 수 없습니다 ('{rs.key}'를 그대로 두세요)")
    failures = [] if examples_passed else run_examples(crs)
    if failures:
        raise ExamplesFailed(failures)
    current = current_of(session, rs)
    if current is not None and current.checksum == draft.checksum:
        raise RulesError(f"게시된 버전 {current.number}과(와) 달라진 내용이 없습니다")
    number = (rs.current_number or 0) + 1
    draft.number = number
    draft.published_at = utcnow()
    draft.published_by = user_id
    rs.current_number = number
    rs.title = ruleset.title[:200]
    session.flush()
    return draft


def discard_draft(session: Session, rs: RuleSet, *, lock: str | None) -> None:
    draft = draft_of(session, rs)
    if draft is None:
        return
    if rs.current_number is None:
        raise RulesError("게시된 적이 없는 규칙 묶음의 초안은 버릴 수 없습니다")
    check_lock(draft, lock)
    session.delete(draft)
    session.flush()


# -- structured edits of the draft's YAML ------------------------------------------------


def edit_draft_data(session: Session, tenant: str, rs: RuleSet, change: Any, *, user_id: int | None,
                    lock: str | None) -> tuple[RuleSetVersion, list[Problem]]:  # fmt: skip
    """Apply `change(data)` to the draft's document and save it re-dumped. The draft's text
    must read as YAML; comments in it are not kept (the editor says so)."""
    check_lock(draft_of(session, rs), lock)
    draft = open_draft(session, rs, user_id=user_id)
    try:
        data, _ = yamlio.load(draft.source)
    except yamlio.YamlProblem as exc:
        raise RulesError(f"초안의 YAML을 먼저 고치세요: {exc}") from exc
    if not isinstance(data, dict):
        raise RulesError("초안의 형식이 올바르지 않습니다")
    try:
        change(data)
    except (KeyError, TypeError, AttributeError) as exc:  # the document has another shape
        raise RulesError(
            "초안의 형식이 예상과 달라 양식으로 고칠 수 없습니다. YAML에서 고치세요"
        ) from exc
    return save_draft(session, tenant, rs, yamlio.dump(data), user_id=user_id, lock=None)
