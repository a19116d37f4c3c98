"""A response against its compiled definition: which sections and questions show, the scores
and their levels, the cross-field rules that fail, and what is still missing.

Hidden questions keep their stored answers (a worker who flips a condition back finds them
again) but count as unanswered everywhere: in conditions, scores and completeness."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dolbom.expr import Env, ExprError
from dolbom.forms.answers import item_score, question_score, runtime
from dolbom.forms.compile import CompiledForm, CompiledScore


@dataclass
class SectionProgress:
    key: str
    title: str
    visible: bool
    answered: int = 0
    total: int = 0
    missing_required: int = 0


@dataclass
class Evaluation:
    visible: set[str]  # question keys shown
    hidden_sections: set[str]
    scores: dict[str, dict[str, Any]]  # key → {"value", "level", "level_label"}
    rule_errors: dict[str, str]
    missing: list[str]  # required, shown, unanswered — in document order
    sections: list[SectionProgress] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 100


class _FormEnv(Env):
    """Values come from shown answers; scores are computed when first read."""

    def __init__(self, cf: CompiledForm) -> None:
        super().__init__(values={})
        self.cf = cf
        self.answers: dict[str, Any] = {}  # stored (JSON) answers of shown questions
        self.computed: dict[str, tuple[Any, Any]] = {}

    def get(self, name: str) -> Any:
        if name in self.cf.scores:
            return self._score_value(name)
        return super().get(name)

    def score(self, name: str) -> Any:
        if name in self.cf.scores:
            return self._score_value(name)
        value: Any
        if "." in name:
            qkey, item = name.split(".", 1)
            grid = self.answers.get(qkey)
            value = item_score(self.cf.questions[qkey], grid.get(item) if grid else None)
        else:
            q = self.cf.questions.get(name)
            value = question_score(q, self.answers.get(name)) if q else None
        if value is None:
            self.missing.add(name)
        return value

    def level(self, name: str) -> Any:
        if name not in self.cf.scores:
            return None
        self._score_value(name)
        level = self.computed[name][1]
        if level is None:
            self.missing.add(name)
        return level.code if level is not None else None

    def _score_value(self, name: str) -> Any:
        if name not in self.computed:
            self.computed[name] = _compute(self, self.cf.scores[name])
        value = self.computed[name][0]
        if value is None:
            self.missing.add(name)
        return value


def _compute(env: _FormEnv, cs: CompiledScore) -> tuple[Any, Any]:
    try:
        value = cs.expr.evaluate(env)
    except ExprError:
        return None, None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if value is None:
        return None, None
    for level, cond in cs.levels:
        if cond is not None:
            try:
                matched = cond.truth(_Chain(env, cs.score.key, value))
            except ExprError:
                matched = False
        elif level.min is not None:
            matched = value >= level.min
        else:
            matched = True
        if matched:
            return value, level
    return value, None


class _Chain(Env):
    """A level's `when` reads the score's own value by its key, and everything else."""

    def __init__(self, env: _FormEnv, key: str, value: Any) -> None:
        super().__init__(values={})
        self.env, self.key, self.own = env, key, value

    def get(self, name: str) -> Any:
        return self.own if name == self.key else self.env.get(name)

    def score(self, name: str) -> Any:
        return self.env.score(name)

    def level(self, name: str) -> Any:
        return self.env.level(name)


def _shows(cond: Any, env: _FormEnv) -> bool:
    try:
        return cond.truth(env)
    except ExprError:
        return False


def evaluate(cf: CompiledForm, answers: Mapping[str, Any]) -> Evaluation:
    env = _FormEnv(cf)
    values = env.values
    assert isinstance(values, dict)
    visible: set[str] = set()
    hidden_sections: set[str] = set()
    missing: list[str] = []
    progress: list[SectionProgress] = []
    for section in cf.form.sections:
        cond = cf.section_show.get(section.key)
        shown = cond is None or _shows(cond, env)
        sp = SectionProgress(section.key, section.title, shown)
        progress.append(sp)
        if not shown:
            hidden_sections.add(section.key)
            continue
        for q in section.questions:
            qcond = cf.question_show.get(q.key)
            if qcond is not None and not _shows(qcond, env):
                continue
            visible.add(q.key)
            stored = answers.get(q.key)
            sp.total += 1
            if stored is None or stored == [] or stored == {}:
                if q.required:
                    missing.append(q.key)
                    sp.missing_required += 1
                continue
            if (q.type == "grid" and q.required and len(stored) < len(q.items)) or (
                q.type == "group" and len(stored) < q.min_rows
            ):
                missing.append(q.key)
                sp.missing_required += 1
            else:
                sp.answered += 1
            env.answers[q.key] = stored
            values[q.key] = runtime(q, stored)
            if q.type == "grid":
                for item, level in stored.items():
                    values[f"{q.key}.{item}"] = level
    scores: dict[str, dict[str, Any]] = {}
    for key in cf.scores:
        env.get(key)
        value, level = env.computed[key]
        scores[key] = {
            "value": value,
            "level": level.code if level is not None else None,
            "level_label": level.label if level is not None else None,
        }
    rule_errors: dict[str, str] = {}
    for qkey, rules in cf.rules.items():
        if qkey not in visible:
            continue
        for cond, message in rules:
            try:
                ok = cond.evaluate(env)
            except ExprError:
                ok = None
            if ok is False:  # unknown (something unanswered) is not an error yet
                rule_errors[qkey] = message
                break
    return Evaluation(visible, hidden_sections, scores, rule_errors, missing, progress)
