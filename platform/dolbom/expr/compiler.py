"""Compile a checked AST into nested Python closures: evaluating is then a few function calls
per node, with no parsing or tree walking on the hot path (a 120-question form evaluates
dozens of conditions on every answer)."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dolbom.expr import nodes as n
from dolbom.expr.check import Catalogue, check
from dolbom.expr.errors import ExprError
from dolbom.expr.functions import FUNCTIONS
from dolbom.expr.parser import parse
from dolbom.expr.types import Kind, Type

Fn = Callable[["Env"], Any]


@dataclass
class Env:
    """The values an expression reads. Names with no value are recorded in `missing`."""

    values: Mapping[str, Any]
    scores: Mapping[str, Any] = field(default_factory=dict)
    levels: Mapping[str, Any] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)

    def get(self, name: str) -> Any:
        value = self.values.get(name)
        if value is None:
            self.missing.add(name)
        return value

    def score(self, name: str) -> Any:
        value = self.scores.get(name)
        if value is None:
            self.missing.add(name)
        return value

    def level(self, name: str) -> Any:
        value = self.levels.get(name)
        if value is None:
            self.missing.add(name)
        return value


@dataclass(frozen=True)
class Compiled:
    source: str
    node: n.Node
    type: Type
    fn: Fn

    def evaluate(self, env: Env) -> Any:
        """The value, or None when facts are missing; a run-time type clash (data stored
        with a shape the definition no longer has) is an ExprError, never a TypeError."""
        try:
            return self.fn(env)
        except ExprError:
            raise
        except (TypeError, ValueError, OverflowError, AttributeError, KeyError) as exc:
            raise ExprError(f"계산할 수 없습니다 ({type(exc).__name__})", 0, self.source) from exc

    def truth(self, env: Env) -> bool:
        """For conditions: unknown counts as not met."""
        return self.evaluate(env) is True


def compile_source(source: str, catalogue: Catalogue, expect: Kind | None = None) -> Compiled:
    node = parse(source)
    t = check(node, catalogue, source, expect)
    return Compiled(source, node, t, compile_expr(node))


_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compile_expr(node: n.Node) -> Fn:
    if isinstance(node, n.Literal):
        value = node.value
        return lambda env: value
    if isinstance(node, n.Name):
        name = node.name
        return lambda env: env.get(name)
    if isinstance(node, n.ListLit):
        items = [compile_expr(i) for i in node.items]
        return lambda env: [f(env) for f in items]
    if isinstance(node, n.Unary):
        return _unary(node)
    if isinstance(node, n.Logical):
        return _logical(node)
    if isinstance(node, n.Binary):
        return _binary(node)
    if isinstance(node, n.Call):
        return _call(node)
    raise ExprError("알 수 없는 식입니다", node.pos)  # pragma: no cover


def _unary(node: n.Unary) -> Fn:
    inner = compile_expr(node.operand)
    if node.op == "not":

        def negate(env: Env) -> Any:
            v = inner(env)
            return None if v is None else not v

        return negate

    def minus(env: Env) -> Any:
        v = inner(env)
        return None if v is None else -v

    return minus


def _logical(node: n.Logical) -> Fn:
    parts = [compile_expr(o) for o in node.operands]
    # Kleene logic: a decisive value wins even when other operands are unknown.
    decisive = node.op == "or"

    def run(env: Env) -> Any:
        unknown = False
        for part in parts:
            v = part(env)
            if v is None:
                unknown = True
            elif bool(v) is decisive:
                return decisive
        return None if unknown else not decisive

    return run


def _binary(node: n.Binary) -> Fn:
    left, right, op = compile_expr(node.left), compile_expr(node.right), node.op
    if op in ("==", "!="):
        equal = op == "=="

        def eq(env: Env) -> Any:
            a, b = left(env), right(env)
            if a is None or b is None:
                return None
            return (a == b) is equal

        return eq
    if op in ("in", "not in"):
        inside = op == "in"

        def member(env: Env) -> Any:
            a, b = left(env), right(env)
            if a is None or b is None:
                return None
            if isinstance(b, dict):
                b = list(b.values())
            return (a in b) is inside

        return member
    if op in _ORDER:
        compare = _ORDER[op]

        def order(env: Env) -> Any:
            a, b = left(env), right(env)
            if a is None or b is None:
                return None
            return compare(a, b)

        return order
    if op in ("/", "%"):
        divide = operator.truediv if op == "/" else operator.mod

        def div(env: Env) -> Any:
            a, b = left(env), right(env)
            if a is None or b is None or b == 0:
                return None  # dividing by zero leaves the result undetermined
            return divide(a, b)

        return div
    arith = _ARITH[op]

    def calc(env: Env) -> Any:
        a, b = left(env), right(env)
        if a is None or b is None:
            return None
        if isinstance(a, dt.date) or isinstance(b, dt.date):
            raise ExprError("날짜끼리는 더하거나 뺄 수 없습니다: days_between()을 쓰세요", node.pos)
        # Text or a list times a number repeats it: a value of the wrong shape (an ANY name, data
        # stored under an older definition) times a large number was a MemoryError.
        if op == "*" and not (_is_number(a) and _is_number(b)):
            raise ExprError("곱셈에는 숫자만 쓸 수 있습니다", node.pos)
        return arith(a, b)

    return calc


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float)


def _call(node: n.Call) -> Fn:
    fn = FUNCTIONS.get(node.func)
    if fn is None:
        raise ExprError(f"'{node.func}'라는 함수가 없습니다", node.pos)
    impl = fn.impl
    if fn.takes_name:
        # compile_expr() is public and may get an unchecked `score()`: no IndexError then.
        target = node.args[0] if node.args else None
        name = target.name if isinstance(target, n.Name) else ""
        return lambda env: impl(env, name)
    args = [compile_expr(a) for a in node.args]
    if fn.null_safe:
        return lambda env: impl(*[a(env) for a in args])

    def call(env: Env) -> Any:
        values = [a(env) for a in args]
        if any(v is None for v in values):
            return None
        return impl(*values)

    return call
