"""Applying a pack to a running tenant: the difference first, then all of it or nothing.

Everything happens in one transaction on the tenant's schema (which also reaches the shared
tables): a refusal or failure anywhere rolls every earlier step back. Each applied item leaves
a config_change entry marked with the pack it came from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.catalogue.models import Programme, Provider, ProviderService, ServiceField
from dolbom.clock import today
from dolbom.console.changes import record_change
from dolbom.db import tenant_bind
from dolbom.districts import operations as districts
from dolbom.districts.models import Dong, Gu
from dolbom.packs.diff import Change, diff, effective
from dolbom.packs.snapshot import FAR_PAST, Snapshot, from_pack, from_tenant
from dolbom.referrals.models import Referral
from dolbom.tenancy import directory
from dolbom.tenancy.models import Tenant
from dolbom.tenancy.packs import Pack, PackError
from dolbom.tenant_settings import set_value

AUDIT_AREA = {
    "profile": "profile",
    "settings": "settings",
    "plugins": "plugin",
    "gu": "district",
    "dongs": "district",
    "forms": "form",
    "rules": "rule",
    "fields": "programme",
    "programmes": "programme",
    "providers": "provider",
}


class Refused(Exception):
    """One item cannot be applied; the message names it."""


@dataclass
class _Ctx:
    session: Session
    tenant: Tenant
    target: Snapshot
    user_ids: set[int]  # staff whose live sessions must see a scope change


def preview(slug: str, pack: Pack) -> list[Change]:
    with Session(bind=tenant_bind(slug)) as session:
        return diff(from_tenant(session, slug), from_pack(pack))


def apply_pack(
    slug: str,
    pack: Pack,
    *,
    user_id: int | None,
    source: str | None = None,
    expected: list[Change] | None = None,
) -> list[Change]:
    """Apply `pack` to tenant `slug`. With `expected` (the difference the person saw), the
    apply is refused if the tenant changed since: they confirm what they saw, nothing else."""
    source = source or f"pack:{pack.path.name}"
    with Session(bind=tenant_bind(slug)) as session, session.begin():
        tenant = session.scalar(sa.select(Tenant).where(Tenant.slug == slug).with_for_update())
        if tenant is None:
            raise PackError([f"'{slug}' 기관이 없습니다"])
        target = from_pack(pack)
        changes = diff(from_tenant(session, slug), target)
        if expected is not None and effective(expected) != effective(changes):
            raise PackError(["본 뒤에 설정이 바뀌었습니다. 차이를 다시 보고 적용하세요."])
        ctx = _Ctx(session, tenant, target, set())
        errors: list[str] = []
        todo = effective(changes)
        # Adds and changes in dependency order, then removals in reverse (a dong goes before
        # its gu, a provider before the programme it offers).
        ordered = [c for c in todo if c.action != "remove"]
        ordered += list(reversed([c for c in todo if c.action == "remove"]))
        for change in ordered:
            try:
                with session.begin_nested():
                    APPLY[change.area](ctx, change)
                    session.flush()
            except (Refused, districts.DistrictError) as exc:
                errors.append(f"{change.area}/{change.key}: {exc}")
                continue
            record_change(
                session,
                AUDIT_AREA[change.area],
                f"{change.area}/{change.key}",
                before=change.before,
                after=change.after,
                user_id=user_id,
                action={"add": "create", "change": "update", "remove": "delete"}[change.action],
                source=source[:100],
            )
        if errors:
            raise PackError(errors)  # the transaction rolls back: nothing applied
        from dolbom.audit import record

        record(session, "pack.applied", user_id=user_id, tenant_slug=slug, source=source,
               changes=len(todo))  # fmt: skip
    if ctx.user_ids:
        from dolbom.identity.operations import refresh_sessions

        with Session(bind=tenant_bind(slug)) as s:
            refresh_sessions(s, sorted(ctx.user_ids))
    if any(c.area in ("profile", "plugins") for c in todo):
        directory.changed()
    return changes


# --- one function per area -------------------------------------------------------------------


def _profile(ctx: _Ctx, c: Change) -> None:
    after = c.after or {}
    ctx.tenant.name = after.get("name") or ctx.tenant.name
    ctx.tenant.region = after.get("region")
    set_value(ctx.session, "profile", after.get("profile") or {})
    set_value(ctx.session, "todo", after.get("todo") or [])


def _settings(ctx: _Ctx, c: Change) -> None:
    if c.after is not None:
        set_value(ctx.session, c.key, c.after["value"])


def _plugins(ctx: _Ctx, c: Change) -> None:
    from dolbom.tenancy.operations import TenantError, switch_plugin

    try:
        switch_plugin(ctx.session, ctx.tenant.slug, c.key, c.after is not None)
    except TenantError as exc:
        raise Refused(str(exc)) from exc


def _gu(ctx: _Ctx, c: Change) -> None:
    s = ctx.session
    gu = s.scalar(sa.select(Gu).where(Gu.code == c.key))
    if c.after is None:
        assert gu is not None
        if s.scalar(sa.select(sa.func.count()).where(Dong.gu_id == gu.id)):
            raise Refused(f"{gu.name}에 아직 동이 있습니다")
        s.delete(gu)
        return
    if gu is None:
        gu = Gu(code=c.key)
        s.add(gu)
    gu.name = c.after["name"]
    gu.population_65 = c.after.get("population_65")


def _dong(ctx: _Ctx, c: Change) -> None:
    s = ctx.session
    if c.after is None:
        districts.remove(s, ctx.tenant.id, c.key)
        return
    a = c.after
    gu_id = s.scalar(sa.select(Gu.id).where(Gu.code == a["gu"]))
    dong = s.scalar(sa.select(Dong).where(Dong.code == c.key))
    if dong is None:
        dong = Dong(code=c.key)
        s.add(dong)
    was_successor = dong.successor_code
    dong.gu_id = gu_id  # type: ignore[assignment]
    dong.name = a["name"]
    dong.valid_from = _day(a.get("valid_from")) or FAR_PAST
    dong.valid_to = _day(a.get("valid_to"))
    dong.successor_code = a.get("successor")
    s.flush()
    # A dong that now ends with a successor (a merge or split in the pack): people, open cases
    # and scopes follow it — now if its end has come, else the `district_moves` job moves them
    # on the day. The successor is added before (adds run first).
    ended = dong.valid_to is not None and dong.valid_to <= today()
    if dong.successor_code and dong.successor_code != was_successor and ended:
        ctx.user_ids.update(districts.staff_user_ids(s, ctx.tenant.id, [dong.code]))
        districts.move_to_successor(s, ctx.tenant.id, dong.code, dong.successor_code)


def _day(value: str | None):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.date.fromisoformat(value) if value else None


def _form(ctx: _Ctx, c: Change) -> None:
    from dolbom.forms.operations import import_form

    import_form(ctx.session, ctx.target.texts[("forms", c.key)], user_id=None, publish_now=True)


def _rule(ctx: _Ctx, c: Change) -> None:
    from dolbom.rules.operations import RuleSetProblems, import_ruleset

    try:
        import_ruleset(ctx.session, ctx.tenant.slug, ctx.target.texts[("rules", c.key)],
                       user_id=None)  # fmt: skip
    except RuleSetProblems as exc:
        raise Refused(str(exc)) from exc


def _field(ctx: _Ctx, c: Change) -> None:
    s = ctx.session
    row = s.get(ServiceField, c.key)
    if c.after is None:
        used = s.scalar(sa.select(sa.func.count()).where(Programme.field == c.key))
        if used:
            raise Refused(f"이 분야의 프로그램이 {used}개 있습니다")
        s.delete(row)
        return
    if row is None:
        row = ServiceField(key=c.key)
        s.add(row)
    row.name = c.after["name"]


def _programme(ctx: _Ctx, c: Change) -> None:
    s = ctx.session
    row = s.scalar(sa.select(Programme).where(Programme.key == c.key))
    if c.after is None:
        assert row is not None
        used = s.scalar(sa.select(sa.func.count()).where(Referral.programme_id == row.id))
        if used:
            raise Refused(
                f"의뢰 {used}건이 이 프로그램을 가리킵니다: 지우지 말고 active: false로 두세요"
            )
        s.execute(sa.delete(ProviderService).where(ProviderService.programme_id == row.id))
        s.delete(row)
        return
    a = c.after
    if row is None:
        row = Programme(key=c.key)
        s.add(row)
    row.name, row.field, row.funding = a["name"], a["field"], a["funding"]
    row.budget, row.unit, row.unit_cost = a.get("budget"), a["unit"], a["unit_cost"]
    row.description = a.get("description")
    row.rule_set_key, row.rule_programme = a.get("rule_set"), a.get("rule_programme")
    row.rule_entitlement, row.form_key = a.get("rule_entitlement"), a.get("form")
    row.active = a.get("active", True)


def _provider(ctx: _Ctx, c: Change) -> None:
    s = ctx.session
    row = s.scalar(sa.select(Provider).where(Provider.key == c.key))
    if c.after is None:
        assert row is not None
        used = s.scalar(sa.select(sa.func.count()).where(Referral.provider_id == row.id))
        if used:
            raise Refused(
                f"의뢰 {used}건이 이 기관을 가리킵니다: 지우지 말고 active: false로 두세요"
            )
        s.delete(row)
        return
    a = c.after
    if row is None:
        row = Provider(key=c.key)
        s.add(row)
    row.name, row.type = a["name"], a["type"]
    row.all_dongs = a["dongs"] == "all"
    row.dong_codes = [] if row.all_dongs else list(a["dongs"])
    row.phone, row.contact = a.get("phone"), a.get("contact")
    row.sample, row.active = bool(a.get("sample")), a.get("active", True)
    s.flush()  # a new provider needs its id for its offers
    _offers(s, row, a.get("services") or {})


def _offers(s: Session, provider: Provider, services: dict[str, int]) -> None:
    ids = dict(s.execute(sa.select(Programme.key, Programme.id)).all())
    have = {o.programme_id: o for o in s.scalars(
        sa.select(ProviderService).where(ProviderService.provider_id == provider.id))}  # fmt: skip
    wanted = {ids[k]: cap for k, cap in services.items()}
    for pid, offer in have.items():
        if pid not in wanted:
            open_ = s.scalar(sa.select(sa.func.count()).where(
                Referral.provider_id == provider.id, Referral.programme_id == pid))  # fmt: skip
            if open_:
                raise Refused(f"의뢰 {open_}건이 있는 서비스는 뺄 수 없습니다")
            s.delete(offer)
    for pid, cap in wanted.items():
        if pid in have:
            have[pid].capacity = cap
        else:
            s.add(ProviderService(provider_id=provider.id, programme_id=pid, capacity=cap))


APPLY: dict[str, Callable[[_Ctx, Change], Any]] = {
    "profile": _profile,
    "settings": _settings,
    "plugins": _plugins,
    "gu": _gu,
    "dongs": _dong,
    "forms": _form,
    "rules": _rule,
    "fields": _field,
    "programmes": _programme,
    "providers": _provider,
}
