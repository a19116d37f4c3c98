"""Standard assessment instruments that any pack can name in `standard_forms`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@cache
def instrument_names() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in HERE.glob("*.yaml")))


def instrument_path(name: str) -> Path:
    return HERE / f"{name}.yaml"
