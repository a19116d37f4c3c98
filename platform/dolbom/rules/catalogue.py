"""The tenant's fact catalogue and compiled rule set versions, cached per process.

The catalogue depends on the tenant's published forms (their scores and answers are facts), so
its cache key is the set of form versions in force; a compiled rule set version is cached by
(tenant, version, checksum, catalogue)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, undefer

from dolbom.forms.models import Form, FormVersion
from dolbom.forms.responses import compiled as compiled_form
from dolbom.rules.compile import CompiledRuleSet, check_examples, compile_ruleset
from dolbom.rules.definition import Problem, RuleSet
from dolbom.rules.facts import FactCatalogue
from dolbom.rules.models import RuleSetVersion
from dolbom.rules.reader import parse_yaml

_catalogues: dict[tuple, FactCatalogue] = {}
_compiled: dict[tuple, tuple[CompiledRuleSet | None, list[Problem], RuleSet | None]] = {}


def tenant_catalogue(session: Session, tenant: str) -> tuple[FactCatalogue, tuple]:
    rows = session.execute(
        sa.select(FormVersion.id, FormVersion.checksum)
        .join(Form, (Form.id == FormVersion.form_id) & (Form.current_number == FormVersion.number))
        .order_by(FormVersion.id)
    ).all()
    key = (tenant, tuple(rows))
    cat = _catalogues.get(key)
    if cat is None:
        versions = session.scalars(
            sa.select(FormVersion)
            .where(FormVersion.id.in_([r.id for r in rows]))
            .options(undefer(FormVersion.definition))
        )
        cat = FactCatalogue.for_forms(compiled_form(v, tenant).form for v in versions)
        if len(_catalogues) > 64:
            _catalogues.clear()
        _catalogues[key] = cat
    return cat, key


def check_source(
    source: str, catalogue: FactCatalogue
) -> tuple[CompiledRuleSet | None, list[Problem], RuleSet | None]:
    """Every problem of a rule set text: YAML and structure, then names, types and examples'
    facts. The compiled rule set only when there is none."""
    ruleset, problems = parse_yaml(source)
    if ruleset is None or problems:
        return None, problems, ruleset
    crs, problems = compile_ruleset(ruleset, catalogue)
    if crs is None:
        return None, problems, ruleset
    problems = check_examples(ruleset, crs.catalogue)
    return (None if problems else crs), problems, ruleset


def remember(session: Session, tenant: str, version: RuleSetVersion,
             result: tuple[CompiledRuleSet | None, list[Problem], RuleSet | None]) -> None:  # fmt: skip
    """Prime the cache with a check just made of this version's text (a pack import checks,
    then publishes: the second check would repeat the first)."""
    _catalogue, cat_key = tenant_catalogue(session, tenant)
    _compiled[(tenant, version.id, version.checksum, cat_key)] = result


def compiled_version(
    session: Session, tenant: str, version: RuleSetVersion
) -> tuple[CompiledRuleSet | None, list[Problem], RuleSet | None]:
    catalogue, cat_key = tenant_catalogue(session, tenant)
    key = (tenant, version.id, version.checksum, cat_key)
    hit = _compiled.get(key)
    if hit is None:
        hit = check_source(version.source, catalogue)
        if len(_compiled) > 256:
            _compiled.clear()
        _compiled[key] = hit
    return hit
