"""Static checks: names exist, functions are called right, operands have fitting types.

Run when a definition or rule is saved, so mistakes surface at the administrator's desk with
their position, not at a worker's home visit."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

from dolbom.expr import nodes as n
from dolbom.expr.errors import ExprError
from dolbom.expr.functions import FUNCTIONS, parse_date
from dolbom.expr.types import ANY, BOOL, LIST, NULL, NUMBER, TEXT, Kind, Type


@dataclass
class Catalogue:
    """The names an expression may use, with their types."""

    names: Mapping[str, Type] = field(default_factory=dict)

    def lookup(self, name: str, pos: int, source: str) -> Type:
        found = self.names.get(name)
        if found is not None:
            return found
        close = difflib.get_close_matches(name, list(self.names), n=1, cutoff=0.75)
        hint = f" — 혹시 '{close[0]}'인가요?" if close else ""
        raise ExprError(f"'{name}'라는 문항이나 값이 없습니다{hint}", pos, source)


def check(node: n.Node, catalogue: Catalogue, source: str = "", expect: Kind | None = None) -> Type:
    """The expression's type; raises ExprError at the first problem."""
    result = _Checker(catalogue, source).visit(node)
    if expect is not None and result.kind not in (expect, Kind.ANY, Kind.NULL):
        want = Type(expect).label
        raise ExprError(f"결과가 {want}여야 하는데 {result.label}입니다", node.pos, source)
    return result


_LITERAL_TYPES = {bool: BOOL, int: NUMBER, float: NUMBER, str: TEXT}


class _Checker:
    def __init__(self, catalogue: Catalogue, source: str) -> None:
        self.catalogue = catalogue
        self.source = source

    def fail(self, message: str, node: n.Node) -> ExprError:
        return ExprError(message, node.pos, self.source)

    def visit(self, node: n.Node) -> Type:
        if isinstance(node, n.Literal):
            return NULL if node.value is None else _LITERAL_TYPES[type(node.value)]
        if isinstance(node, n.Name):
            return self.catalogue.lookup(node.name, node.pos, self.source)
        if isinstance(node, n.ListLit):
            kinds = {self.visit(item).kind for item in node.items} - {Kind.NULL}
            if len(kinds) > 1:
                raise self.fail("목록 안의 값은 종류가 같아야 합니다", node)
            return LIST
        if isinstance(node, n.Unary):
            operand = self.visit(node.operand)
            want = Kind.BOOL if node.op == "not" else Kind.NUMBER
            self.need(operand, {want}, node.operand, f"'{node.op}'")
            return BOOL if node.op == "not" else NUMBER
        if isinstance(node, n.Logical):
            for operand in node.operands:
                self.need(self.visit(operand), {Kind.BOOL}, operand, f"'{node.op}'")
            return BOOL
        if isinstance(node, n.Binary):
            return self.binary(node)
        if isinstance(node, n.Call):
            return self.call(node)
        raise self.fail("알 수 없는 식입니다", node)  # pragma: no cover - every node is above

    def need(self, t: Type, kinds: set[Kind], node: n.Node, what: str) -> None:
        if t.kind in kinds or t.kind in (Kind.ANY, Kind.NULL):
            return
        labels = "·".join(Type(k).label for k in sorted(kinds))
        raise self.fail(f"{what}에는 {labels} 값이 와야 하는데 {t.label}입니다", node)

    def binary(self, node: n.Binary) -> Type:
        left, right = self.visit(node.left), self.visit(node.right)
        op = node.op
        if op in ("in", "not in"):
            self.need(right, {Kind.LIST, Kind.GRID, Kind.TEXT}, node.right, f"'{op}'의 오른쪽")
            self.options(left, node.right)
            self.options(right, node.left)
            return BOOL
        if op in ("==", "!="):
            if not (left.accepts(right) or right.accepts(left)):
                raise self.fail(f"{left.label}와 {right.label}는 비교할 수 없습니다", node)
            self.options(left, node.right)
            self.options(right, node.left)
            return BOOL
        if op in ("<", "<=", ">", ">="):
            self.need(left, {Kind.NUMBER, Kind.DATE, Kind.TEXT}, node.left, f"'{op}'")
            if not (left.accepts(right) or right.accepts(left)):
                raise self.fail(f"{left.label}와 {right.label}는 크기를 비교할 수 없습니다", node)
            return BOOL
        if op == "+" and Kind.TEXT in (left.kind, right.kind):
            self.need(left, {Kind.TEXT}, node.left, "'+'")
            self.need(right, {Kind.TEXT}, node.right, "'+'")
            return TEXT
        self.need(left, {Kind.NUMBER}, node.left, f"'{op}'")
        self.need(right, {Kind.NUMBER}, node.right, f"'{op}'")
        return NUMBER

    def options(self, t: Type, other: n.Node) -> None:
        """A choice compared with a literal the choice does not offer is a typo."""
        if not t.options:
            return
        literals = other.items if isinstance(other, n.ListLit) else (other,)
        for lit in literals:
            value = lit.value if isinstance(lit, n.Literal) else None
            if isinstance(value, str) and value not in t.options:
                offered = ", ".join(sorted(t.options))
                raise self.fail(f"선택지에 '{value}'가 없습니다 (있는 값: {offered})", lit)

    def call(self, node: n.Call) -> Type:
        fn = FUNCTIONS.get(node.func)
        if fn is None:
            close = difflib.get_close_matches(node.func, list(FUNCTIONS), n=1, cutoff=0.6)
            hint = f" — 혹시 '{close[0]}'인가요?" if close else ""
            raise self.fail(f"'{node.func}'라는 함수가 없습니다{hint}", node)
        count = len(node.args)
        if count < fn.min_args or (fn.max_args is not None and count > fn.max_args):
            if fn.max_args == fn.min_args:
                want = f"{fn.min_args}개"
            elif fn.max_args is None:
                want = f"{fn.min_args}개 이상"
            else:
                want = f"{fn.min_args}~{fn.max_args}개"
            raise self.fail(f"{fn.name}()에는 값이 {want} 있어야 하는데 {count}개입니다", node)
        if fn.takes_name:
            arg = node.args[0]
            if not isinstance(arg, n.Name):
                raise self.fail(f"{fn.name}()에는 문항이나 점수의 이름을 넣으세요", arg)
            t = self.catalogue.lookup(arg.name, arg.pos, self.source)
            if fn.name == "score" and not t.scored:
                raise self.fail(f"'{arg.name}'에는 점수가 없습니다", arg)
            if fn.name == "level" and not t.levelled:
                raise self.fail(f"'{arg.name}'에는 단계(levels)가 없습니다", arg)
            return fn.returns([t])
        types = []
        for i, arg in enumerate(node.args):
            t = self.visit(arg)
            self.need(t, set(fn.kinds_at(i)), arg, f"{fn.name}()의 {i + 1}번째 값")
            types.append(t)
        if fn.name == "date":
            arg = node.args[0]
            # `date(null)` is a literal too, but not text: parse_date(None) was a TypeError.
            if not isinstance(arg, n.Literal) or not isinstance(arg.value, str):
                raise self.fail("date()에는 'YYYY-MM-DD' 형식의 글자를 직접 쓰세요", arg)
            try:
                parse_date(arg.value)
            except ExprError as exc:
                raise self.fail(exc.message, arg) from exc
        if fn.name in ("count", "contains") and types:
            self.options(types[0], node.args[1])
        return fn.returns(types)


__all__ = ["ANY", "LIST", "Catalogue", "check"]
