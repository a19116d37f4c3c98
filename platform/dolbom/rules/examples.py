"""Examples gate publishing: each is facts → expected result, run against the version."""

from __future__ import annotations

from dataclasses import dataclass

from dolbom.rules.compile import CompiledRuleSet, example_facts
from dolbom.rules.definition import STATUS_LABELS, Example
from dolbom.rules.evaluate import evaluate, plan_for


@dataclass(frozen=True)
class Failure:
    index: int
    example: Example
    programme: str
    message: str

    def __str__(self) -> str:
        return f"예시 {self.index + 1} '{self.example.name}' — {self.message}"


def run_examples(crs: CompiledRuleSet) -> list[Failure]:
    failures: list[Failure] = []
    for i, ex in enumerate(crs.ruleset.examples):
        facts = example_facts(ex, crs.catalogue)
        results = {r.key: r for r in evaluate(plan_for(crs, ex.as_of), facts)}
        for key, want in ex.expect.items():
            got = results.get(key)
            if got is None:
                failures.append(Failure(i, ex, key, f"'{key}' 사업이 없습니다"))
                continue
            name = got.programme.compiled.programme.name
            if got.status != want.status:
                failures.append(Failure(i, ex, key, f"{name}: 기대 {STATUS_LABELS[want.status]}, "
                                                    f"결과 {STATUS_LABELS[got.status]}"))  # fmt: skip
                continue
            amounts = got.amounts()
            for ent, value in want.amounts.items():
                actual = amounts.get(ent)
                if actual is None or abs(actual - value) > 1e-9:
                    failures.append(
                        Failure(
                            i,
                            ex,
                            key,
                            f"{name} '{ent}': 기대 {value:g}, 결과 {actual if actual is None else f'{actual:g}'}",
                        )
                    )
    return failures
