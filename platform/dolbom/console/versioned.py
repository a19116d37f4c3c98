"""Change-log entries for versioned configuration: forms and rule sets.

Their editors keep every published version, so the change log does not copy definitions; it
records who published which version and *what* it changed — the questions, parameters,
programmes and examples added, removed or changed — so the log answers "what changed on that
day" without opening two versions side by side. Drafts are not entries: nothing in a draft is
in effect until it is published."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from dolbom.console.changes import record_change


def _fingerprint(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def form_items(definition: Mapping[str, Any] | None) -> dict[str, str]:
    """A form definition as named parts: its title, each section, question and score."""
    if not definition:
        return {}
    items = {"제목": _fingerprint(definition.get("title"))}
    for section in definition.get("sections") or []:
        if not isinstance(section, Mapping):
            continue
        questions = section.get("questions") or []
        items[f"섹션 {section.get('key')}"] = _fingerprint(
            {k: v for k, v in section.items() if k != "questions"}
        )
        for q in questions:
            if isinstance(q, Mapping):
                items[f"문항 {q.get('key')}"] = _fingerprint(q)
    for score in definition.get("scores") or []:
        if isinstance(score, Mapping):
            items[f"점수 {score.get('key')}"] = _fingerprint(score)
    return items


def rule_items(data: Mapping[str, Any] | None) -> dict[str, str]:
    """A rule set (its YAML read as data) as named parts: parameters, programmes, examples and
    the remaining top-level fields (title, description, ordinance)."""
    if not data:
        return {}
    items: dict[str, str] = {}
    for key, value in data.items():
        if key == "parameters" and isinstance(value, Mapping):
            for name, p in value.items():
                items[f"기준값 {name}"] = _fingerprint(p)
        elif key == "programmes" and isinstance(value, list):
            for p in value:
                if isinstance(p, Mapping):
                    items[f"사업 {p.get('key')}"] = _fingerprint(p)
        elif key == "examples" and isinstance(value, list):
            for e in value:
                if isinstance(e, Mapping):
                    items[f"예시 {e.get('name')}"] = _fingerprint(e)
        else:
            items[str(key)] = _fingerprint(value)
    return items


def compare(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, list[str]]:
    """Names added, removed and changed between two item maps (empty lists left out)."""
    out = {
        "added": [k for k in new if k not in old],
        "removed": [k for k in old if k not in new],
        "changed": [k for k in new if k in old and old[k] != new[k]],
    }
    return {k: v for k, v in out.items() if v}


def record_published(
    session: Session,
    area: str,
    subject: str,
    *,
    old_number: int | None,
    new_number: int,
    old_items: Mapping[str, str],
    new_items: Mapping[str, str],
    user_id: int | None,
    source: str | None = None,
) -> None:
    """One entry for a newly published version: before holds the version that was in effect,
    after the new number and what it changed."""
    after: dict[str, Any] = {"version": new_number, **compare(old_items, new_items)}
    record_change(
        session,
        area,
        subject,
        before={"version": old_number} if old_number is not None else None,
        after=after,
        user_id=user_id,
        action="publish",
        source=source,
    )
