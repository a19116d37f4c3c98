"""A small, safe expression language for form conditions, computed scores and ordinance rules.

No `eval`: text is tokenised and parsed into an AST (`parse`), checked against a catalogue of
names and their types (`check`), and compiled into Python closures (`compile_expr`) that read
values from an environment. Every problem — syntax, unknown name, wrong type, too deep — is an
`ExprError` with the position at fault and a Korean message; nothing else escapes.

    cond = compile_source("age >= 65 and living_alone", catalogue)
    cond.evaluate(Env({"age": 78, "living_alone": True}))  # True

Unanswered facts are `None` and follow three-valued logic: `None and False` is False,
`None or True` is True, otherwise `None` spreads; the names that were missing are collected in
`Env.missing`, so a caller can say which facts it still needs instead of guessing."""

from dolbom.expr.check import Catalogue, check
from dolbom.expr.compiler import Compiled, Env, compile_expr, compile_source
from dolbom.expr.errors import ExprError
from dolbom.expr.nodes import Node, names_in
from dolbom.expr.parser import parse
from dolbom.expr.types import Kind, Type

__all__ = [
    "Catalogue",
    "Compiled",
    "Env",
    "ExprError",
    "Kind",
    "Node",
    "Type",
    "check",
    "compile_expr",
    "compile_source",
    "names_in",
    "parse",
]
