"""A recursive-descent parser with a depth limit (deep nesting is an ExprError, never a
RecursionError).

    expr       := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := sum (("=="|"!="|"<"|"<="|">"|">="|"in"|"not" "in") sum)?
    sum        := product (("+"|"-") product)*
    product    := unary (("*"|"/"|"%") unary)*
    unary      := "-" unary | primary
    primary    := number | string | true | false | null | name | name "(" args ")"
                | "(" expr ")" | "[" items "]"
"""

from __future__ import annotations

from dolbom.expr import nodes as n
from dolbom.expr.errors import ExprError
from dolbom.expr.lexer import Token, tokenize

MAX_DEPTH = 40
# Nodes on the longest path from the root. `enter()` bounds nesting, but a chain such as
# `1+1+1+…` is parsed in a loop into a left-deep tree whose depth the nesting count never sees;
# check, compile and evaluate recurse once or twice per level, so a 2,000-character chain was a
# RecursionError. The tree's depth is measured after parsing (without recursion) and bounded.
MAX_TREE_DEPTH = 100
_COMPARE = ("==", "!=", "<", "<=", ">", ">=")


def parse(source: str) -> n.Node:
    if not isinstance(source, str):
        raise ExprError("식은 문자열이어야 합니다", 0, "")
    if not source.strip():
        raise ExprError("식이 비어 있습니다", 0, source)
    node = _Parser(source).parse()
    _check_tree_depth(node, source)
    return node


def _check_tree_depth(root: n.Node, source: str) -> None:
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            raise ExprError(
                f"식이 너무 길게 이어져 있습니다 ({MAX_TREE_DEPTH}단계까지; 긴 덧셈은 sum(…)을 쓰세요)",
                node.pos,
                source,
            )
        stack.extend((child, depth + 1) for child in node.children())


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0
        self.depth = 0

    # -- helpers ---------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def error(self, message: str, tok: Token | None = None) -> ExprError:
        return ExprError(message, (tok or self.tok).pos, self.source)

    def at(self, kind: str, text: str | None = None) -> bool:
        t = self.tok
        return t.kind == kind and (text is None or t.text == text)

    def take(self) -> Token:
        t = self.tok
        self.i += 1
        return t

    def expect_op(self, text: str, what: str) -> Token:
        if not self.at("op", text):
            raise self.error(f"'{text}'가 있어야 합니다 ({what}){self._found()}")
        return self.take()

    def _found(self) -> str:
        t = self.tok
        return ", 식이 끝났습니다" if t.kind == "end" else f", '{t.text}'가 있습니다"

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"식이 너무 깊게 중첩되어 있습니다 ({MAX_DEPTH}단계까지)")

    # -- grammar ---------------------------------------------------------------------------
    def parse(self) -> n.Node:
        node = self.expr()
        if not self.at("end"):
            t = self.tok
            raise self.error(f"식이 끝나야 할 곳에 '{t.text}'가 있습니다 (연산자가 빠졌나요?)")
        return node

    def expr(self) -> n.Node:
        self.enter()
        try:
            return self.logical("or", self.and_)
        finally:
            self.depth -= 1

    def and_(self) -> n.Node:
        return self.logical("and", self.not_)

    def logical(self, op: str, operand) -> n.Node:  # type: ignore[no-untyped-def]
        first = operand()
        items = [first]
        while self.at("kw", op):
            self.take()
            items.append(operand())
        if len(items) == 1:
            return first
        return n.Logical(first.pos, items[-1].end, op, tuple(items))

    def not_(self) -> n.Node:
        if self.at("kw", "not"):
            t = self.take()
            self.enter()
            try:
                operand = self.not_()
            finally:
                self.depth -= 1
            return n.Unary(t.pos, operand.end, "not", operand)
        return self.comparison()

    def comparison(self) -> n.Node:
        left = self.sum()
        t = self.tok
        op: str | None = None
        if t.kind == "op" and t.text in _COMPARE:
            op = t.text
            self.take()
        elif self.at("kw", "in"):
            op = "in"
            self.take()
        elif self.at("kw", "not") and self.tokens[self.i + 1].text == "in":
            op = "not in"
            self.i += 2
        if op is None:
            return left
        right = self.sum()
        nxt = self.tok
        if nxt.kind == "op" and nxt.text in _COMPARE:
            raise self.error("비교를 이어 쓸 수 없습니다: 'a < b and b < c'처럼 쓰세요", nxt)
        return n.Binary(left.pos, right.end, op, left, right)

    def sum(self) -> n.Node:
        node = self.product()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            op = self.take().text
            right = self.product()
            node = n.Binary(node.pos, right.end, op, node, right)
        return node

    def product(self) -> n.Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/", "%"):
            op = self.take().text
            right = self.unary()
            node = n.Binary(node.pos, right.end, op, node, right)
        return node

    def unary(self) -> n.Node:
        if self.at("op", "-"):
            t = self.take()
            self.enter()
            try:
                operand = self.unary()
            finally:
                self.depth -= 1
            return n.Unary(t.pos, operand.end, "-", operand)
        return self.primary()

    def primary(self) -> n.Node:
        t = self.tok
        if t.kind in ("num", "str"):
            self.take()
            return n.Literal(t.pos, t.pos + len(t.text), t.value)
        if t.kind == "kw" and t.text in ("true", "false", "null"):
            self.take()
            value = {"true": True, "false": False, "null": None}[t.text]
            return n.Literal(t.pos, t.pos + len(t.text), value)
        if t.kind == "name":
            self.take()
            if self.at("op", "("):
                return self.call(t)
            return n.Name(t.pos, t.pos + len(t.text), t.text)
        if self.at("op", "("):
            self.take()
            inner = self.expr()
            close = self.expect_op(")", "괄호 닫기")
            # Keep the span of the parentheses so explanations quote them whole.
            return _respan(inner, t.pos, close.pos + 1)
        if self.at("op", "["):
            return self.list_()
        if t.kind == "end":
            raise self.error("식이 중간에 끝났습니다 (값이 더 있어야 합니다)")
        if t.kind == "kw":
            raise self.error(f"'{t.text}' 앞에 값이 있어야 합니다")
        raise self.error(f"여기에는 값이 와야 하는데 '{t.text}'가 있습니다")

    def call(self, name: Token) -> n.Node:
        self.take()  # (
        args: list[n.Node] = []
        self.enter()
        try:
            if not self.at("op", ")"):
                args.append(self.expr())
                while self.at("op", ","):
                    self.take()
                    args.append(self.expr())
            close = self.expect_op(")", f"{name.text}( … ) 닫기")
        finally:
            self.depth -= 1
        return n.Call(name.pos, close.pos + 1, name.text, tuple(args), name.pos)

    def list_(self) -> n.Node:
        start = self.take()
        items: list[n.Node] = []
        self.enter()
        try:
            if not self.at("op", "]"):
                items.append(self.expr())
                while self.at("op", ","):
                    self.take()
                    items.append(self.expr())
            close = self.expect_op("]", "목록 닫기")
        finally:
            self.depth -= 1
        return n.ListLit(start.pos, close.pos + 1, tuple(items))


def _respan(node: n.Node, pos: int, end: int) -> n.Node:
    import dataclasses

    return dataclasses.replace(node, pos=pos, end=end)
