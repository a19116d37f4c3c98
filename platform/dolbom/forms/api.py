"""What other features (case management, the rules engine) use: attach responses to a case
and read a response's answers and scores by question key, typed.

    view = get_response(session, response_id)
    view.number("illness_count")    # 4
    view.boolean("living_alone")    # True
    view.choices("chronic_diseases")  # ["hypertension", "diabetes"]
    view.score("kfrail"), view.level("kfrail")  # 3, "frail"

Accessors check the question's type: asking `number()` of a choice question is a TypeError (a
programming mistake), asking for a key the form does not have is a KeyError. An unanswered or
hidden question reads as None. The caller has already checked who may see the response."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.forms import operations as ops
from dolbom.forms import responses as rs
from dolbom.forms.answers import runtime
from dolbom.forms.definition import Question
from dolbom.forms.evaluate import evaluate
from dolbom.forms.models import Form, FormResponse

_KINDS = {
    "number": ("number", "scale"),
    "text": ("text", "textarea", "dong", "choice"),
    "choice": ("choice",),
    "choices": ("multi",),
    "boolean": ("yesno",),
    "date": ("date",),
    "grid": ("grid",),
    "rows": ("group",),
}


@dataclass(frozen=True)
class ResponseView:
    id: int
    form_key: str
    version_number: int
    status: str  # "draft" or "complete"
    dong_code: str | None
    case_id: int | None
    submitted_at: dt.datetime | None
    _answers: dict[str, Any]  # shown questions only
    _scores: dict[str, dict[str, Any]]
    _questions: dict[str, Question]

    @property
    def complete(self) -> bool:
        return self.status == "complete"

    def keys(self) -> list[str]:
        return list(self._questions)

    def answer(self, key: str) -> Any:
        """The answer as expressions see it (dates as `date`), untyped."""
        q = self._question(key)
        return runtime(q, self._answers.get(key))

    def _typed(self, key: str, kind: str) -> Any:
        q = self._question(key)
        if q.type not in _KINDS[kind]:
            raise TypeError(f"question {key!r} is {q.type}, not {kind}")
        return runtime(q, self._answers.get(key))

    def _question(self, key: str) -> Question:
        try:
            return self._questions[key]
        except KeyError:
            raise KeyError(f"form {self.form_key!r} has no question {key!r}") from None

    def number(self, key: str) -> int | float | None:
        return self._typed(key, "number")

    def text(self, key: str) -> str | None:
        return self._typed(key, "text")

    def choice(self, key: str) -> str | None:
        return self._typed(key, "choice")

    def choices(self, key: str) -> list[str]:
        return list(self._typed(key, "choices") or [])

    def boolean(self, key: str) -> bool | None:
        return self._typed(key, "boolean")

    def date(self, key: str) -> dt.date | None:
        return self._typed(key, "date")

    def grid(self, key: str) -> dict[str, str]:
        return dict(self._typed(key, "grid") or {})

    def rows(self, key: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self._typed(key, "rows") or []]

    def score(self, key: str) -> int | float | None:
        return self._score(key).get("value")

    def level(self, key: str) -> str | None:
        return self._score(key).get("level")

    def _score(self, key: str) -> dict[str, Any]:
        if key not in self._scores:
            raise KeyError(f"form {self.form_key!r} has no score {key!r}")
        return self._scores[key]


def _view(response: FormResponse, cache_key: str) -> ResponseView:
    cf = rs.compiled(response.version, cache_key)
    ev = evaluate(cf, response.answers)
    shown = {k: v for k, v in response.answers.items() if k in ev.visible}
    return ResponseView(
        id=response.id,
        form_key=response.form.key,
        version_number=response.version.number or 0,
        status=response.status,
        dong_code=response.dong_code,
        case_id=response.case_id,
        submitted_at=response.submitted_at,
        _answers=shown,
        _scores=dict(response.scores) or ev.scores,
        _questions=cf.questions,
    )


def get_response(session: Session, response_id: int, *, cache_key: str = "") -> ResponseView | None:
    response = session.get(FormResponse, response_id)
    return None if response is None else _view(response, cache_key)


def responses_for_case(
    session: Session, case_id: int, *, cache_key: str = ""
) -> list[ResponseView]:
    rows: Sequence[FormResponse] = session.scalars(
        sa.select(FormResponse).where(FormResponse.case_id == case_id).order_by(FormResponse.id)
    ).all()
    return [_view(r, cache_key) for r in rows]


def start_for_case(
    session: Session, form_key: str, *, case_id: int, user_id: int, dong_code: str | None
) -> int:
    """A new draft response of the form's current version, attached to the case."""
    form = session.scalar(sa.select(Form).where(Form.key == form_key))
    if form is None:
        raise ops.FormsError(f"'{form_key}' 서식이 없습니다")
    response = rs.start_response(session, form, user_id=user_id, dong_code=dong_code)
    response.case_id = case_id
    session.flush()
    return response.id


def attach_to_case(session: Session, response_id: int, case_id: int) -> None:
    response = session.get(FormResponse, response_id)
    if response is None:
        raise ops.FormsError("응답이 없습니다")
    if response.case_id not in (None, case_id):
        raise ops.FormsError("이 응답은 이미 다른 사례에 연결되어 있습니다")
    response.case_id = case_id
    session.flush()
