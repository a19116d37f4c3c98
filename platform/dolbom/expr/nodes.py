"""The syntax tree. Every node keeps its position (for messages) and its source span (for
explanations such as "만 65세 이상: 78세 — 충족" built by the rules engine)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Node:
    pos: int
    end: int

    def children(self) -> tuple[Node, ...]:
        return ()

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children():
            yield from child.walk()


@dataclass(frozen=True)
class Literal(Node):
    value: Any


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class ListLit(Node):
    items: tuple[Node, ...] = field(default=())

    def children(self) -> tuple[Node, ...]:
        return self.items


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "-" or "not"
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class Binary(Node):
    op: str  # + - * / % == != < <= > >= in "not in"
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Logical(Node):
    op: str  # "and" / "or"
    operands: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.operands


@dataclass(frozen=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]
    func_pos: int = 0

    def children(self) -> tuple[Node, ...]:
        return self.args


def names_in(node: Node) -> set[str]:
    """Every name the expression reads, including names passed to score() and level()."""
    return {n.name for n in node.walk() if isinstance(n, Name)}
