"""Check a definition's expressions and compile them, once per published version.

Names in expressions are question keys (`living_alone`), grid items (`adl.dressing`) and score
keys (`kfrail`). Conditions may only look back: a question's `show_if` reads questions before
it, a section's reads earlier sections, and a score used in a condition must itself depend only
on earlier questions — so visibility is decided in one pass, in document order, with no cycles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dolbom.expr import Catalogue, Compiled, ExprError, Kind, Type, compile_source, names_in
from dolbom.forms.definition import (
    DefinitionError,
    FormDef,
    PathT,
    Problem,
    Question,
    Score,
)
from dolbom.forms.reader import read_partial

_KIND = {
    "text": Kind.TEXT,
    "textarea": Kind.TEXT,
    "dong": Kind.TEXT,
    "number": Kind.NUMBER,
    "scale": Kind.NUMBER,
    "date": Kind.DATE,
    "choice": Kind.TEXT,
    "multi": Kind.LIST,
    "yesno": Kind.BOOL,
    "grid": Kind.GRID,
    "group": Kind.ROWS,
}


def question_type(q: Question) -> Type:
    options = None
    if q.type in ("choice", "multi"):
        options = frozenset(o.value for o in q.options)
    elif q.type == "grid":
        options = frozenset(level.value for level in q.levels)
    return Type(_KIND[q.type], options, role="question", scored=q.scored)


@dataclass
class CompiledScore:
    score: Score
    expr: Compiled
    levels: list[tuple[Any, Compiled | None]]  # (level, its `when` condition)
    depends: frozenset[str]  # question keys, transitively through other scores


@dataclass
class CompiledForm:
    form: FormDef
    order: dict[str, int]  # question key → position in the document
    section_show: dict[str, Compiled] = field(default_factory=dict)
    question_show: dict[str, Compiled] = field(default_factory=dict)
    rules: dict[str, list[tuple[Compiled, str]]] = field(default_factory=dict)
    scores: dict[str, CompiledScore] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    section_of: dict[str, str] = field(default_factory=dict)
    cache: dict[Any, Any] = field(default_factory=dict)  # derived per-version things (widgets)


def compile_form(form: FormDef) -> CompiledForm:
    """Check and compile every expression; DefinitionError lists all problems."""
    problems: list[Problem] = []
    names: dict[str, Type] = {}
    cf = CompiledForm(form, order={})
    for qi, q in enumerate(form.questions()):
        cf.order[q.key] = qi
        cf.questions[q.key] = q
        names[q.key] = question_type(q)
        for item in q.items:
            options = frozenset(level.value for level in q.levels)
            names[f"{q.key}.{item.key}"] = Type(Kind.TEXT, options, "question", q.scored)
            cf.order[f"{q.key}.{item.key}"] = qi
    for section in form.sections:
        for q in section.questions:
            cf.section_of[q.key] = section.key

    def compile_at(source: str, path: PathT, catalogue: Catalogue, question: str | None,
                   expect: Kind | None) -> Compiled | None:  # fmt: skip
        try:
            return compile_source(source, catalogue, expect)
        except ExprError as exc:
            problems.append(Problem(path, f"식 오류 — {exc}", question))
            return None

    # Scores first: conditions may use them. Each sees the questions and the scores before it.
    for i, score in enumerate(form.scores):
        path: PathT = ("scores", score.pos if score.pos >= 0 else i)
        if not score.expr:
            continue  # already reported as missing
        compiled = compile_at(score.expr, (*path, "expr"), Catalogue(dict(names)), None, None)
        if compiled is not None and compiled.type.kind not in (Kind.NUMBER, Kind.ANY, Kind.NULL):
            problems.append(Problem((*path, "expr"), "점수 식의 결과는 숫자여야 합니다"))
        level_names = {**names, score.key: Type(Kind.NUMBER, role="score")}
        levels: list[tuple[Any, Compiled | None]] = []
        for j, level in enumerate(score.levels):
            cond = None
            if level.when:
                cond = compile_at(
                    level.when,
                    (*path, "levels", j, "when"),
                    Catalogue(level_names),
                    None,
                    Kind.BOOL,
                )
            levels.append((level, cond))
        if compiled is not None:
            depends: set[str] = set()
            for name in names_in(compiled.node):
                if name in cf.scores:
                    depends |= cf.scores[name].depends
                elif name in cf.order:
                    depends.add(name.split(".")[0])
            cf.scores[score.key] = CompiledScore(score, compiled, levels, frozenset(depends))
        names[score.key] = Type(Kind.NUMBER, role="score", scored=True, levelled=bool(score.levels))

    catalogue = Catalogue(names)
    position = 0
    for si, section in enumerate(form.sections):
        si = section.pos if section.pos >= 0 else si
        if section.show_if:
            cond = compile_at(
                section.show_if, ("sections", si, "show_if"), catalogue, None, Kind.BOOL
            )
            if cond is not None:
                _looks_back(cf, cond, position, ("sections", si, "show_if"), None, problems, "섹션")
                cf.section_show[section.key] = cond
        for qj, q in enumerate(section.questions):
            path = ("sections", si, "questions", q.pos if q.pos >= 0 else qj)
            if q.show_if:
                cond = compile_at(q.show_if, (*path, "show_if"), catalogue, q.key, Kind.BOOL)
                if cond is not None:
                    _looks_back(cf, cond, position, (*path, "show_if"), q.key, problems, "문항")
                    cf.question_show[q.key] = cond
            for k, rule in enumerate(q.validate):
                cond = compile_at(
                    rule.rule, (*path, "validate", k, "rule"), catalogue, q.key, Kind.BOOL
                )
                if cond is not None:
                    cf.rules.setdefault(q.key, []).append((cond, rule.message))
            position += 1
    if problems:
        raise DefinitionError(problems)
    return cf


def _looks_back(cf: CompiledForm, cond: Compiled, position: int, path: PathT,
                question: str | None, problems: list[Problem], what: str) -> None:  # fmt: skip
    for name in sorted(names_in(cond.node)):
        if name in cf.scores:
            late = [d for d in cf.scores[name].depends if cf.order[d] >= position]
            if late:
                problems.append(
                    Problem(
                        path,
                        f"점수 '{name}'는 이 {what}보다 뒤에 있는 문항({', '.join(sorted(late))})을 쓰므로 조건에 쓸 수 없습니다",
                        question,
                    )
                )
        elif name in cf.order and cf.order[name] >= position:
            problems.append(
                Problem(
                    path,
                    f"조건에는 앞에 있는 문항만 쓸 수 있습니다 ('{name}'는 이 {what}과 같거나 뒤에 있습니다)",
                    question,
                )
            )


def load_definition(data: Any) -> CompiledForm:
    """Structure and expressions together: the one check a definition passes before saving.
    DefinitionError lists the problems of both."""
    form, problems = read_partial(data)
    if form is None:
        raise DefinitionError(problems)
    try:
        cf = compile_form(form)
    except DefinitionError as exc:
        known = {(p.path, p.message) for p in problems}
        problems += [p for p in exc.problems if (p.path, p.message) not in known]
    if problems:
        raise DefinitionError(problems)
    return cf
