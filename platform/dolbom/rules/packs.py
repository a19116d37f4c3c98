"""Rule sets in a municipality's pack (`tenants/<slug>/rules/*.yaml`): checked in full against
the facts the pack's own forms provide — names, types, and every example — before anything
is created, with file and line for each problem."""

from __future__ import annotations

from pathlib import Path

from dolbom.forms import yamlio
from dolbom.forms.reader import read_definition
from dolbom.rules.catalogue import check_source
from dolbom.rules.examples import run_examples
from dolbom.rules.facts import FactCatalogue


def read_rules(
    path: Path, forms: list[tuple[str, str]], errors: list[str]
) -> list[tuple[str, str]]:
    files = sorted((path / "rules").glob("*.yaml"))
    if not files:
        return []
    defs = []
    for _file, text in forms:
        data, _lines = yamlio.load(text)
        defs.append(read_definition(data))
    catalogue = FactCatalogue.for_forms(defs)
    out: list[tuple[str, str]] = []
    keys: dict[str, str] = {}
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            errors.append(f"{file}: UTF-8 텍스트 파일이 아닙니다")
            continue
        crs, problems, ruleset = check_source(text, catalogue)
        for p in problems:
            at = f":{p.line}" if p.line else ""
            errors.append(f"{file}{at}: {p.where()}: {p.message}")
        if crs is None or ruleset is None:
            continue
        for failure in run_examples(crs):
            errors.append(f"{file}: examples[{failure.index}]: {failure}")
        if ruleset.key in keys:
            errors.append(
                f"{file}: key: 규칙 묶음 키 '{ruleset.key}'가 {keys[ruleset.key]}에도 있습니다"
            )
        keys[ruleset.key] = str(file)
        out.append((str(file), text))
    return out
